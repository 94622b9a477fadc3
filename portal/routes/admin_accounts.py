"""The accounts pages: each account's state, roles, two-step sign-in and sessions; create, disable, change roles.

Administrators manage every account of their own agency; training coordinators create officer-only accounts
and send their set-password links (services/access.py). Any other agency's account id answers 404.
Refusals are audited and never show the account.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import Role, UserAccount
from portal.errors import error_page, refusal_response
from portal.layout import client_ip, current_user, page
from portal.sessions import hash_token
from services.access import (
    CurrentUser,
    can_change_roles,
    can_create_accounts,
    can_disable_account,
    can_enable_account,
    can_grant_roles,
    can_manage_accounts,
    can_reset_two_step_sign_in,
    can_send_set_password_link,
)
from services.account_sessions import live_sessions
from services.admin_accounts import (
    account_name,
    accounts_awaiting_password,
    agency_account,
    agency_accounts,
    audit_refusal,
    end_all_sessions_of,
    reset_two_step_sign_in,
    two_step_state,
)
from services.person_accounts import (
    ROLE_WORDS,
    SET_PASSWORD_TTL,
    NewAccount,
    account_state,
    awaits_password,
    change_roles,
    create_account,
    disable_account,
    enable_account,
    form_problems,
    keeps_an_administrator,
    people_without_accounts,
    person_without_account,
    resend_set_password_link,
    send_set_password_mail,
    suggest_username,
)
from services.time_zones import agency_time_zone
from services.workflow_actions import ActionResult, ActionStatus
from settings import Settings

NOTICES = {
    "created": "The account has been created and a link to set a password has been mailed to the person.",
    "link_sent": "A new link to set a password has been mailed; the earlier one no longer works.",
    "disabled": "The account has been disabled and signed out everywhere.",
    "enabled": "The account can sign in again.",
    "roles": "The roles have been changed.",
}
LINK_HOURS = int(SET_PASSWORD_TTL.total_seconds() // 3600)


async def _admin(request: Request, db: AsyncSession, action: str, user_id: int | None = None) -> CurrentUser:
    user = current_user(request)
    if can_manage_accounts(user):
        return user
    audit_refusal(db, user, client_ip(request), action, user_id, "not an administrator")
    await db.commit()
    raise PermissionDeniedException()


async def _agency_account(request: Request, db: AsyncSession, action: str, user_id: int, admin_only: bool = True
                          ) -> tuple[CurrentUser, UserAccount]:
    user = await _admin(request, db, action, user_id) if admin_only else current_user(request)
    account = await agency_account(db, user.agency_id, user_id)
    if account is None:
        audit_refusal(db, user, client_ip(request), action, user_id, "not found")
        await db.commit()
        raise NotFoundException()
    return user, account


async def _refuse(request: Request, db: AsyncSession, user: CurrentUser, action: str, user_id: int | None,
                  reason: str) -> Template:
    audit_refusal(db, user, client_ip(request), action, user_id, reason)
    await db.commit()
    return refusal_response(request, ActionResult(ActionStatus.REFUSED, reason))


@get("/admin/accounts")
async def accounts_page(request: Request, db: NamedDependency[AsyncSession],
                        settings: NamedDependency[Settings]) -> Template:
    admin = await _admin(request, db, "account.list")
    zone = await agency_time_zone(db, admin.agency_id)
    return await page(request, db, "admin/accounts.html",
                      accounts=await agency_accounts(db, admin.agency_id, settings, zone))


@get("/admin/accounts/{user_id:int}")
async def account_page(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                       settings: NamedDependency[Settings]) -> Template:
    admin, account = await _agency_account(request, db, "account.view", user_id)
    zone = await agency_time_zone(db, admin.agency_id)
    reset_at = account.mfa_reset_at.astimezone(zone) if account.mfa_reset_at else None
    enabled_at = account.mfa_enabled_at.astimezone(zone) if account.mfa_enabled_at else None
    last_sign_in = account.last_login_at.astimezone(zone) if account.last_login_at else None
    return await page(request, db, "admin/account.html", account=account, name=account_name(account),
                      two_step=two_step_state(account), enabled_at=enabled_at, reset_at=reset_at,
                      may_reset=can_reset_two_step_sign_in(admin, account.id) is None,
                      state=account_state(account, settings), last_sign_in=last_sign_in,
                      role_words=ROLE_WORDS, is_self=admin.id == account.id, link_hours=LINK_HOURS,
                      account_notice=NOTICES.get(request.query_params.get("done") or ""),
                      sessions=await live_sessions(db, account.id, settings, zone, hash_token(str(request.auth))))


@post("/admin/accounts/{user_id:int}/mfa/reset", status_code=303)
async def reset_mfa(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                    settings: NamedDependency[Settings]) -> Redirect | Template:
    admin, account = await _agency_account(request, db, "mfa.reset", user_id)
    refusal = can_reset_two_step_sign_in(admin, account.id)
    if refusal is not None:
        audit_refusal(db, admin, client_ip(request), "mfa.reset", account.id, refusal)
        await db.commit()
        return error_page(403, refusal)
    await reset_two_step_sign_in(db, admin, client_ip(request), account, settings)
    return Redirect(f"/admin/accounts/{account.id}?notice=mfa_reset", status_code=303)


@post("/admin/accounts/{user_id:int}/sessions/end", status_code=303)
async def end_sessions(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                       settings: NamedDependency[Settings]) -> Redirect:
    admin, account = await _agency_account(request, db, "session.end_all", user_id)
    await end_all_sessions_of(db, admin, client_ip(request), account, settings)
    return Redirect(f"/admin/accounts/{account.id}?notice=sessions_ended", status_code=303)


@post("/admin/accounts/{user_id:int}/disable", status_code=303)
async def disable(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession]) -> Redirect | Template:
    admin, account = await _agency_account(request, db, "account.disable", user_id)
    refusal = can_disable_account(admin, account.id) or await keeps_an_administrator(db, account, losing_admin=True)
    if refusal is not None:
        return await _refuse(request, db, admin, "account.disable", account.id, refusal)
    reason = str((await request.form()).get("reason") or "").strip()[:200] or "(no reason given)"
    await disable_account(db, admin, client_ip(request), account, reason)
    await db.commit()
    return Redirect(f"/admin/accounts/{account.id}?done=disabled", status_code=303)


@post("/admin/accounts/{user_id:int}/enable", status_code=303)
async def enable(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession]) -> Redirect | Template:
    admin, account = await _agency_account(request, db, "account.enable", user_id)
    if not can_enable_account(admin):
        return await _refuse(request, db, admin, "account.enable", account.id, "Only administrators enable accounts.")
    await enable_account(db, admin, client_ip(request), account)
    await db.commit()
    return Redirect(f"/admin/accounts/{account.id}?done=enabled", status_code=303)


@post("/admin/accounts/{user_id:int}/roles", status_code=303)
async def roles(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession]) -> Redirect | Template:
    admin, account = await _agency_account(request, db, "account.roles", user_id)
    chosen = frozenset(role for role in (await request.form()).getall("roles", []) if role in ROLE_WORDS)
    refusal = can_change_roles(admin, account.id, chosen)
    if refusal is None and not chosen:
        refusal = "Choose at least one role. To stop someone signing in, disable the account."
    if refusal is None:
        refusal = await keeps_an_administrator(db, account, losing_admin=Role.ADMIN not in chosen)
    if refusal is not None:
        return await _refuse(request, db, admin, "account.roles", account.id, refusal)
    await change_roles(db, admin, client_ip(request), account, chosen)
    await db.commit()
    return Redirect(f"/admin/accounts/{account.id}?done=roles", status_code=303)


@post("/admin/accounts/{user_id:int}/set-password-link", status_code=303)
async def resend_link(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                      settings: NamedDependency[Settings]) -> Redirect | Template:
    user = current_user(request)
    if not can_create_accounts(user):
        return await _refuse(request, db, user, "account.set_password_link", user_id, "not allowed")
    user, account = await _agency_account(request, db, "account.set_password_link", user_id, admin_only=False)
    refusal = can_send_set_password_link(user, account.role_names)
    if refusal is None and not (account.is_active and awaits_password(account) and account.person):
        refusal = ("This account is disabled or already has a password "
                   "(the person can use “Forgot password?” on the sign-in page).")
    if refusal is not None:
        return await _refuse(request, db, user, "account.set_password_link", account.id, refusal)
    assert account.person is not None  # checked above: a link goes to the person's address
    token = await resend_set_password_link(db, user, client_ip(request), account)
    await db.commit()
    target = f"/admin/accounts/{account.id}" if can_manage_accounts(user) else "/admin/accounts/new"
    return Redirect(f"{target}?done=link_sent", status_code=303,
                    background=BackgroundTask(send_set_password_mail, settings, account.person.email,
                                              account.username, token))


async def _new_account_page(request: Request, db: AsyncSession, user: CurrentUser, form: NewAccount,
                            errors: dict[str, str], status_code: int = 200) -> Template:
    admin = can_manage_accounts(user)
    awaiting = [a for a in await accounts_awaiting_password(db, user.agency_id)
                if admin or can_send_set_password_link(user, a.role_names) is None]
    return await page(request, db, "admin/new_account.html", status_code=status_code, form=form, errors=errors,
                      people=await people_without_accounts(db, user.agency_id), awaiting=awaiting,
                      role_words={r: w for r, w in ROLE_WORDS.items() if admin or r == Role.OFFICER},
                      link_hours=LINK_HOURS, account_notice=NOTICES.get(request.query_params.get("done") or ""))


async def _creator(request: Request, db: AsyncSession) -> CurrentUser:
    user = current_user(request)
    if can_create_accounts(user):
        return user
    audit_refusal(db, user, client_ip(request), "account.create", None, "not allowed")
    await db.commit()
    raise PermissionDeniedException()


@get("/admin/accounts/new")
async def new_account(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = await _creator(request, db)
    form = NewAccount(person_id=request.query_params.get("person_id", "")[:12], roles=(Role.OFFICER,))
    person = await person_without_account(db, user.agency_id, form.person_id)
    if person is not None:
        form.username, form.email = await suggest_username(db, person), person.email
    return await _new_account_page(request, db, user, form, {})


@post("/admin/accounts/new", status_code=303)
async def create(request: Request, db: NamedDependency[AsyncSession],
                 settings: NamedDependency[Settings]) -> Redirect | Template:
    user = await _creator(request, db)
    data = await request.form()
    form = NewAccount(person_id=str(data.get("person_id") or "").strip()[:12],
                      username=str(data.get("username") or "").strip().lower()[:100],
                      email=str(data.get("email") or "").strip()[:300],
                      roles=tuple(str(role) for role in data.getall("roles", []))[:10])
    refusal = can_grant_roles(user, frozenset(form.roles))
    if refusal is not None:
        return await _refuse(request, db, user, "account.create", None, refusal)
    person, errors = await form_problems(db, user.agency_id, form)
    if errors or person is None:
        return await _new_account_page(request, db, user, form, errors, status_code=400)
    account, token = await create_account(db, user, client_ip(request), person, form)
    await db.commit()
    target = f"/admin/accounts/{account.id}" if can_manage_accounts(user) else "/admin/accounts/new"
    return Redirect(f"{target}?done=created", status_code=303,
                    background=BackgroundTask(send_set_password_mail, settings, form.email, form.username, token))


ROUTES = [accounts_page, new_account, create, account_page, reset_mfa, end_sessions, disable, enable, roles,
          resend_link]

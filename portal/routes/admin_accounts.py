"""Administrators' accounts pages: each account's two-step sign-in and live sessions; reset and end them.

Only accounts of the administrator's own agency: any other id answers 404. Refusals are audited.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import UserAccount
from portal.errors import error_page
from portal.layout import client_ip, current_user, page
from portal.sessions import hash_token
from services.access import CurrentUser, can_manage_accounts, can_reset_two_step_sign_in
from services.account_sessions import live_sessions
from services.admin_accounts import (
    account_name,
    agency_account,
    agency_accounts,
    audit_refusal,
    end_all_sessions_of,
    reset_two_step_sign_in,
    two_step_state,
)
from services.time_zones import agency_time_zone
from settings import Settings


async def _admin(request: Request, db: AsyncSession, action: str, user_id: int | None = None) -> CurrentUser:
    user = current_user(request)
    if can_manage_accounts(user):
        return user
    audit_refusal(db, user, client_ip(request), action, user_id, "not an administrator")
    await db.commit()
    raise PermissionDeniedException()


async def _agency_account(request: Request, db: AsyncSession, action: str, user_id: int
                          ) -> tuple[CurrentUser, UserAccount]:
    admin = await _admin(request, db, action, user_id)
    account = await agency_account(db, admin.agency_id, user_id)
    if account is None:
        audit_refusal(db, admin, client_ip(request), action, user_id, "not found")
        await db.commit()
        raise NotFoundException()
    return admin, account


@get("/admin/accounts")
async def accounts_page(request: Request, db: NamedDependency[AsyncSession],
                        settings: NamedDependency[Settings]) -> Template:
    admin = await _admin(request, db, "account.list")
    return await page(request, db, "admin/accounts.html", accounts=await agency_accounts(db, admin.agency_id, settings))


@get("/admin/accounts/{user_id:int}")
async def account_page(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                       settings: NamedDependency[Settings]) -> Template:
    admin, account = await _agency_account(request, db, "account.view", user_id)
    zone = await agency_time_zone(db, admin.agency_id)
    reset_at = account.mfa_reset_at.astimezone(zone) if account.mfa_reset_at else None
    enabled_at = account.mfa_enabled_at.astimezone(zone) if account.mfa_enabled_at else None
    return await page(request, db, "admin/account.html", account=account, name=account_name(account),
                      two_step=two_step_state(account), enabled_at=enabled_at, reset_at=reset_at,
                      may_reset=can_reset_two_step_sign_in(admin, account.id) is None,
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


ROUTES = [accounts_page, account_page, reset_mfa, end_sessions]

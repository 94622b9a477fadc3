"""Sign in (password, then a TOTP or recovery code when MFA applies), first MFA enrolment, sign out.

Every attempt is audited with its source address and never with what was typed. Whatever went
wrong (unknown user, wrong password, disabled, locked), the page says the same thing.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import AuditOutcome, PendingLogin, UserAccount, utcnow
from portal.layout import client_ip, current_user
from portal.sessions import (
    cookie_name,
    pending_cookie,
    pending_cookie_name,
    revoke_session,
    session_cookie,
    start_session,
)
from services.audit import record_audit
from services.landing import landing_path
from services.mfa import (
    accept_totp,
    account_needs_mfa,
    confirm_enrolment,
    grouped,
    provisioning_uri,
    start_enrolment,
    use_recovery_code,
)
from services.passwords import hash_password, needs_rehash, verify_password
from services.sign_in import (
    clear_failures,
    consume_pending_login,
    is_locked,
    load_pending_login,
    lock_has_expired,
    record_failed_sign_in,
    start_pending_login,
)
from settings import Settings

LOGIN_FAILED = "The username or password is incorrect, or the account is disabled."
CODE_FAILED = "That code is not right, or it has already been used. Enter the current code from your app."
LOGIN_NOTICES = {
    "password_reset": "Your password has been changed. Sign in with the new password.",
    "expired": "The sign-in took too long. Please start again.",
}


def _audit_login(db: AsyncSession, account: UserAccount | None, label: str, action: str,
                 outcome: AuditOutcome, source: str | None, detail: dict[str, Any] | None = None) -> None:
    record_audit(db, account.id if account else None, label, action, "user_account", account.id if account else None,
                 outcome, source, account.agency_id if account else None, detail)


def _login_page(username: str = "", error: str | None = None, notice: str | None = None,
                status_code: int = 200, cookies: list[Cookie] | None = None) -> Template:
    return Template(template_name="login.html", context={"username": username, "error": error, "notice": notice},
                    status_code=status_code, cookies=cookies)


async def _load_account(db: AsyncSession, user_id: int) -> UserAccount | None:
    return await db.scalar(
        select(UserAccount).where(UserAccount.id == user_id).options(selectinload(UserAccount.roles))
    )


async def _release_if_due(db: AsyncSession, account: UserAccount, settings: Settings, source: str | None) -> None:
    if lock_has_expired(account, settings):
        await clear_failures(db, account, unlock=True)
        account.locked_at = None
        _audit_login(db, account, "system (lockout release period)", "account.unlock", AuditOutcome.SUCCESS,
                     source, {"by": "release period"})


async def _count_failure(db: AsyncSession, account: UserAccount, source: str | None) -> bool:
    """Count a failed sign-in; True (and audited) when this failure locked the account."""
    if not await record_failed_sign_in(db, account):
        return False
    _audit_login(db, account, account.username, "account.lock", AuditOutcome.SUCCESS, source,
                 {"reason": "too many failed sign-ins"})
    return True


async def _open_session(request: Request, db: AsyncSession, settings: Settings, account: UserAccount,
                        method: str | None) -> list[Cookie]:
    """The real session: a new token; the browser's previous session (if any) is revoked."""
    source = client_ip(request)
    await clear_failures(db, account)
    account.last_login_at = utcnow()
    old_token = request.cookies.get(cookie_name(settings))
    if old_token:
        await revoke_session(db, old_token)
    token = start_session(db, account.id, source, request.headers.get("user-agent"))
    _audit_login(db, account, account.username, "login", AuditOutcome.SUCCESS, source,
                 {"mfa": method} if method else None)
    await db.commit()
    return [session_cookie(settings, token), pending_cookie(settings, None)]


@get("/login")
async def login_form(request: Request) -> Template:
    return _login_page(notice=LOGIN_NOTICES.get(request.query_params.get("notice") or ""))


@post("/login", status_code=303)
async def login(
    request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username") or "").strip()[:100]
    password = str(form.get("password") or "")
    source = client_ip(request)
    account = await db.scalar(
        select(UserAccount).where(UserAccount.username == username).options(selectinload(UserAccount.roles))
    )
    valid = verify_password(account.password_hash if account else None, password)
    if account is not None:
        await _release_if_due(db, account, settings, source)
    if account is None or not valid or not account.is_active or is_locked(account, settings):
        if account is None:
            reason = "unknown user"
        elif is_locked(account, settings):
            reason = "locked"
        else:
            reason = "disabled" if valid else "wrong password"
        _audit_login(db, account, username or "(blank)", "login", AuditOutcome.FAILURE, source, {"reason": reason})
        if account is not None and reason == "wrong password":
            await _count_failure(db, account, source)
        await db.commit()
        return _login_page(username, LOGIN_FAILED, status_code=401)
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    if account.mfa_enabled_at is None and not await account_needs_mfa(db, account):
        return Redirect("/", status_code=303, cookies=await _open_session(request, db, settings, account, None))
    purpose = "mfa" if account.mfa_enabled_at is not None else "enrol"
    token = start_pending_login(db, account.id, purpose, source)
    _audit_login(db, account, username, "login.password", AuditOutcome.SUCCESS, source, {"next": purpose})
    await db.commit()
    target = "/login/mfa" if purpose == "mfa" else "/login/mfa/enrol"
    return Redirect(target, status_code=303, cookies=[pending_cookie(settings, token)])


async def _pending(request: Request, db: AsyncSession, settings: Settings, purpose: str
                   ) -> tuple[PendingLogin, UserAccount] | None:
    token = request.cookies.get(pending_cookie_name(settings))
    pending = await load_pending_login(db, token, purpose)
    if pending is None:
        return None
    account = await _load_account(db, pending.user_id)
    if account is None:
        return None
    return pending, account


def _start_again() -> Redirect:
    return Redirect("/login?notice=expired", status_code=303)


async def _refuse_if_barred(request: Request, db: AsyncSession, settings: Settings, account: UserAccount,
                            step: str) -> Template | None:
    """The generic failure when the account was disabled or locked after the password step."""
    source = client_ip(request)
    await _release_if_due(db, account, settings, source)
    if account.is_active and not is_locked(account, settings):
        return None
    await consume_pending_login(db, request.cookies.get(pending_cookie_name(settings)) or "")
    reason = "locked" if account.is_active else "disabled"
    _audit_login(db, account, account.username, "login", AuditOutcome.FAILURE, source, {"reason": reason, "step": step})
    await db.commit()
    return _login_page(account.username, LOGIN_FAILED, status_code=401, cookies=[pending_cookie(settings, None)])


@get("/login/mfa")
async def code_form(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
                    ) -> Template | Redirect:
    if await _pending(request, db, settings, "mfa") is None:
        return _start_again()
    return Template(template_name="mfa/code.html", context={"error": None})


@post("/login/mfa", status_code=303)
async def submit_code(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
                      ) -> Template | Redirect:
    found = await _pending(request, db, settings, "mfa")
    if found is None:
        return _start_again()
    _, account = found
    refused = await _refuse_if_barred(request, db, settings, account, "code")
    if refused is not None:
        return refused
    code = str((await request.form()).get("code") or "").strip()[:40]
    source = client_ip(request)
    method = None
    if await accept_totp(db, account, code):
        method = "totp"
    elif await use_recovery_code(db, account.id, code):
        method = "recovery code"
    if method is None:
        _audit_login(db, account, account.username, "login", AuditOutcome.FAILURE, source,
                     {"reason": "wrong code", "step": "code"})
        locked_now = await _count_failure(db, account, source)
        if locked_now:
            await consume_pending_login(db, request.cookies.get(pending_cookie_name(settings)) or "")
        await db.commit()
        if locked_now:
            return _login_page(account.username, LOGIN_FAILED, status_code=401,
                               cookies=[pending_cookie(settings, None)])
        return Template(template_name="mfa/code.html", context={"error": CODE_FAILED}, status_code=401)
    if not await consume_pending_login(db, request.cookies.get(pending_cookie_name(settings)) or ""):
        await db.rollback()
        return _start_again()
    return Redirect("/", status_code=303, cookies=await _open_session(request, db, settings, account, method))


def _enrol_context(account: UserAccount, secret: str, action: str, error: str | None) -> dict[str, Any]:
    return {"secret": grouped(secret), "uri": provisioning_uri(secret, account.username), "action": action,
            "error": error}


@get("/login/mfa/enrol")
async def first_enrolment_form(request: Request, db: NamedDependency[AsyncSession],
                               settings: NamedDependency[Settings]) -> Template | Redirect:
    found = await _pending(request, db, settings, "enrol")
    if found is None or found[1].mfa_enabled_at is not None:
        return _start_again()
    secret = start_enrolment(found[1])
    await db.commit()
    return Template(template_name="mfa/enrol.html", context=_enrol_context(found[1], secret, "/login/mfa/enrol", None))


@post("/login/mfa/enrol", status_code=200)
async def confirm_first_enrolment(request: Request, db: NamedDependency[AsyncSession],
                                  settings: NamedDependency[Settings]) -> Template | Redirect:
    found = await _pending(request, db, settings, "enrol")
    if found is None or found[1].mfa_enabled_at is not None or found[1].mfa_secret is None:
        return _start_again()
    _, account = found
    refused = await _refuse_if_barred(request, db, settings, account, "enrol")
    if refused is not None:
        return refused
    code = str((await request.form()).get("code") or "").strip()[:40]
    codes = await confirm_enrolment(db, account, code)
    if codes is None:
        context = _enrol_context(account, account.mfa_secret or "", "/login/mfa/enrol", CODE_FAILED)
        return Template(template_name="mfa/enrol.html", context=context)
    if not await consume_pending_login(db, request.cookies.get(pending_cookie_name(settings)) or ""):
        await db.rollback()
        return _start_again()
    _audit_login(db, account, account.username, "mfa.enrol", AuditOutcome.SUCCESS, client_ip(request))
    cookies = await _open_session(request, db, settings, account, "totp")
    return Template(template_name="mfa/recovery_codes.html", context={"codes": codes}, cookies=cookies)


@post("/logout", status_code=303)
async def logout(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]) -> Redirect:
    user = current_user(request)
    await revoke_session(db, str(request.auth))
    record_audit(
        db,
        user.id,
        user.audit_label,
        "logout",
        "user_account",
        user.id,
        AuditOutcome.SUCCESS,
        client_ip(request),
        user.agency_id,
    )
    await db.commit()
    return Redirect("/login", status_code=303, cookies=[session_cookie(settings, None)])


@get("/")
async def home(request: Request, db: NamedDependency[AsyncSession]) -> Redirect:
    """Each role lands where its work is (services/landing.py)."""
    return Redirect(await landing_path(db, current_user(request)), status_code=303)


ROUTES = [login_form, login, code_form, submit_code, first_enrolment_form, confirm_first_enrolment, logout, home]

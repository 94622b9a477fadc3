"""Sign in, sign out, and the landing redirect."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import AuditOutcome, Role, UserAccount, utcnow
from portal.layout import client_ip, current_user
from portal.sessions import cookie_name, revoke_session, session_cookie, start_session
from services.access import has_role, is_supervisor_role
from services.audit import record_audit
from services.passwords import hash_password, needs_rehash, verify_password
from services.training_requests import inbox_count
from settings import Settings

LOGIN_FAILED = "The username or password is incorrect, or the account is disabled."


@get("/login")
async def login_form(request: Request) -> Template:
    return Template(template_name="login.html", context={"username": "", "error": None})


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
    if account is None or not valid or not account.is_active:
        reason = "unknown user" if account is None else ("disabled" if valid else "wrong password")
        if account is not None:
            account.failed_logins += 1
            account.last_failed_login_at = utcnow()
        record_audit(
            db,
            account.id if account else None,
            username or "(blank)",
            "login",
            "user_account",
            account.id if account else None,
            AuditOutcome.FAILURE,
            source,
            account.agency_id if account else None,
            {"reason": reason},
        )
        await db.commit()
        return Template(
            template_name="login.html", context={"username": username, "error": LOGIN_FAILED}, status_code=401
        )
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.failed_logins = 0
    account.last_login_at = utcnow()
    old_token = request.cookies.get(cookie_name(settings))
    if old_token:
        await revoke_session(db, old_token)
    token = start_session(db, account.id, source)
    record_audit(
        db,
        account.id,
        username,
        "login",
        "user_account",
        account.id,
        AuditOutcome.SUCCESS,
        source,
        account.agency_id,
    )
    await db.commit()
    return Redirect("/", status_code=303, cookies=[session_cookie(settings, token)])


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
    user = current_user(request)
    if has_role(user, Role.COORDINATOR):
        return Redirect("/escalations", status_code=303)
    if is_supervisor_role(user) or await inbox_count(db, user.person_id) > 0:
        return Redirect("/inbox", status_code=303)
    return Redirect("/requests", status_code=303)


ROUTES = [login_form, login, logout, home]

"""The signed-in user's own security settings: change password, set up two-step sign-in."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, UserAccount
from portal.layout import client_ip, current_user, page
from portal.sessions import hash_token
from services.audit import record_audit
from services.mfa import confirm_enrolment, grouped, provisioning_uri, start_enrolment
from services.passwords import MAX_LENGTH, MIN_LENGTH, password_problem, verify_password
from services.sign_in import record_failed_sign_in, set_password


async def _account(request: Request, db: AsyncSession) -> UserAccount:
    account = await db.get(UserAccount, current_user(request).id)
    assert account is not None  # the session middleware only lets live accounts through
    return account


def _audit(request: Request, db: AsyncSession, action: str, outcome: AuditOutcome, detail: dict | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, "user_account", user.id, outcome, client_ip(request),
                 user.agency_id, detail)


async def _password_page(request: Request, db: AsyncSession, errors: dict[str, str]) -> Template:
    return await page(request, db, "account/password.html", errors=errors, values={},
                      min_length=MIN_LENGTH, max_length=MAX_LENGTH)


@get("/account/password")
async def password_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    return await _password_page(request, db, {})


@post("/account/password", status_code=200)
async def change_password(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    form = await request.form()
    current = str(form.get("current_password") or "")
    new = str(form.get("new_password") or "")
    confirm = str(form.get("confirm_password") or "")
    account = await _account(request, db)
    if not verify_password(account.password_hash, current):
        _audit(request, db, "password.change", AuditOutcome.FAILURE, {"reason": "wrong current password"})
        # A stolen session must not become a password-guessing oracle: these count towards lockout.
        await record_failed_sign_in(db, account)
        await db.commit()
        return await _password_page(request, db, {"current_password": "That is not your current password."})
    problem = password_problem(new, account.username)
    if problem is None and new != confirm:
        return await _password_page(request, db, {"confirm_password": "The two new passwords do not match."})
    if problem is not None:
        return await _password_page(request, db, {"new_password": problem})
    await set_password(db, account, new, keep_token_hash=hash_token(str(request.auth)))
    _audit(request, db, "password.change", AuditOutcome.SUCCESS, {"other_sessions": "revoked"})
    await db.commit()
    return Redirect("/account/password?notice=password_changed", status_code=303)


@get("/account/mfa")
async def mfa_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    account = await _account(request, db)
    if account.mfa_enabled_at is not None:
        return await page(request, db, "account/mfa.html", enabled_at=account.mfa_enabled_at)
    secret = start_enrolment(account)
    await db.commit()
    return await page(request, db, "account/mfa.html", enabled_at=None, secret=grouped(secret),
                      uri=provisioning_uri(secret, account.username), action="/account/mfa", error=None)


@post("/account/mfa", status_code=200)
async def confirm_mfa(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    account = await _account(request, db)
    if account.mfa_enabled_at is not None or account.mfa_secret is None:
        return Redirect("/account/mfa", status_code=303)
    code = str((await request.form()).get("code") or "").strip()[:40]
    codes = await confirm_enrolment(db, account, code)
    if codes is None:
        secret = account.mfa_secret
        return await page(request, db, "account/mfa.html", enabled_at=None, secret=grouped(secret),
                          uri=provisioning_uri(secret, account.username), action="/account/mfa",
                          error="That code is not right. Enter the current code from your app.")
    _audit(request, db, "mfa.enrol", AuditOutcome.SUCCESS)
    await db.commit()
    return await page(request, db, "mfa/recovery_codes.html", codes=codes)


ROUTES = [password_form, change_password, mfa_form, confirm_mfa]

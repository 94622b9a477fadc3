"""A person replaces their own MFA recovery codes: shown once, the old ones stop working.

The current code from the authenticator app is asked for first, as enrolment does: a session alone
(perhaps someone else's at an unlocked desk) must not be enough to mint codes that outlive it.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, UserAccount
from portal.layout import client_ip, current_user, page
from services.audit import record_audit
from services.mfa import renew_recovery_codes, unused_recovery_codes
from services.sign_in import record_failed_sign_in

WRONG_CODE = "That code is not right, or it has already been used. Enter the current code from your app."


def _audit(request: Request, db: AsyncSession, action: str, outcome: AuditOutcome, detail: dict | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, "user_account", user.id, outcome, client_ip(request),
                 user.agency_id, detail)


async def _enrolled_account(request: Request, db: AsyncSession) -> UserAccount | None:
    account = await db.get(UserAccount, current_user(request).id)
    return account if account is not None and account.mfa_enabled_at is not None else None


async def _form(request: Request, db: AsyncSession, account: UserAccount, error: str | None) -> Template:
    return await page(request, db, "account/recovery_codes.html", error=error,
                      unused=await unused_recovery_codes(db, account.id))


@get("/account/mfa/recovery-codes")
async def recovery_codes_form(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    account = await _enrolled_account(request, db)
    if account is None:
        return Redirect("/account/mfa", status_code=303)
    return await _form(request, db, account, None)


@post("/account/mfa/recovery-codes", status_code=200)
async def renew_codes(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    account = await _enrolled_account(request, db)
    if account is None:
        return Redirect("/account/mfa", status_code=303)
    code = str((await request.form()).get("code") or "").strip()[:40]
    codes = await renew_recovery_codes(db, account, code)
    if codes is None:
        _audit(request, db, "mfa.recovery_codes", AuditOutcome.FAILURE, {"reason": "wrong code"})
        # As with the password change: a stolen session must not become a code-guessing oracle.
        if await record_failed_sign_in(db, account):
            _audit(request, db, "account.lock", AuditOutcome.SUCCESS, {"reason": "too many failed sign-ins"})
        await db.commit()
        return await _form(request, db, account, WRONG_CODE)
    _audit(request, db, "mfa.recovery_codes", AuditOutcome.SUCCESS, {"codes": len(codes)})
    await db.commit()
    return await page(request, db, "account/new_recovery_codes.html", codes=codes)


ROUTES = [recovery_codes_form, renew_codes]

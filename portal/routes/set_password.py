"""A new account's first password, chosen through the single-use link Muster mailed (valid 72 hours).

The link is the credential: only its SHA-256 is stored, it works once, and it stops working when a newer link
is sent or the account is disabled. The person's username is shown so they know what to sign in with.
"""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, UserAccount
from portal.layout import client_ip
from services.audit import record_audit
from services.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from services.person_accounts import SET_PASSWORD_TTL
from services.sign_in import consume_reset_token, set_password, valid_reset_token

LINK_HOURS = int(SET_PASSWORD_TTL.total_seconds() // 3600)


async def _account(db: AsyncSession, token: str) -> UserAccount | None:
    """The active account the link is for, while the link is valid."""
    link = await valid_reset_token(db, token)
    account = await db.get(UserAccount, link.user_id) if link else None
    return account if account is not None and account.is_active else None


def _form(token: str, username: str, errors: dict[str, str], status_code: int = 200) -> Template:
    return Template(template_name="password/set.html",
                    context={"valid": True, "token": token, "username": username, "errors": errors, "values": {},
                             "min_length": MIN_LENGTH, "max_length": MAX_LENGTH}, status_code=status_code)


def _invalid_link() -> Template:
    return Template(template_name="password/set.html", context={"valid": False, "link_hours": LINK_HOURS},
                    status_code=400)


@get("/login/set-password/{token:str}")
async def set_password_form(token: FromPath[str], db: NamedDependency[AsyncSession]) -> Template:
    account = await _account(db, token[:100])
    return _form(token, account.username, {}) if account else _invalid_link()


@post("/login/set-password/{token:str}", status_code=200)
async def choose_password(token: FromPath[str], request: Request, db: NamedDependency[AsyncSession]
                          ) -> Template | Redirect:
    token = token[:100]
    account = await _account(db, token)
    if account is None:
        return _invalid_link()
    form = await request.form()
    new, confirm = str(form.get("new_password") or ""), str(form.get("confirm_password") or "")
    problem = password_problem(new, account.username)
    if problem is not None:
        return _form(token, account.username, {"new_password": problem}, status_code=400)
    if new != confirm:
        return _form(token, account.username, {"confirm_password": "The two passwords do not match."},
                     status_code=400)
    if await consume_reset_token(db, token) != account.id:
        await db.rollback()
        return _invalid_link()
    await set_password(db, account, new)
    record_audit(db, account.id, account.username, "password.set", "user_account", account.id,
                 AuditOutcome.SUCCESS, client_ip(request), account.agency_id, {"first_password": True})
    await db.commit()
    return Redirect("/login?notice=password_reset", status_code=303)


ROUTES = [set_password_form, choose_password]

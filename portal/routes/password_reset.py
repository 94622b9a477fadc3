"""Forgotten password: a one-time link by email, valid 30 minutes.

The answer to "send me a link" is the same whether or not the account exists, and the mail is
sent after the response (a background task), so neither the page nor its timing tells an
attacker which usernames exist. Using the link signs the account out everywhere.
"""

from __future__ import annotations

import logging
import secrets

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from activities.mail import send_email
from models import AuditOutcome, UserAccount
from portal.layout import client_ip
from services.audit import record_audit
from services.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from services.sign_in import RESET_TTL, consume_reset_token, issue_reset_token, set_password, valid_reset_token
from settings import Settings

log = logging.getLogger(__name__)

SENT = "If an account with that username exists, a link to reset its password has been sent to its email address."


@get("/login/forgot")
async def forgot_form() -> Template:
    return Template(template_name="password/forgot.html", context={"sent": None})


async def _send_reset_mail(settings: Settings, to: str, token: str) -> None:
    minutes = int(RESET_TTL.total_seconds() // 60)
    body = (
        "Someone (probably you) asked to reset your Muster password.\n\n"
        f"Open this link within {minutes} minutes to choose a new password:\n\n"
        f"{settings.public_url}/login/reset/{token}\n\n"
        "The link works once. If you did not ask for it, ignore this message: your password stays as it is."
    )
    try:
        await send_email(settings, to=to, subject="Reset your Muster password", body=body,
                         message_id=f"<password-reset.{secrets.token_hex(16)}@muster>")
    except Exception:  # SMTP down or refusing: the person sees the same answer; operators see the log.
        log.exception("password reset mail could not be sent")


@post("/login/forgot", status_code=200)
async def request_reset(request: Request, db: NamedDependency[AsyncSession],
                        settings: NamedDependency[Settings]) -> Template:
    username = str((await request.form()).get("username") or "").strip()[:100]
    source = client_ip(request)
    account = await db.scalar(
        select(UserAccount).where(UserAccount.username == username).options(selectinload(UserAccount.person))
    )
    email = account.person.email if account and account.is_active and account.person else None
    task = None
    if account is not None and email:
        token = await issue_reset_token(db, account.id, source)
        task = BackgroundTask(_send_reset_mail, settings, email, token)
    record_audit(db, account.id if account else None, username or "(blank)", "password.reset_request",
                 "user_account", account.id if account else None,
                 AuditOutcome.SUCCESS if task else AuditOutcome.FAILURE, source,
                 account.agency_id if account else None,
                 None if task else {"reason": "no active account with an email address"})
    await db.commit()
    return Template(template_name="password/forgot.html", context={"sent": SENT}, background=task)


def _reset_page(token: str, errors: dict[str, str], status_code: int = 200) -> Template:
    return Template(template_name="password/reset.html",
                    context={"token": token, "errors": errors, "values": {}, "valid": True,
                             "min_length": MIN_LENGTH, "max_length": MAX_LENGTH},
                    status_code=status_code)


def _invalid_link() -> Template:
    return Template(template_name="password/reset.html", context={"valid": False}, status_code=400)


@get("/login/reset/{token:str}")
async def reset_form(token: FromPath[str], db: NamedDependency[AsyncSession]) -> Template:
    if await valid_reset_token(db, token[:100]) is None:
        return _invalid_link()
    return _reset_page(token, {})


@post("/login/reset/{token:str}", status_code=200)
async def reset_password(
    token: FromPath[str], request: Request, db: NamedDependency[AsyncSession]
) -> Template | Redirect:
    token = token[:100]
    reset = await valid_reset_token(db, token)
    account = await db.get(UserAccount, reset.user_id) if reset else None
    if reset is None or account is None or not account.is_active:
        return _invalid_link()
    form = await request.form()
    new, confirm = str(form.get("new_password") or ""), str(form.get("confirm_password") or "")
    problem = password_problem(new, account.username)
    if problem is not None:
        return _reset_page(token, {"new_password": problem})
    if new != confirm:
        return _reset_page(token, {"confirm_password": "The two passwords do not match."})
    if await consume_reset_token(db, token) != account.id:
        await db.rollback()
        return _invalid_link()
    await set_password(db, account, new)
    record_audit(db, account.id, account.username, "password.reset", "user_account", account.id,
                 AuditOutcome.SUCCESS, client_ip(request), account.agency_id, {"sessions": "revoked"})
    await db.commit()
    return Redirect("/login?notice=password_reset", status_code=303)


ROUTES = [forgot_form, request_reset, reset_form, reset_password]

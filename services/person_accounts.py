"""Accounts for the people on the roster: create (with an emailed set-password link), disable, re-enable, roles.

A new account has no usable password: its hash is of a random secret nobody keeps, under a fixed salt that
marks it as awaiting a password (so signing in still takes argon2's full time and tells nothing). The person
chooses a password through a single-use link mailed to them, valid 72 hours; only its SHA-256 is stored.
A disabled account cannot sign in; disabling ends every session, pending sign-in and unused link.
Every change is audited with before and after. Nothing here commits: the caller does.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from activities.mail import send_email
from models import (
    AuditOutcome,
    EmploymentStatus,
    PasswordResetToken,
    PendingLogin,
    Person,
    Role,
    UserAccount,
    UserRole,
    WebSession,
    utcnow,
)
from services.access import CurrentUser
from services.audit import record_audit
from services.sign_in import is_locked, token_digest
from settings import Settings

log = logging.getLogger(__name__)

SET_PASSWORD_TTL = timedelta(hours=72)
# Roles in the order people read them, with the words shown for each.
ROLE_WORDS = {Role.OFFICER: "Officer", Role.SERGEANT: "Sergeant", Role.LIEUTENANT: "Lieutenant",
              Role.COORDINATOR: "Coordinator", Role.COMMAND: "Command staff", Role.ADMIN: "Administrator"}
_UNSET_SALT = b"muster-no-password-yet"
_UNSET_MARK = "$" + base64.b64encode(_UNSET_SALT).decode().rstrip("=") + "$"
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,49}")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AccountState(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    LOCKED = "locked"
    AWAITING_PASSWORD = "awaiting password"  # noqa: S105 (a state's name, not a password)


def role_words(roles: frozenset[str] | set[str]) -> list[str]:
    """The account's roles in words, in the usual order."""
    return [words for role, words in ROLE_WORDS.items() if role in roles]


def unusable_password_hash() -> str:
    """A hash no password matches (of a secret nobody keeps), marked as awaiting a password."""
    return PasswordHasher().hash(secrets.token_urlsafe(32), salt=_UNSET_SALT)


def awaits_password(account: UserAccount) -> bool:
    return _UNSET_MARK in account.password_hash


def account_state(account: UserAccount, settings: Settings) -> AccountState:
    if not account.is_active:
        return AccountState.DISABLED
    if awaits_password(account):
        return AccountState.AWAITING_PASSWORD
    return AccountState.LOCKED if is_locked(account, settings) else AccountState.ACTIVE


def account_snapshot(account: UserAccount) -> dict[str, Any]:
    """What an audit row records of an account: never its password or secrets."""
    return {"username": account.username, "person_id": account.person_id, "active": account.is_active,
            "roles": sorted(r.role for r in account.roles)}


# Creating ------------------------------------------------------------------------------------------


@dataclass
class NewAccount:
    """The create form as typed, so a refused form is shown again unchanged."""

    person_id: str = ""
    username: str = ""
    email: str = ""
    roles: tuple[str, ...] = ()


def _without_account(agency_id: int):  # type: ignore[no-untyped-def]
    has_account = select(UserAccount.person_id).where(UserAccount.person_id.is_not(None))
    return select(Person).where(Person.agency_id == agency_id, Person.id.not_in(has_account),
                                Person.employment_status != EmploymentStatus.SEPARATED)


async def people_without_accounts(db: AsyncSession, agency_id: int) -> list[Person]:
    """The agency's people still employed who have no account, by name."""
    return list(await db.scalars(_without_account(agency_id).order_by(Person.last_name, Person.first_name, Person.id)))


async def person_without_account(db: AsyncSession, agency_id: int, raw_id: str) -> Person | None:
    """The agency's employed person with this id who has no account yet (one row, whatever the roster's size)."""
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        return None
    return await db.scalar(_without_account(agency_id).where(Person.id == int(raw_id)))


async def suggest_username(db: AsyncSession, person: Person) -> str:
    """First initial and last name in plain lower-case letters, numbered when taken (jsmith, jsmith2)."""
    def plain(text: str) -> str:
        return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())
    base = (plain(person.first_name)[:1] + plain(person.last_name))[:40] or "user"
    base = base if len(base) >= 3 else f"{base}{person.id}"
    taken = set(await db.scalars(select(UserAccount.username).where(UserAccount.username.startswith(base))))
    number = 1
    while (candidate := base if number == 1 else f"{base}{number}") in taken:
        number += 1
    return candidate


async def form_problems(db: AsyncSession, agency_id: int, form: NewAccount) -> tuple[Person | None, dict[str, str]]:
    """The person the form names (when eligible) and a message per field that is wrong.

    A blank username or email is filled in (suggested name, the address on the roster), so the form works
    without the page's script too.
    """
    errors: dict[str, str] = {}
    person = await person_without_account(db, agency_id, form.person_id)
    if person is None:
        errors["person_id"] = "Choose a person on the roster who has no account yet."
    else:
        form.username = form.username or await suggest_username(db, person)
        form.email = form.email or person.email
    if not USERNAME_PATTERN.fullmatch(form.username):
        errors["username"] = ("Use 3 to 50 lower-case letters, digits, dots, dashes or underscores, "
                              "starting with a letter or digit.")
    elif await db.scalar(select(UserAccount.id).where(UserAccount.username == form.username)) is not None:
        errors["username"] = "That username is taken. Choose another."
    if len(form.email) > 254 or not EMAIL_PATTERN.fullmatch(form.email):
        errors["email"] = "Enter the person's email address: the link to set a password is sent there."
    if not form.roles or any(role not in ROLE_WORDS for role in form.roles):
        errors["roles"] = "Choose at least one role."
    return person, errors


async def create_account(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person,
                         form: NewAccount) -> tuple[UserAccount, str]:
    """The new account (no usable password) and its set-password token; audited, the caller commits and mails.

    The caller has checked the form (form_problems) and the actor's right to grant its roles.
    """
    email_before = person.email
    person.email = form.email
    account = UserAccount(agency_id=person.agency_id, person_id=person.id, username=form.username,
                          password_hash=unusable_password_hash(), is_active=True,
                          roles=[UserRole(role=role) for role in sorted(set(form.roles))])
    db.add(account)
    await db.flush()
    token = await issue_set_password_link(db, account.id, source)
    record_audit(db, actor.id, actor.audit_label, "account.create", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, actor.agency_id,
                 {"before": None, "after": account_snapshot(account),
                  "email": {"before": email_before, "after": person.email}})
    return account, token


# Set-password links --------------------------------------------------------------------------------


async def issue_set_password_link(db: AsyncSession, user_id: int, source: str | None) -> str:
    """A new single-use token valid SET_PASSWORD_TTL; earlier unused links of the account stop working."""
    now = utcnow()
    await db.execute(update(PasswordResetToken)
                     .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
                     .values(used_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    db.add(PasswordResetToken(token_hash=token_digest(token), user_id=user_id, expires_at=now + SET_PASSWORD_TTL,
                              source_ip=source))
    return token


async def resend_set_password_link(db: AsyncSession, actor: CurrentUser, source: str | None,
                                   account: UserAccount) -> str:
    """A fresh link for an account still awaiting its password (the old one stops working), audited."""
    token = await issue_set_password_link(db, account.id, source)
    record_audit(db, actor.id, actor.audit_label, "account.set_password_link", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, actor.agency_id, {"username": account.username, "resent": True})
    return token


async def send_set_password_mail(settings: Settings, to: str, username: str, token: str) -> None:
    """Mail the link (after the response); a failure is logged and the administrator can send it again."""
    hours = int(SET_PASSWORD_TTL.total_seconds() // 3600)
    body = (
        "A Muster account has been made for you.\n\n"
        f"Your username: {username}\n\n"
        f"Open this link within {hours} hours to set your password:\n\n"
        f"{settings.public_url}/login/set-password/{token}\n\n"
        "The link works once. If it has expired, ask your training coordinator or administrator to send a new one."
    )
    try:
        await send_email(settings, to=to, subject="Set your Muster password", body=body,
                         message_id=f"<set-password.{secrets.token_hex(16)}@muster>")
    except Exception:  # SMTP down or refusing: the page already said "sent"; operators see the log.
        log.exception("set-password mail could not be sent")


# Disabling, re-enabling, roles -------------------------------------------------------------------


async def end_every_way_in(db: AsyncSession, user_id: int) -> int:
    """Revoke the account's sessions, pending sign-ins and unused password links; returns sessions revoked."""
    now = utcnow()
    open_sessions = await db.scalar(select(func.count()).select_from(WebSession).where(
        WebSession.user_id == user_id, WebSession.revoked_at.is_(None)))
    await db.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
                     .values(revoked_at=now).execution_options(synchronize_session=False))
    await db.execute(delete(PendingLogin).where(PendingLogin.user_id == user_id))
    await db.execute(update(PasswordResetToken)
                     .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
                     .values(used_at=now).execution_options(synchronize_session=False))
    return open_sessions or 0


async def other_active_admins(db: AsyncSession, agency_id: int, user_id: int) -> int:
    """How many active administrators the agency has besides this account."""
    count = await db.scalar(
        select(func.count()).select_from(UserAccount).join(UserRole, UserRole.user_id == UserAccount.id)
        .where(UserAccount.agency_id == agency_id, UserAccount.is_active.is_(True), UserAccount.id != user_id,
               UserRole.role == Role.ADMIN)
    )
    return count or 0


async def keeps_an_administrator(db: AsyncSession, account: UserAccount, losing_admin: bool) -> str | None:
    """None unless the change would leave the agency without an active administrator (then the reason)."""
    if not losing_admin or Role.ADMIN not in account.role_names or not account.is_active:
        return None
    if await other_active_admins(db, account.agency_id, account.id) > 0:
        return None
    return "The agency must keep at least one active administrator. Give another account the role first."


async def disable_account(db: AsyncSession, actor: CurrentUser, source: str | None, account: UserAccount,
                          reason: str) -> None:
    """Mark the account inactive and end every way in, audited with before and after (the caller commits).

    The caller has checked the actor may (services/access.can_disable_account); separation calls this too.
    """
    before = account_snapshot(account)
    account.is_active = False
    ended = await end_every_way_in(db, account.id)
    record_audit(db, actor.id, actor.audit_label, "account.disable", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, actor.agency_id,
                 {"reason": reason, "sessions_ended": ended, "before": before, "after": account_snapshot(account)})


async def enable_account(db: AsyncSession, actor: CurrentUser, source: str | None, account: UserAccount) -> None:
    """Let the account sign in again (its password is unchanged), audited; the caller commits."""
    before = account_snapshot(account)
    account.is_active = True
    record_audit(db, actor.id, actor.audit_label, "account.enable", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, actor.agency_id, {"before": before, "after": account_snapshot(account)})


async def change_roles(db: AsyncSession, actor: CurrentUser, source: str | None, account: UserAccount,
                       roles: frozenset[str]) -> None:
    """Replace the account's roles, audited with both sets (the caller checked can_change_roles and
    keeps_an_administrator). Sessions read roles on every request, so the change applies at once."""
    before = account_snapshot(account)
    # Keep the rows of roles that stay, so no row is deleted and inserted again under the same key.
    kept = [row for row in account.roles if row.role in roles]
    account.roles = kept + [UserRole(role=role) for role in sorted(roles - {row.role for row in kept})]
    await db.flush()
    record_audit(db, actor.id, actor.audit_label, "account.roles", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, actor.agency_id, {"before": before, "after": account_snapshot(account)})

"""Administrators' work on the accounts of their own agency: the list, reset two-step sign-in, end all sessions.

Accounts are looked up only within the administrator's agency, so another agency's account id is
answered as not found. Every action and every refusal is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import AuditOutcome, UserAccount
from services.access import CurrentUser
from services.account_sessions import end_all_sessions, live_session_counts
from services.audit import record_audit
from services.mfa import reset_mfa
from services.person_accounts import AccountState, account_state, awaits_password, role_words
from settings import Settings


class TwoStepState(StrEnum):
    ON = "on"
    RESET = "reset"  # an administrator reset it; the person enrols a new device at next sign-in
    OFF = "off"


def two_step_state(account: UserAccount) -> TwoStepState:
    if account.mfa_enabled_at is not None:
        return TwoStepState.ON
    return TwoStepState.RESET if account.mfa_reset_at is not None else TwoStepState.OFF


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    name: str
    roles: list[str]  # in words ("Coordinator")
    two_step: TwoStepState
    live_sessions: int
    state: AccountState
    last_sign_in: datetime | None  # in the agency's zone


def account_name(account: UserAccount) -> str:
    return account.person.display_name if account.person else account.username


async def agency_accounts(db: AsyncSession, agency_id: int, settings: Settings, zone: ZoneInfo) -> list[AccountRow]:
    accounts = list(await db.scalars(
        select(UserAccount).where(UserAccount.agency_id == agency_id)
        .options(selectinload(UserAccount.person)).order_by(UserAccount.username)
    ))
    counts = await live_session_counts(db, [account.id for account in accounts], settings)
    return [
        AccountRow(account.id, account.username, account_name(account), role_words(account.role_names),
                   two_step_state(account), counts.get(account.id, 0), account_state(account, settings),
                   account.last_login_at.astimezone(zone) if account.last_login_at else None)
        for account in accounts
    ]


async def accounts_awaiting_password(db: AsyncSession, agency_id: int) -> list[UserAccount]:
    """The agency's active accounts whose person has not yet set a password, by username."""
    accounts = await db.scalars(
        select(UserAccount).where(UserAccount.agency_id == agency_id, UserAccount.is_active.is_(True))
        .options(selectinload(UserAccount.person)).order_by(UserAccount.username)
    )
    return [account for account in accounts if awaits_password(account)]


async def agency_account(db: AsyncSession, agency_id: int, user_id: int) -> UserAccount | None:
    """The account, if it belongs to this agency."""
    return await db.scalar(
        select(UserAccount).where(UserAccount.id == user_id, UserAccount.agency_id == agency_id)
        .options(selectinload(UserAccount.person))
    )


def audit_refusal(db: AsyncSession, admin: CurrentUser, source: str | None, action: str, user_id: int | None,
                  reason: str) -> None:
    """A refused look or action on the accounts pages (the caller commits)."""
    record_audit(db, admin.id, admin.audit_label, action, "user_account", user_id, AuditOutcome.DENIED, source,
                 admin.agency_id, {"reason": reason})


async def reset_two_step_sign_in(db: AsyncSession, admin: CurrentUser, source: str | None, account: UserAccount,
                                 settings: Settings) -> None:
    """Reset the account's two-step sign-in and end its sessions, audited, committed.

    The caller has checked can_reset_two_step_sign_in and that the account is in the admin's agency.
    """
    was = two_step_state(account)
    await reset_mfa(db, account)
    ended = await end_all_sessions(db, account.id, settings)
    record_audit(db, admin.id, admin.audit_label, "mfa.reset", "user_account", account.id, AuditOutcome.SUCCESS,
                 source, admin.agency_id, {"username": account.username, "was": str(was), "sessions_ended": ended})
    await db.commit()


async def end_all_sessions_of(db: AsyncSession, admin: CurrentUser, source: str | None, account: UserAccount,
                              settings: Settings) -> int:
    """End every session of the account, audited, committed; returns how many were live."""
    ended = await end_all_sessions(db, account.id, settings)
    record_audit(db, admin.id, admin.audit_label, "session.end_all", "user_account", account.id,
                 AuditOutcome.SUCCESS, source, admin.agency_id, {"username": account.username, "sessions_ended": ended})
    await db.commit()
    return ended

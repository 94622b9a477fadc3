"""A person's live sign-in sessions: listed by device and address, ended one at a time or all at once.

A session is named by its surrogate id; its token hash never leaves this module. A session is live
until it is revoked or passes the idle or absolute timeout (the middleware revokes those lazily,
so they are filtered here too). Times come back in the agency's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, PendingLogin, WebSession, utcnow
from services.access import CurrentUser
from services.audit import record_audit
from services.device_names import device_name
from services.sign_in import revoke_user_sessions
from settings import Settings


@dataclass(frozen=True)
class SessionView:
    """One live session as its owner (or an administrator) sees it."""

    id: int
    device: str
    address: str
    signed_in: datetime
    last_seen: datetime
    is_current: bool


@dataclass(frozen=True)
class EndedSession:
    id: int
    was_current: bool


def _live(settings: Settings) -> Select[WebSession]:
    now = utcnow()
    return select(WebSession).where(
        WebSession.revoked_at.is_(None),
        WebSession.last_seen_at > now - timedelta(minutes=settings.session_idle_minutes),
        WebSession.created_at > now - timedelta(hours=settings.session_absolute_hours),
    )


async def live_sessions(db: AsyncSession, user_id: int, settings: Settings, zone: ZoneInfo,
                        current_token_hash: str | None = None) -> list[SessionView]:
    """The account's live sessions, most recently used first; `current_token_hash` marks the caller's own."""
    rows = await db.scalars(
        _live(settings).where(WebSession.user_id == user_id).order_by(WebSession.last_seen_at.desc(),
                                                                      WebSession.id.desc())
    )
    return [
        SessionView(
            id=row.id,
            device=device_name(row.user_agent),
            address=row.source_ip or "Unknown address",
            signed_in=row.created_at.astimezone(zone),
            last_seen=row.last_seen_at.astimezone(zone),
            is_current=row.token_hash == current_token_hash,
        )
        for row in rows
    ]


async def live_session_counts(db: AsyncSession, user_ids: list[int], settings: Settings) -> dict[int, int]:
    counted = _live(settings).where(WebSession.user_id.in_(user_ids)).subquery()
    rows = await db.execute(select(counted.c.user_id, func.count()).group_by(counted.c.user_id))
    return {user_id: count for user_id, count in rows}


async def end_own_session(db: AsyncSession, user: CurrentUser, source: str | None, session_id: int,
                          current_token_hash: str) -> EndedSession | None:
    """End one of the user's own sessions (audited). None, audited as refused, when it is not theirs."""
    row = await db.scalar(select(WebSession).where(WebSession.id == session_id))
    if row is None or row.user_id != user.id:
        # Someone else's session, or none: the same answer, so ids reveal nothing.
        record_audit(db, user.id, user.audit_label, "session.end", "web_session", session_id, AuditOutcome.DENIED,
                     source, user.agency_id)
        await db.commit()
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    was_current = row.token_hash == current_token_hash
    record_audit(db, user.id, user.audit_label, "session.end", "web_session", row.id, AuditOutcome.SUCCESS, source,
                 user.agency_id, {"device": device_name(row.user_agent), "address": row.source_ip,
                                  "this_session": was_current})
    await db.commit()
    return EndedSession(row.id, was_current)


async def end_all_sessions(db: AsyncSession, user_id: int, settings: Settings) -> int:
    """End every session of the account, and any sign-in waiting for its second factor.

    Returns how many live sessions were ended; the caller audits and commits.
    """
    live = await db.scalar(select(func.count()).select_from(_live(settings).where(WebSession.user_id == user_id)
                                                            .subquery()))
    await revoke_user_sessions(db, user_id)
    await db.execute(delete(PendingLogin).where(PendingLogin.user_id == user_id))
    return live or 0

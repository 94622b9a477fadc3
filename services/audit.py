"""The one way to write, check and search the audit trail.

Never pass credentials, tokens or session ids in `detail`. Rows are hash-chained when they are
flushed (see models/audit.py); `verify_audit_chain` recomputes the chain.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, AuditOutcome, Person, UserAccount
from models.audit import GENESIS_HASH, audit_row_hash

_VERIFY_BATCH = 1000
UNKNOWN_ACCOUNT_ACTION = "login"
CSV_COLUMNS = ["id", "occurred_at", "actor", "actor_user_id", "action", "object_type", "object_id", "outcome",
               "source", "detail", "row_hash"]


def record_audit(
    session: AsyncSession,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str | None,
    object_id: str | int | None,
    outcome: AuditOutcome | str,
    source: str | None,
    agency_id: int | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (the caller commits)."""
    event = AuditEvent(
        actor_user_id=actor_user_id,
        actor_label=actor_label[:200],
        action=action[:60],
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:60],
        outcome=str(outcome),
        source=source,
        agency_id=agency_id,
        detail=detail or {},
    )
    session.add(event)
    return event


async def record_workflow_audit(
    session: AsyncSession,
    actor_person_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    source: str | None,
    agency_id: int,
    detail: dict[str, Any],
) -> AuditEvent:
    """An audit row written by a workflow's activity: the actor is a person (or the workflow itself)."""
    actor_user_id, actor_label = None, "Muster workflow"
    if actor_person_id is not None:
        actor = await session.get_one(Person, actor_person_id)
        actor_label = actor.display_name
        actor_user_id = await session.scalar(select(UserAccount.id).where(UserAccount.person_id == actor_person_id))
    return record_audit(session, actor_user_id, actor_label, action, object_type, object_id, AuditOutcome.SUCCESS,
                        source or "workflow", agency_id, detail)


async def verify_audit_chain(session: AsyncSession) -> int | None:
    """The id of the first row whose hash does not follow from its predecessor, or None if intact.

    Rows from before the chain existed (row_hash NULL, all before the first chained row) are skipped.
    """
    previous = GENESIS_HASH
    chained = False
    after_id = 0
    while True:
        rows = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id).limit(_VERIFY_BATCH)
            )
        )
        if not rows:
            return None
        for row in rows:
            if row.row_hash is None and not chained:
                continue
            chained = True
            if row.row_hash is None or audit_row_hash(previous, row) != row.row_hash:
                return row.id
            previous = row.row_hash
        after_id = rows[-1].id
        session.expunge_all()


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the /audit page. Every query is limited to one agency."""

    agency_id: int
    # Failed sign-ins under usernames no account has belong to no agency; administrators see them.
    with_unknown_accounts: bool = False
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None
    # The days above are the agency's calendar days, as its people read them on the page.
    zone: tzinfo = UTC

    def as_detail(self) -> dict[str, str]:
        """The filters for the audit row that records the search itself."""
        fields = {
            "actor": self.actor, "action": self.action, "object_type": self.object_type,
            "object_id": self.object_id, "outcome": self.outcome,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {key: value for key, value in fields.items() if value}


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def audit_search(query: AuditQuery) -> Select[AuditEvent]:
    """Newest first. Each filter matches an indexed column (agency+id, actor, action, object, time)."""
    unknown_account = and_(AuditEvent.agency_id.is_(None), AuditEvent.actor_user_id.is_(None),
                           AuditEvent.action == UNKNOWN_ACCOUNT_ACTION)
    mine = AuditEvent.agency_id == query.agency_id
    stmt = select(AuditEvent).where(or_(mine, unknown_account) if query.with_unknown_accounts else mine)
    if query.actor:
        actor_ids = select(UserAccount.id).where(
            UserAccount.agency_id == query.agency_id, func.lower(UserAccount.username) == query.actor.lower()
        )
        by_actor: ColumnElement[bool] = AuditEvent.actor_user_id.in_(actor_ids)
        if query.with_unknown_accounts:  # the username that was tried is the row's label
            by_actor = or_(by_actor, and_(unknown_account, func.lower(AuditEvent.actor_label) == query.actor.lower()))
        stmt = stmt.where(by_actor)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.object_type:
        stmt = stmt.where(AuditEvent.object_type == query.object_type)
    if query.object_id:
        stmt = stmt.where(AuditEvent.object_id == query.object_id)
    if query.outcome:
        stmt = stmt.where(AuditEvent.outcome == query.outcome)
    if query.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= _day_start(query.date_from, query.zone))
    if query.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < _day_start(query.date_to + timedelta(days=1), query.zone))
    return stmt.order_by(AuditEvent.id.desc())


async def audit_page(session: AsyncSession, query: AuditQuery, *, before_id: int | None, size: int
                     ) -> tuple[list[AuditEvent], int | None]:
    """One page (keyset pagination on id) and the `before` id of the next page, if any."""
    stmt = audit_search(query)
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    rows = list(await session.scalars(stmt.limit(size + 1)))
    next_before = rows[size - 1].id if len(rows) > size else None
    return rows[:size], next_before


_FORMULA_STARTS = ("=", "+", "-", "@")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection).

    Spreadsheets skip blanks and line breaks before a formula, so a cell is quoted when its first
    other character starts one; a cell starting with a tab or line break is quoted whatever follows.
    """
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r", "\n") or text.lstrip().startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(value) for value in values])
    return buffer.getvalue()


async def audit_csv(factory: async_sessionmaker[AsyncSession], query: AuditQuery, batch: int = 500
                    ) -> AsyncIterator[str]:
    """The matching rows as CSV lines, read in batches in a session of their own (for streaming)."""
    yield _csv_line(CSV_COLUMNS)
    before_id: int | None = None
    while True:
        async with factory() as session:
            rows, before_id = await audit_page(session, query, before_id=before_id, size=batch)
        for row in rows:
            yield _csv_line([
                row.id, row.occurred_at.isoformat(), row.actor_label, row.actor_user_id, row.action, row.object_type,
                row.object_id, row.outcome, row.source, row.detail, row.row_hash,
            ])
        if before_id is None:
            return

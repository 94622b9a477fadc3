"""Append-only, hash-chained audit trail.

The migration installs triggers that refuse UPDATE and DELETE. On top of that every row stores
`row_hash = sha256(previous row's row_hash + this row's canonical fields)`, so a row changed or
removed behind the application's back (by someone who can drop the triggers) breaks the chain;
`services.audit.verify_audit_chain` finds the first broken row.

The hash is filled in by a `before_flush` hook, not by `record_audit`, so that every writer of
audit rows (the portal, activities) is chained the same way without knowing about it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from models.base import Base, utcnow

# Key of the PostgreSQL transaction-level advisory lock that serialises chain appends.
AUDIT_CHAIN_LOCK_KEY = 0x4D55535445524155  # "MUSTERAU"
GENESIS_HASH = ""


class AuditOutcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_time", "occurred_at"),
        Index("ix_audit_event_object", "object_type", "object_id"),
        Index("ix_audit_event_actor", "actor_user_id", "occurred_at"),
        # The /audit page: an agency's rows newest first, optionally narrowed by action.
        Index("ix_audit_event_agency_id", "agency_id", "id"),
        Index("ix_audit_event_action", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(12))
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # NULL only on rows written before the chain existed (migration 0003).
    row_hash: Mapped[str | None] = mapped_column(String(64))


def audit_row_hash(previous_hash: str, event: AuditEvent) -> str:
    """sha256 over the previous hash and the row's fields, in a form that survives a DB round trip."""
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        occurred,
        event.agency_id,
        event.actor_user_id,
        event.actor_label,
        event.action,
        event.object_type,
        None if event.object_id is None else str(event.object_id),
        str(event.outcome),
        event.source,
        event.detail or {},
    ]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def _lock_chain(connection: Connection) -> None:
    """Hold the chain until this transaction ends, so no other writer appends between read and insert."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK_KEY})
    elif connection.dialect.name == "sqlite":
        # SQLite has one writer at a time, but the driver only opens the write transaction at the
        # first write. A no-op UPDATE takes the write lock now, before the last hash is read.
        connection.execute(update(AuditEvent).where(AuditEvent.id == -1).values(action=AuditEvent.action))


@event.listens_for(Session, "before_flush")
def _chain_new_audit_events(session: Session, _context: UOWTransaction, _instances: object) -> None:
    pending = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.row_hash is None]
    if not pending:
        return
    # Rows of one mapper are inserted in the order they were added: hash them in that order.
    pending.sort(key=lambda obj: inspect(obj).insert_order or 0)
    connection = session.connection()
    _lock_chain(connection)
    previous = connection.execute(
        select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    previous = previous or GENESIS_HASH
    for obj in pending:
        if obj.occurred_at is None:
            obj.occurred_at = utcnow()
        if obj.detail is None:
            obj.detail = {}
        obj.row_hash = audit_row_hash(previous, obj)
        previous = obj.row_hash

"""Transactional outbox: a workflow start (or an Update that must not be lost) written in the same
transaction as the data it is about.

The relay (services/workflow_starts.py) starts the workflow with a deterministic id and sends
Updates with a deterministic Update id, so a delivery retried after a crash or while Temporal was
unreachable still happens exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_pending", "dispatched_at", "next_attempt_at"),
        UniqueConstraint("workflow_id", "update_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    workflow_id: Mapped[str] = mapped_column(String(200))
    # "" for a workflow start; the Update's own id for an Update.
    update_id: Mapped[str] = mapped_column(String(200), default="", server_default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

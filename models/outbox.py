"""Transactional outbox: a workflow start written in the same transaction as the data it is about.

The relay (outbox.py) starts the workflow with a deterministic id, so a start that is retried
after a crash or while Temporal was unreachable still happens exactly once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "dispatched_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    workflow_id: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

"""In-app notifications, each optionally delivered by email exactly once per key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class EmailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    NOT_REQUESTED = "not_requested"
    DIGEST = "digest"  # waits for the person's weekly digest mail
    IN_DIGEST = "in_digest"  # was sent as part of a digest


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_read", "person_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Business key (workflow id + event + recipient): a retried activity writes one row, and
    # the email's Message-ID is derived from it.
    key: Mapped[str] = mapped_column(String(250), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # False when the person turned in-app notifications off: kept for the record, not listed.
    in_app: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    email_to: Mapped[str | None] = mapped_column(String(254))
    email_state: Mapped[str] = mapped_column(String(16), default=EmailState.PENDING)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_sent_at: Mapped[datetime | None]

    @property
    def email_pending(self) -> bool:
        return self.email_state == EmailState.PENDING

"""How each person wants to be told, and their private calendar feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

DEFAULT_REMINDER_OFFSETS = [180, 90, 60, 30, 10]
# The last reminders before a deadline cannot be switched off.
MANDATORY_REMINDER_OFFSETS = (30, 10)


class NotificationPreference(Base):
    """One row per person who changed a default; no row means every default applies."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    in_app: Mapped[bool] = mapped_column(Boolean, default=True)
    # Email once a week (a digest) instead of at once.
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # Command staff get a monthly agency summary by email unless they switch it off.
    monthly_summary: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    reminder_offsets: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(DEFAULT_REMINDER_OFFSETS))
    # SHA-256 of the secret in the person's iCal feed URL; shown once when made, never stored plainly.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

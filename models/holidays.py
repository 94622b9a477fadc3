"""An agency's changes to its default holiday calendar (US federal holidays): closure days it adds and
default holidays it works on. Deadlines counted in business days skip the resulting holidays."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class HolidayChange(StrEnum):
    ADDED = "added"  # a closure day of the agency's own
    REMOVED = "removed"  # a default holiday the agency works on (e.g. Columbus Day)


class AgencyHoliday(Base):
    """One day the agency's calendar differs from the default; a day is either added or removed, not both."""

    __tablename__ = "agency_holiday"
    __table_args__ = (UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""An agency's own requirements on top of its state rule pack (e.g. an annual firearms qualification)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class AgencyRequirement(Base):
    """Mirrors compliance.rules.Requirement; services/compliance.py hands these to the engine."""

    __tablename__ = "agency_requirement"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    code: Mapped[str] = mapped_column(String(60))  # engine id becomes "agency:{code}"
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))  # total_hours | topic_hours | course | recurring
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    course_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    period_kind: Mapped[str] = mapped_column(String(12), default="cycle")  # cycle | rolling | fixed
    period_months: Mapped[int] = mapped_column(Integer, default=0)
    period_anchor: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)  # e.g. "Lakeview PD policy 300.4"
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

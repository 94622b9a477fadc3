"""Each tracked officer's current compliance, stored, and the daily counts kept for the trend.

The compliance engine (compliance/) decides; these tables keep its last answer per officer so that
team and command views aggregate in SQL instead of evaluating every officer to draw a page. They
are written only by services/compliance_status.py, from the same paths that recompute today and
from the daily refresh (what time alone changes: on track -> at risk -> overdue).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class ComplianceState(StrEnum):
    """The engine's states (compliance.engine.ComplianceState), in the order people read them."""

    COMPLIANT = "compliant"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


class OfficerCompliance(Base):
    """One row per tracked officer: the engine's evaluation as of `evaluated_on`."""

    __tablename__ = "officer_compliance"
    __table_args__ = (
        Index("ix_officer_compliance_agency_state", "agency_id", "state"),
        Index("ix_officer_compliance_agency_next_due", "agency_id", "next_due_on"),
    )

    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    state: Mapped[str] = mapped_column(String(12))
    # An approved leave covers the evaluation date: shown apart ("on leave") in every count.
    on_leave: Mapped[bool] = mapped_column(Boolean, default=False)
    percent: Mapped[int] = mapped_column(Integer)
    hours_done: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    hours_required: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    # Requirements of the current periods: how many are met, out of how many apply.
    requirements_met: Mapped[int] = mapped_column(Integer)
    requirements_total: Mapped[int] = mapped_column(Integer)
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)
    # The earliest due date of an unmet requirement (overdue ones included); None when all are met.
    next_due_on: Mapped[date | None] = mapped_column(Date)
    evaluated_on: Mapped[date] = mapped_column(Date)
    rule_pack: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    gaps: Mapped[list[OfficerComplianceGap]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="OfficerComplianceGap.due_on"
    )


class OfficerComplianceGap(Base):
    """One unmet requirement of an officer, in the words people read ("6 crisis-intervention credits
    by 30 June 2027"), so the topics most often outstanding are a GROUP BY away."""

    __tablename__ = "officer_compliance_gap"
    __table_args__ = (
        Index("ix_officer_compliance_gap_agency_requirement", "agency_id", "requirement_id"),
        Index("ix_officer_compliance_gap_officer", "officer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer_compliance.officer_id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    requirement_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    # What is still owed, as a sentence: "6 crisis-intervention credits by 30 June 2027".
    missing: Mapped[str] = mapped_column(Text)


class ComplianceSnapshot(Base):
    """Counts per state on one day, for an agency (unit_id None) or a unit with everything below it."""

    __tablename__ = "compliance_snapshot"
    __table_args__ = (
        UniqueConstraint("day", "agency_id", "unit_key"),
        Index("ix_compliance_snapshot_agency_unit_day", "agency_id", "unit_key", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    # unit_id, or 0 for the whole agency: NULLs are never equal in a UNIQUE constraint.
    unit_key: Mapped[int] = mapped_column(Integer)
    compliant: Mapped[int] = mapped_column(Integer, default=0)
    on_track: Mapped[int] = mapped_column(Integer, default=0)
    at_risk: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    on_leave: Mapped[int] = mapped_column(Integer, default=0)


class ComplianceGapSnapshot(Base):
    """How many officers owe each requirement on one day, per agency (unit_key 0) or unit."""

    __tablename__ = "compliance_gap_snapshot"
    __table_args__ = (UniqueConstraint("day", "agency_id", "unit_key", "requirement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    unit_key: Mapped[int] = mapped_column(Integer)
    requirement_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    officers: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer, default=0)

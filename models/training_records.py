"""Completed training that counts toward requirements, and the waivers that reduce or pause them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class RecordSource(StrEnum):
    """How a record entered Muster (its provenance)."""

    CERTIFICATE_REVIEW = "certificate_review"
    COORDINATOR_ENTRY = "coordinator_entry"
    BULK_IMPORT = "bulk_import"
    SEED = "seed"


class TrainingRecord(Base):
    __tablename__ = "training_record"
    __table_args__ = (
        # The dashboard and history read one officer's records by date; 2,000,000 rows stay cheap.
        Index("ix_training_record_officer_completed", "officer_id", "completed_on"),
        Index("ix_training_record_agency_completed", "agency_id", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    course_number: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    source: Mapped[str] = mapped_column(String(24))
    # What produced it: e.g. "certificate:12", "import:2026-11-28/row 40", "request:7".
    source_ref: Mapped[str | None] = mapped_column(String(100))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    officer: Mapped[Person] = relationship(foreign_keys=[officer_id])
    approved_by: Mapped[Person | None] = relationship(foreign_keys=[approved_by_id])
    credits: Mapped[list[TrainingRecordCredit]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingRecordCredit.topic_code"
    )


class TrainingRecordCredit(Base):
    """Credits of one record toward one topic; a record may credit several topics."""

    __tablename__ = "training_record_credit"

    record_id: Mapped[int] = mapped_column(ForeignKey("training_record.id", ondelete="CASCADE"), primary_key=True)
    topic_code: Mapped[str] = mapped_column(ForeignKey("topic.code"), primary_key=True)
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class WaiverKind(StrEnum):
    EXEMPTION = "exemption"  # the requirement does not apply (e.g. EVOC exemption)
    WAIVER = "waiver"  # the requirement is reduced by some hours
    LEAVE = "leave"  # medical or military leave pauses the clock


class ComplianceWaiver(Base):
    __tablename__ = "compliance_waiver"
    __table_args__ = (Index("ix_compliance_waiver_officer", "officer_id", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # None: applies to every requirement (typically leave).
    requirement_id: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    hours_reduction: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Errors officers report in their own training records, and how coordinators resolved them.

A report points at one record ("hours wrong", "wrong topic") or at none ("missing course"). Its
review workflow writes status, resolution and events; the portal writes only the report itself.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person
from models.training_records import TrainingRecord


class ReportKind(StrEnum):
    HOURS_WRONG = "hours_wrong"
    WRONG_TOPIC = "wrong_topic"
    MISSING_COURSE = "missing_course"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def needs_record(self) -> bool:
        """A missing course has no record to point at; every other kind is about one."""
        return self is not ReportKind.MISSING_COURSE


_KIND_LABELS = {
    ReportKind.HOURS_WRONG: "Hours wrong",
    ReportKind.WRONG_TOPIC: "Wrong topic",
    ReportKind.MISSING_COURSE: "Missing course",
    ReportKind.OTHER: "Something else",
}


class ReportStatus(StrEnum):
    OPEN = "open"
    CORRECTED = "corrected"  # the record was corrected, or the missing one added
    DECLINED = "declined"  # the record stands; the resolution says why
    WITHDRAWN = "withdrawn"  # the officer took the report back

    @property
    def is_open(self) -> bool:
        return self is ReportStatus.OPEN


def record_report_workflow_id(report_id: int, prefix: str = "") -> str:
    """`record-report-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX)."""
    return f"{prefix}record-report-{report_id}"


class RecordErrorReport(Base):
    __tablename__ = "record_error_report"
    __table_args__ = (
        Index("ix_record_error_report_officer", "officer_id", "created_at"),
        Index("ix_record_error_report_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The record in question; None for a missing course.
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    # Optional proof (a certificate, a roster): a generated key, never the officer's file name.
    attachment_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    attachment_content_type: Mapped[str | None] = mapped_column(String(40))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default=ReportStatus.OPEN)
    # Set right after insert (it contains the id); see record_report_workflow_id.
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    resolved_at: Mapped[datetime | None]
    # The record the resolution corrected or created.
    result_record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    officer: Mapped[Person] = relationship(foreign_keys=[officer_id])
    record: Mapped[TrainingRecord | None] = relationship(foreign_keys=[record_id])
    result_record: Mapped[TrainingRecord | None] = relationship(foreign_keys=[result_record_id])
    resolved_by: Mapped[Person | None] = relationship(foreign_keys=[resolved_by_id])
    events: Mapped[list[RecordReportEvent]] = relationship(
        order_by="RecordReportEvent.id", cascade="all, delete-orphan"
    )


class RecordReportEvent(Base):
    """The report's timeline; `key` (workflow id and step) makes each workflow write happen once."""

    __tablename__ = "record_report_event"
    __table_args__ = (Index("ix_record_report_event_report", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(220), unique=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("record_error_report.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])

"""Compliance reports too large to make while someone waits: each is a job a workflow writes to the store.

The row is the job's whole truth: who asked (only they may download it), what was asked for (agency or
unit scope, or a supervisor's team, and the format), how far the writer has got (the progress bar), and
where the finished file is kept (an object key in the certificate store, generated, never user-chosen).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ExportStatus(StrEnum):
    QUEUED = "queued"  # saved; its workflow has not started writing yet
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportKind(StrEnum):
    AGENCY = "agency"  # the agency compliance report, of the agency or a unit and everything below it
    TEAM = "team"  # a supervisor's team roster


def report_export_workflow_id(export_id: int, prefix: str = "") -> str:
    """`report-export-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX)."""
    return f"{prefix}report-export-{export_id}"


class ReportExport(Base):
    __tablename__ = "report_export"
    __table_args__ = (Index("ix_report_export_requester_created", "requested_by_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    # The account that asked: the only one that may see the job and download the file.
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(12))
    # The scope: a unit (with everything below it) or None for the whole agency; for a team, its supervisor.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    format: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default=ExportStatus.QUEUED)
    # Progress: officers written so far, out of those in scope when the job was asked for.
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    done_rows: Mapped[int] = mapped_column(Integer, default=0)
    object_key: Mapped[str] = mapped_column(String(200), unique=True)
    file_name: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

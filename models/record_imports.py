"""CSV imports of training records: every row staged and checked first, then imported in batches.

Staging is what makes the preview, the per-row errors and an import that never half-imports a row
possible: a row is imported (record_id set) in the same transaction that creates its record, so a
crashed or retried batch continues where it stopped and never creates a record twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class ImportStatus(StrEnum):
    PREVIEW = "preview"  # checked, waiting for the coordinator to confirm
    IMPORTING = "importing"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def record_import_workflow_id(import_id: int, prefix: str = "") -> str:
    """`record-import-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX)."""
    return f"{prefix}record-import-{import_id}"


def import_source_ref(import_id: int, row_number: int) -> str:
    """The training record's source_ref: which file and which line it came from."""
    return f"import:{import_id}/row {row_number}"


class RecordImport(Base):
    __tablename__ = "record_import"
    __table_args__ = (Index("ix_record_import_agency_created", "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    file_name: Mapped[str] = mapped_column(String(100))  # display only
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=ImportStatus.PREVIEW)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    valid_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Progress: rows imported so far (the progress bar's numerator).
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    uploaded_by: Mapped[Person] = relationship(foreign_keys=[uploaded_by_id])


class RecordImportRow(Base):
    """One line of the file: what it said, what it means, what is wrong with it, what it became."""

    __tablename__ = "record_import_row"
    __table_args__ = (Index("ix_record_import_row_pending", "import_id", "record_id"),)

    import_id: Mapped[int] = mapped_column(ForeignKey("record_import.id", ondelete="CASCADE"), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the file's line number
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # The cells as read (for the preview) and the checked values (None while the row has errors).
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parsed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id", ondelete="SET NULL"))

"""CSV imports of the roster: every row staged, matched and classified first, then applied in batches.

A row is applied (applied_at set) in the same transaction as the hire or update it makes, so a crashed
or retried batch continues with the rows not yet applied and never hires anyone twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class RosterRowKind(StrEnum):
    NEW = "new"  # nobody matches: a hire
    UPDATE = "update"  # matched, and some field differs
    UNCHANGED = "unchanged"  # matched, and the file says what the roster says
    PROBLEM = "problem"  # never applied; the errors say why


def roster_import_workflow_id(import_id: int, prefix: str = "") -> str:
    """`roster-import-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX)."""
    return f"{prefix}roster-import-{import_id}"


class RosterImport(Base):
    __tablename__ = "roster_import"
    __table_args__ = (Index("ix_roster_import_agency_created", "agency_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The account that confirmed it: roster changes are audited as that account's own (services.roster_people).
    uploaded_by_account_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    file_name: Mapped[str] = mapped_column(String(100))  # display only
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))  # models.record_imports.ImportStatus
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    new_rows: Mapped[int] = mapped_column(Integer, default=0)
    update_rows: Mapped[int] = mapped_column(Integer, default=0)
    unchanged_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Progress: new and update rows applied so far (the progress bar's numerator).
    applied_rows: Mapped[int] = mapped_column(Integer, default=0)
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when Temporal accepted the workflow's start; IMPORTING without it means "press Start again".
    finished_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    uploaded_by: Mapped[Person] = relationship(foreign_keys=[uploaded_by_id])

    @property
    def valid_rows(self) -> int:
        """Rows the import applies: hires and updates."""
        return self.new_rows + self.update_rows


class RosterImportRow(Base):
    """One line of the file: what it said, whom it matched, what would change, what is wrong with it."""

    __tablename__ = "roster_import_row"
    __table_args__ = (Index("ix_roster_import_row_kind", "import_id", "kind", "applied_at"),)

    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the file's line number
    kind: Mapped[str] = mapped_column(String(10))  # RosterRowKind
    # The matched person (update, unchanged), or the person the row hired once applied.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the cells as read
    # The checked values as the roster's person form takes them, with the supervisor's badge (new, update).
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [label, before, after] for the preview
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)
    applied_at: Mapped[datetime | None]

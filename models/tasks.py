"""The inbox: what someone (or the coordinators' queue) must act on now.

A projection of workflow state, written only by activities, read by the portal.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskQueue(StrEnum):
    """A task assigned to a group instead of a person."""

    COORDINATORS = "coordinators"


class TaskKind(StrEnum):
    APPROVE_TRAINING_REQUEST = "approve_training_request"
    COMPLIANCE_CASE = "compliance_case"  # a licensing cycle ended with requirements unmet
    REVIEW_CERTIFICATE = "review_certificate"
    RESOLVE_RECORD_REPORT = "resolve_record_report"  # an officer reported an error in their records


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_assignee_status", "assignee_id", "status"),
        Index("ix_task_agency_queue_status", "agency_id", "queue", "status"),
        Index("ix_task_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(Integer)
    workflow_id: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    queue: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])

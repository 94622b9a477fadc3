"""An officer's request for approval of outside training, its costs, topics and timeline."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"  # saved; its workflow has not reported in yet (e.g. Temporal unreachable)
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    ESCALATED = "escalated"  # waiting in the coordinators' escalation queue
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in {self.SUBMITTED, self.IN_REVIEW, self.CHANGES_REQUESTED, self.ESCALATED}


_STATUS_LABELS = {
    RequestStatus.SUBMITTED: "Submitted (queued)",
    RequestStatus.IN_REVIEW: "In review",
    RequestStatus.CHANGES_REQUESTED: "Changes requested",
    RequestStatus.ESCALATED: "Escalated to coordinators",
    RequestStatus.APPROVED: "Approved",
    RequestStatus.DENIED: "Denied",
    RequestStatus.WITHDRAWN: "Withdrawn",
}


class CostCategory(StrEnum):
    TUITION = "tuition"
    TRAVEL = "travel"
    LODGING = "lodging"
    OTHER = "other"


class Topic(Base):
    """A training topic an activity can be credited to (rule packs refer to these codes)."""

    __tablename__ = "topic"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class TrainingRequest(Base):
    __tablename__ = "training_request"
    __table_args__ = (
        Index("ix_training_request_officer_submitted", "officer_id", "submitted_at"),
        Index("ix_training_request_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    overnight_travel: Mapped[bool] = mapped_column(Boolean, default=False)
    justification: Mapped[str] = mapped_column(Text)
    total_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(24), default=RequestStatus.SUBMITTED)
    # Who must act now (a projection of workflow state, kept for lists and timelines).
    current_approver_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Set right after insert (it contains the id); see training_request_workflow_id.
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    officer: Mapped[Person] = relationship(foreign_keys=[officer_id])
    current_approver: Mapped[Person | None] = relationship(foreign_keys=[current_approver_id])
    costs: Mapped[list[TrainingRequestCost]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingRequestCost.id"
    )
    topics: Mapped[list[TrainingRequestTopic]] = relationship(cascade="all, delete-orphan")

    @property
    def status_enum(self) -> RequestStatus:
        return RequestStatus(self.status)


def training_request_workflow_id(request_id: int, prefix: str = "") -> str:
    """`training-request-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX).

    The prefix keeps ids unique when several installations share a Temporal namespace, or when a
    database restored from backup hands out ids again that closed workflows already used.
    """
    return f"{prefix}training-request-{request_id}"


class TrainingRequestCost(Base):
    __tablename__ = "training_request_cost"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("training_request.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    amount_cents: Mapped[int] = mapped_column(Integer)


class TrainingRequestTopic(Base):
    __tablename__ = "training_request_topic"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("training_request.id", ondelete="CASCADE"), primary_key=True
    )
    topic_code: Mapped[str] = mapped_column(ForeignKey("topic.code"), primary_key=True)


class RequestEventKind(StrEnum):
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    APPROVED = "approved"
    DENIED = "denied"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    WITHDRAWN = "withdrawn"
    REASSIGNED = "reassigned"


class RequestEvent(Base):
    """One line of a request's timeline. `key` makes the writing activity idempotent."""

    __tablename__ = "request_event"
    __table_args__ = (Index("ix_request_event_request_time", "request_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("training_request.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[Person | None] = relationship(foreign_keys=[actor_id])
    assignee: Mapped[Person | None] = relationship(foreign_keys=[assignee_id])

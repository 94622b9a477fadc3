"""Certificates officers upload as proof of training, and the review that turns them into records.

One submission is one piece of training; each upload (the first, and every corrected one after a
rejection) is a new version, so the history of what was sent and decided is kept. The review
workflow writes status, decisions and events; the portal writes only new versions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person
from models.training_requests import TrainingRequest


class CertificateStatus(StrEnum):
    AWAITING_REVIEW = "awaiting_review"
    REJECTED = "rejected"  # waiting for the officer to upload a corrected version
    APPROVED = "approved"


class VersionOutcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def certificate_review_workflow_id(submission_id: int, prefix: str = "") -> str:
    """`certificate-review-{id}`, after the installation's prefix (MUSTER_WORKFLOW_ID_PREFIX)."""
    return f"{prefix}certificate-review-{submission_id}"


def certificate_source_ref(submission_id: int) -> str:
    """The training record's source_ref: one record per submission, whatever version was approved."""
    return f"certificate:{submission_id}"


class CertificateSubmission(Base):
    __tablename__ = "certificate_submission"
    __table_args__ = (Index("ix_certificate_submission_officer", "officer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.AWAITING_REVIEW)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    # Set right after insert (it contains the id); see certificate_review_workflow_id.
    workflow_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("training_record.id"))
    # The approved training request this certificate completes, when uploaded from its reminder.
    training_request_id: Mapped[int | None] = mapped_column(ForeignKey("training_request.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    officer: Mapped[Person] = relationship(foreign_keys=[officer_id])
    training_request: Mapped[TrainingRequest | None] = relationship()
    versions: Mapped[list[CertificateVersion]] = relationship(
        back_populates="submission", order_by="CertificateVersion.version", cascade="all, delete-orphan"
    )


class CertificateVersion(Base):
    """One uploaded file with the details the officer claimed for it, and the reviewer's outcome."""

    __tablename__ = "certificate_version"
    __table_args__ = (
        UniqueConstraint("submission_id", "version"),
        Index("ix_certificate_version_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("certificate_submission.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    # The file: a generated key, never the officer's file name (that is display_name only).
    object_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    page_count: Mapped[int | None] = mapped_column(Integer)
    # An earlier version in the agency with the very same file, if any: flagged, never blocked.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("certificate_version.id"))
    # What the officer claims.
    course_title: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    course_number: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The review of this version.
    outcome: Mapped[str] = mapped_column(String(12), default=VersionOutcome.PENDING)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reviewed_at: Mapped[datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)
    credited_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))

    submission: Mapped[CertificateSubmission] = relationship(back_populates="versions")
    reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[reviewed_by_id])
    duplicate_of: Mapped[CertificateVersion | None] = relationship(remote_side=[id])
    credits: Mapped[list[CertificateCredit]] = relationship(
        cascade="all, delete-orphan", order_by="CertificateCredit.topic_code"
    )


class CertificateCredit(Base):
    """Credits the officer claims toward one topic for one version."""

    __tablename__ = "certificate_credit"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_version.id", ondelete="CASCADE"), primary_key=True
    )
    topic_code: Mapped[str] = mapped_column(ForeignKey("topic.code"), primary_key=True)
    credits: Mapped[Decimal] = mapped_column(Numeric(6, 2))


class CertificateEvent(Base):
    """The review's timeline; `key` (workflow id and step) makes each workflow write happen once."""

    __tablename__ = "certificate_event"
    __table_args__ = (Index("ix_certificate_event_submission", "submission_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(220), unique=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("certificate_submission.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

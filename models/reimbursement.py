"""An agency's Minnesota POST continuing-education reimbursement claim for one fiscal year: its cost lines,
the part-time officers another agency claims, the chief's sign-off and the submission."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"  # the chief signed off in Muster; any later change sets it back to draft
    SUBMITTED = "submitted"  # the coordinator marked it sent to the POST Board; no more changes

    @property
    def label(self) -> str:
        return {"draft": "Draft", "signed": "Signed by the chief", "submitted": "Submitted"}[self.value]


class ClaimCostCategory(StrEnum):
    TUITION = "tuition"
    WAGES = "wages"  # wages of officers in training, or of those who covered their shifts (backfill)
    TRAVEL = "travel"
    LODGING = "lodging"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "Wages or backfill" if self is ClaimCostCategory.WAGES else self.value.capitalize()


class ReimbursementClaim(Base):
    """One per agency and fiscal year (named by its closing year: 2026 = 1 July 2025 to 30 June 2026)."""

    __tablename__ = "reimbursement_claim"
    __table_args__ = (UniqueConstraint("agency_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    fiscal_year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default=ClaimStatus.DRAFT)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signed_at: Mapped[datetime | None]
    # The statement as the chief saw it, and a digest of the officers and costs it covered: if the
    # officers' records change afterwards the digest no longer matches and the signature no longer holds.
    signed_statement: Mapped[str | None] = mapped_column(Text)
    signed_digest: Mapped[str | None] = mapped_column(String(64))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    signed_by: Mapped[Person | None] = relationship(foreign_keys=[signed_by_id])
    lines: Mapped[list[ReimbursementCostLine]] = relationship(
        cascade="all, delete-orphan", order_by="ReimbursementCostLine.id")
    exclusions: Mapped[list[ReimbursementExclusion]] = relationship(cascade="all, delete-orphan")

    @property
    def status_enum(self) -> ClaimStatus:
        return ClaimStatus(self.status)


class ReimbursementCostLine(Base):
    """One cost on the claim: gathered from an approved request's cost, or entered by the coordinator."""

    __tablename__ = "reimbursement_cost_line"
    __table_args__ = (UniqueConstraint("claim_id", "source_cost_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("reimbursement_claim.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    amount_cents: Mapped[int] = mapped_column(Integer)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("training_request.id", ondelete="SET NULL"))
    # Gathering twice never adds a request's cost twice (NULL for the coordinator's own lines).
    source_cost_id: Mapped[int | None] = mapped_column(ForeignKey("training_request_cost.id", ondelete="SET NULL"))
    gathered_cents: Mapped[int | None] = mapped_column(Integer)  # the amount as gathered, before corrections
    # Left out of the claim (kept, so gathering again does not bring it back).
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def category_enum(self) -> ClaimCostCategory:
        return ClaimCostCategory(self.category)


class ReimbursementExclusion(Base):
    """A part-time officer another agency claims this year: only one agency may count them (Minn. R. 6700.1800
    subp. 3), so this agency's claim leaves them out."""

    __tablename__ = "reimbursement_exclusion"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("reimbursement_claim.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    marked_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

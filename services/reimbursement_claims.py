"""An agency's reimbursement claim for a fiscal year: what it holds (eligible officers, costs, signature) and
its lifecycle, draft -> signed by the chief -> marked submitted. Every change is audited with before and after.

The chief's signature covers a digest of the eligible officers and the costs as they stood when signing. A
change to the lines or marks in Muster voids it at once (audited); a change elsewhere (a record added later)
shows as a digest that no longer matches, and the signature no longer holds until the chief signs again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance.wording import format_date, format_moment
from models import (
    Agency,
    AuditOutcome,
    ClaimStatus,
    Person,
    ReimbursementClaim,
    ReimbursementCostLine,
    ReimbursementExclusion,
    utcnow,
)
from services.access import CurrentUser
from services.audit import record_audit
from services.reimbursement_costs import CostTotals, cost_totals, gather_costs
from services.reimbursement_eligibility import Eligibility, FiscalYear, assess_all
from services.reimbursement_officers import officer_facts
from services.time_zones import agency_time_zone
from services.training_records import agency_today

RULE_PACK = "MN-POST"
OBJECT_TYPE = "reimbursement_claim"
STATEMENT = (
    "I, {chief}, chief law enforcement officer of {agency}, affirm that the agency is eligible to be reimbursed "
    "under the rules of the Minnesota Board of Peace Officer Standards and Training (Minn. R. 6700.1800) for "
    "{year}: each peace officer listed, with the licence number shown, was employed by the agency during at "
    "least eight of the twelve months of the fiscal year and had at least 16 hours of board-approved continuing "
    "education made available by the agency in that period; no part-time officer listed is claimed by another "
    "agency; and the continuing-education costs stated were incurred by the agency in that year."
)


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where (for the audit row)."""

    user: CurrentUser
    source: str | None


@dataclass
class ClaimView:
    year: FiscalYear
    agency_name: str
    zone: ZoneInfo
    claim: ReimbursementClaim | None
    officers: list[Eligibility]
    lines: list[ReimbursementCostLine]
    totals: CostTotals
    digest: str
    signed_by: str | None
    # The year has not ended yet: months and credits are those so far, and it cannot be signed.
    in_progress: bool = False
    today: date | None = None

    @property
    def status(self) -> ClaimStatus:
        return self.claim.status_enum if self.claim else ClaimStatus.DRAFT

    @property
    def eligible(self) -> list[Eligibility]:
        return [row for row in self.officers if row.eligible]

    @property
    def signature_holds(self) -> bool:
        """Signed (or submitted after signing) and nothing the signature covers has changed since."""
        return (self.claim is not None and self.status is not ClaimStatus.DRAFT
                and self.claim.signed_digest == self.digest)

    @property
    def signed_moment(self) -> str | None:
        if self.claim is None or self.claim.signed_at is None:
            return None
        return format_moment(self.claim.signed_at.astimezone(self.zone))


async def reimbursement_applies(session: AsyncSession, agency_id: int) -> bool:
    """Only agencies measured against Minnesota's rule pack claim POST reimbursement."""
    return await session.scalar(select(Agency.rule_pack).where(Agency.id == agency_id)) == RULE_PACK


async def load_claim(session: AsyncSession, agency_id: int, year: FiscalYear) -> ReimbursementClaim | None:
    return await session.scalar(
        select(ReimbursementClaim)
        .where(ReimbursementClaim.agency_id == agency_id, ReimbursementClaim.fiscal_year == year.closing_year)
        .options(selectinload(ReimbursementClaim.lines), selectinload(ReimbursementClaim.exclusions)))


async def claim_view(session: AsyncSession, agency_id: int, year: FiscalYear) -> ClaimView:
    claim = await load_claim(session, agency_id, year)
    excluded = frozenset(row.person_id for row in claim.exclusions) if claim else frozenset()
    today = await agency_today(session, agency_id)
    officers = assess_all(await officer_facts(session, agency_id, year, excluded), year, as_of=today)
    lines = list(claim.lines) if claim else []
    signed_by = None
    if claim is not None and claim.signed_by_id is not None:
        signed_by = (await session.get_one(Person, claim.signed_by_id)).full_name
    return ClaimView(
        year=year, agency_name=await session.scalar(select(Agency.name).where(Agency.id == agency_id)) or "",
        zone=await agency_time_zone(session, agency_id), claim=claim, officers=officers, lines=lines,
        totals=cost_totals(lines), digest=_digest(officers, lines), signed_by=signed_by,
        in_progress=today <= year.ends_on, today=today)


def _digest(officers: list[Eligibility], lines: list[ReimbursementCostLine]) -> str:
    covered = {
        "officers": [[row.person_id, row.license_number, row.months, str(row.credits)] for row in officers
                     if row.eligible],
        "lines": [[line.id, line.category, line.amount_cents, line.excluded] for line in lines],
    }
    return hashlib.sha256(json.dumps(covered, sort_keys=True).encode()).hexdigest()


def statement_for(chief: str, view: ClaimView) -> str:
    return STATEMENT.format(chief=chief, agency=view.agency_name, year=view.year.label)


def audit(session: AsyncSession, actor: Actor, action: str, claim: ReimbursementClaim | None,
          outcome: AuditOutcome = AuditOutcome.SUCCESS, detail: dict[str, Any] | None = None) -> None:
    record_audit(session, actor.user.id, actor.user.audit_label, action, OBJECT_TYPE,
                 claim.id if claim else None, outcome, actor.source, actor.user.agency_id, detail)


async def claim_for_change(session: AsyncSession, actor: Actor, year: FiscalYear) -> ReimbursementClaim:
    """The claim to change, opened (with the approved requests' costs gathered) if it does not exist yet."""
    claim = await load_claim(session, actor.user.agency_id, year)
    if claim is not None:
        return claim
    claim = ReimbursementClaim(agency_id=actor.user.agency_id, fiscal_year=year.closing_year,
                               status=ClaimStatus.DRAFT, lines=[], exclusions=[])
    session.add(claim)
    await session.flush()
    added = await gather_costs(session, claim, year)
    audit(session, actor, "reimbursement.open", claim, detail={
        "after": {"fiscal_year": year.closing_year, "lines_gathered": len(added)}})
    return claim


def locked(claim: ReimbursementClaim) -> str | None:
    """Why the claim cannot change any more, or None."""
    if claim.status_enum is ClaimStatus.SUBMITTED:
        return "This claim is marked submitted to the POST Board; it can no longer be changed."
    return None


def void_signature(session: AsyncSession, actor: Actor, claim: ReimbursementClaim, change: str) -> None:
    """A change to what the chief signed sets the claim back to draft; the chief must sign again."""
    if claim.status_enum is not ClaimStatus.SIGNED:
        return
    before = {"status": claim.status, "signed_by_id": claim.signed_by_id,
              "signed_at": claim.signed_at.isoformat() if claim.signed_at else None}
    claim.status, claim.signed_by_id, claim.signed_at = ClaimStatus.DRAFT, None, None
    claim.signed_statement, claim.signed_digest = None, None
    audit(session, actor, "reimbursement.signature_void", claim, detail={
        "before": before, "after": {"status": claim.status}, "because": change})


async def gather(session: AsyncSession, actor: Actor, year: FiscalYear) -> int | str:
    """Add approved requests' costs not on the claim yet; the number added, or why not."""
    claim = await claim_for_change(session, actor, year)
    if problem := locked(claim):
        return problem
    added = await gather_costs(session, claim, year)
    if added:
        void_signature(session, actor, claim, "costs gathered")
        audit(session, actor, "reimbursement.gather", claim, detail={
            "before": None, "after": [{"line": line.id, "amount_cents": line.amount_cents} for line in added]})
    return len(added)


async def set_claimed_elsewhere(session: AsyncSession, actor: Actor, year: FiscalYear, person_id: int,
                                claimed: bool, reason: str) -> str | None:
    """Mark (or unmark) a part-time officer as claimed by another agency; None when done, else why not."""
    view = await claim_view(session, actor.user.agency_id, year)
    officer = next((row for row in view.officers if row.person_id == person_id), None)
    if officer is None:
        return "That officer is not on this year's list."
    if claimed and not officer.part_time:
        return "Only a part-time officer can be claimed by another agency."
    if claimed and not reason.strip():
        return "Say which agency claims the officer, or why."
    if actor.user.person_id is None:
        return "Your account is not linked to a person on the roster, so it cannot mark officers."
    claim = await claim_for_change(session, actor, year)
    if problem := locked(claim):
        return problem
    existing = next((row for row in claim.exclusions if row.person_id == person_id), None)
    if claimed == (existing is not None):
        return None
    if claimed:
        claim.exclusions.append(ReimbursementExclusion(person_id=person_id, reason=reason.strip()[:1000],
                                                       marked_by_id=actor.user.person_id))
    else:
        claim.exclusions.remove(existing)  # type: ignore[arg-type]  # not None here: claimed != present
    void_signature(session, actor, claim, "officer marks changed")
    audit(session, actor, "reimbursement.claimed_elsewhere", claim, detail={
        "person_id": person_id, "before": {"claimed_elsewhere": not claimed},
        "after": {"claimed_elsewhere": claimed}, "reason": reason.strip()})
    await session.flush()
    return None


async def sign(session: AsyncSession, actor: Actor, year: FiscalYear) -> str | None:
    """The chief signs the claim as it stands; None when signed, else why not."""
    if actor.user.person_id is None:
        return "Your account is not linked to a person on the roster, so it cannot sign."
    claim = await claim_for_change(session, actor, year)
    if problem := locked(claim):
        return problem
    view = await claim_view(session, actor.user.agency_id, year)
    if view.in_progress:
        return (f"{year.label} has not ended yet: the claim can be signed from "
                f"{format_date(year.ends_on + timedelta(days=1))}.")
    if view.signature_holds:
        return "The claim is already signed as it stands."
    chief = (await session.get_one(Person, actor.user.person_id)).full_name
    before = {"status": claim.status}
    claim.status, claim.signed_by_id, claim.signed_at = ClaimStatus.SIGNED, actor.user.person_id, utcnow()
    claim.signed_statement, claim.signed_digest = statement_for(chief, view), view.digest
    audit(session, actor, "reimbursement.sign", claim, detail={
        "before": before, "after": {"status": claim.status, "signed_by": chief, "eligible": len(view.eligible),
                                    "total_cents": view.totals.total}})
    return None


async def mark_submitted(session: AsyncSession, actor: Actor, year: FiscalYear) -> str | None:
    """The coordinator records that the signed claim went to the POST Board."""
    view = await claim_view(session, actor.user.agency_id, year)
    if view.claim is None or not view.signature_holds:
        return "The chief must sign the claim as it stands before it is marked submitted."
    if problem := locked(view.claim):
        return problem
    claim = view.claim
    claim.status, claim.submitted_by_id, claim.submitted_at = ClaimStatus.SUBMITTED, actor.user.person_id, utcnow()
    audit(session, actor, "reimbursement.submitted", claim, detail={
        "before": {"status": ClaimStatus.SIGNED.value}, "after": {"status": claim.status}})
    return None


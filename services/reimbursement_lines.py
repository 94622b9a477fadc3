"""The coordinator's changes to a claim's cost lines: a line added, or one corrected or left out with a
reason. Each is audited with before and after, and voids the chief's signature."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import ReimbursementCostLine
from services.reimbursement_claims import Actor, audit, claim_for_change, locked, void_signature
from services.reimbursement_costs import CostForm, apply_correction, line_snapshot
from services.reimbursement_eligibility import FiscalYear


async def add_line(session: AsyncSession, actor: Actor, year: FiscalYear, form: CostForm) -> str | None:
    """A cost Muster could not gather (wages or backfill, a course paid outside a request); None when added."""
    claim = await claim_for_change(session, actor, year)
    if problem := locked(claim):
        return problem
    line = ReimbursementCostLine(category=form.category.value, description=form.description,
                                 amount_cents=form.amount_cents, excluded=False)
    claim.lines.append(line)
    await session.flush()
    void_signature(session, actor, claim, "cost line added")
    audit(session, actor, "reimbursement.line_add", claim, detail={
        "line": line.id, "before": None, "after": line_snapshot(line)})
    return None


async def correct_line(session: AsyncSession, actor: Actor, year: FiscalYear, line_id: int, form: CostForm,
                       excluded: bool, reason: str) -> str | None:
    """Correct a line (or leave it out of the claim); None when done or nothing changed, else why not."""
    if not reason.strip():
        return "Give the reason for the correction."
    claim = await claim_for_change(session, actor, year)
    line = next((line for line in claim.lines if line.id == line_id), None)
    if line is None:
        return "That cost line is not on this claim."
    if problem := locked(claim):
        return problem
    change = apply_correction(line, form, excluded)
    if change is None:
        return None
    void_signature(session, actor, claim, "cost line corrected")
    audit(session, actor, "reimbursement.line_correct", claim, detail={
        "line": line.id, "before": change[0], "after": change[1], "reason": reason.strip()})
    return None

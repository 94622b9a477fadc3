"""The claim's continuing-education costs: gathered from approved training requests, corrected or added to by
the coordinator, totalled per category.

A request's costs belong to the fiscal year its training ended in (the same day its credits are counted by,
services/reimbursement_eligibility.py). Gathering again adds only costs not on the claim yet, so a corrected
or left-out line is never brought back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance.wording import format_date
from models import (
    ClaimCostCategory,
    ReimbursementClaim,
    ReimbursementCostLine,
    RequestStatus,
    TrainingRequest,
)
from services.reimbursement_eligibility import FiscalYear

MAX_AMOUNT_CENTS = 100_000_000  # one million dollars: a typo guard, not a policy
CATEGORIES = tuple(ClaimCostCategory)


def dollars(cents: int) -> str:
    """Money as people read it: "$1,234.50"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


@dataclass(frozen=True)
class CostForm:
    category: ClaimCostCategory
    description: str
    amount_cents: int


def line_snapshot(line: ReimbursementCostLine) -> dict[str, Any]:
    return {"category": line.category, "description": line.description, "amount": dollars(line.amount_cents),
            "excluded": line.excluded}


def parse_amount(raw: str) -> int | None:
    """Dollars as typed ("1,200", "85.5", "$40.00") in cents, or None when it is not an amount."""
    text = raw.strip().replace(",", "").removeprefix("$")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    cents = int(amount * 100)
    return cents if cents <= MAX_AMOUNT_CENTS else None


def validate_cost_form(values: dict[str, str]) -> CostForm | dict[str, str]:
    """The form's line, or the message for each field that is wrong."""
    errors: dict[str, str] = {}
    category = next((c for c in CATEGORIES if c.value == values.get("category")), None)
    if category is None:
        errors["category"] = "Choose a category."
    description = values.get("description", "").strip()
    if not description:
        errors["description"] = "Say what the cost was for."
    elif len(description) > 200:
        errors["description"] = "Keep the description under 200 characters."
    cents = parse_amount(values.get("amount", ""))
    if cents is None:
        errors["amount"] = "Enter an amount in dollars, e.g. 1250.00."
    if errors or category is None or cents is None:
        return errors
    return CostForm(category=category, description=description, amount_cents=cents)


async def approved_request_costs(session: AsyncSession, agency_id: int, year: FiscalYear) -> list[TrainingRequest]:
    """The agency's approved requests whose training ended within the fiscal year, with their costs."""
    return list(await session.scalars(
        select(TrainingRequest)
        .where(TrainingRequest.agency_id == agency_id, TrainingRequest.status == RequestStatus.APPROVED,
               TrainingRequest.end_date >= year.starts_on, TrainingRequest.end_date <= year.ends_on)
        .options(selectinload(TrainingRequest.costs), selectinload(TrainingRequest.officer))
        .order_by(TrainingRequest.end_date, TrainingRequest.id)))


async def gather_costs(session: AsyncSession, claim: ReimbursementClaim,
                       year: FiscalYear) -> list[ReimbursementCostLine]:
    """Add a line for each approved request's cost not on the claim yet; returns the lines added."""
    present = {line.source_cost_id for line in claim.lines if line.source_cost_id is not None}
    added: list[ReimbursementCostLine] = []
    for request in await approved_request_costs(session, claim.agency_id, year):
        for cost in request.costs:
            if cost.id in present:
                continue
            line = ReimbursementCostLine(
                category=_category(cost.category),
                description=_describe(request)[:200],
                amount_cents=cost.amount_cents, request_id=request.id, source_cost_id=cost.id,
                gathered_cents=cost.amount_cents, excluded=False,
            )
            claim.lines.append(line)
            added.append(line)
    await session.flush()
    return added


def _describe(request: TrainingRequest) -> str:
    return f"{request.title} ({request.officer.full_name}, ended {format_date(request.end_date)})"


def _category(request_category: str) -> str:
    """A request's cost category is one of the claim's (tuition, travel, lodging, other)."""
    return request_category if request_category in {c.value for c in CATEGORIES} else ClaimCostCategory.OTHER


Change = tuple[dict[str, Any], dict[str, Any]]


def apply_correction(line: ReimbursementCostLine, form: CostForm, excluded: bool) -> Change | None:
    """Change the line; (before, after) for the audit, or None when nothing changed."""
    before = line_snapshot(line)
    line.category, line.description, line.amount_cents, line.excluded = (
        form.category.value, form.description, form.amount_cents, excluded)
    after = line_snapshot(line)
    return None if before == after else (before, after)


@dataclass(frozen=True)
class CostTotals:
    by_category: dict[ClaimCostCategory, int]  # cents, every category (0 when none)
    total: int


def cost_totals(lines: list[ReimbursementCostLine]) -> CostTotals:
    """Totals of the lines still on the claim, per category and overall."""
    by_category = {category: 0 for category in CATEGORIES}
    for line in lines:
        if not line.excluded:
            by_category[ClaimCostCategory(line.category)] += line.amount_cents
    return CostTotals(by_category=by_category, total=sum(by_category.values()))

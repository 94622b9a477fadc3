"""The officers behind a number of the agency dashboard: the drill-down list's filters and its pages.

A page is three statements whatever the agency's size: the count, the page, and the page's gaps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OfficerCompliance, OfficerComplianceGap, Person, Unit
from services.agency_compliance import STATES, officers_in_scope, shown_state, tracked_officers
from services.training_records import Page, paginate


@dataclass(frozen=True)
class OfficerFilters:
    """Which officers a drill-down lists; None is no filter. A unit includes everything below it."""

    unit_id: int | None = None
    state: str | None = None
    rank: str | None = None
    requirement_id: str | None = None
    # With requirement_id: only those whose gap for it is overdue.
    gap_overdue: bool = False

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links and the pager)."""
        values = {"unit": self.unit_id, "state": self.state, "rank": self.rank,
                  "requirement": self.requirement_id, "gap": "overdue" if self.gap_overdue else None}
        return {key: str(value) for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class OfficerRow:
    officer_id: int
    first_name: str
    last_name: str
    rank: str
    unit_name: str | None
    state: str  # as counted: 'on_leave' while on leave
    percent: int
    requirements_met: int
    requirements_total: int
    next_due_on: date | None
    outstanding: tuple[str, ...]  # what each unmet requirement still needs, soonest first


def parse_officer_filters(params: Mapping[str, str]) -> tuple[OfficerFilters, dict[str, str], dict[str, str]]:
    """Filters from query parameters, their raw values, and a message per bad value (a bad value is
    dropped, so the page still lists something). Whether the unit and requirement exist is the caller's."""
    raw = {key: str(params.get(key) or "").strip()[:100] for key in ("unit", "state", "rank", "requirement", "gap")}
    errors: dict[str, str] = {}
    unit_id = parse_id(raw["unit"])
    if raw["unit"] and unit_id is None:
        errors["unit"] = "Choose a unit from the list."
    state = raw["state"] or None
    if state is not None and state not in STATES:
        errors["state"] = "Choose a state from the list."
        state = None
    rank = raw["rank"] or None
    if rank is not None and len(rank) > 50:
        errors["rank"] = "Choose a rank from the list."
        rank = None
    requirement = raw["requirement"] or None
    if requirement is not None and len(requirement) > 80:
        errors["requirement"] = "That requirement is not one officers owe now."
        requirement = None
    gap_overdue = raw["gap"] == "overdue" and requirement is not None
    if raw["gap"] and raw["gap"] != "overdue":
        errors["gap"] = "Choose all officers who owe it, or only those past its due date."
    filters = OfficerFilters(unit_id, state, rank, requirement, gap_overdue)
    return filters, raw, errors


def parse_id(raw: str) -> int | None:
    """A row id typed into a URL, or None when it is not a plain positive number of sane length."""
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 and int(raw) > 0 else None


async def officers_page(session: AsyncSession, agency_id: int, filters: OfficerFilters, page: int
                        ) -> Page[OfficerRow]:
    """One page of the officers the filters select, by name: three statements (count, page, their gaps)."""
    oc = OfficerCompliance
    stmt = (
        select(oc.officer_id, Person.first_name, Person.last_name, Person.rank, Unit.name.label("unit_name"),
               shown_state().label("shown_state"), oc.percent, oc.requirements_met, oc.requirements_total,
               oc.next_due_on)
        .join(Person, Person.id == oc.officer_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(oc.agency_id == agency_id, *officers_in_scope(agency_id, filters.unit_id))
        .order_by(Person.last_name, Person.first_name, oc.officer_id)
    )
    if filters.state == "on_leave":
        stmt = stmt.where(oc.on_leave.is_(True))
    elif filters.state is not None:
        stmt = stmt.where(oc.on_leave.is_(False), oc.state == filters.state)
    if filters.rank is not None:
        stmt = stmt.where(Person.rank == filters.rank)
    if filters.requirement_id is not None:
        gap = OfficerComplianceGap
        owing = select(gap.officer_id).where(gap.agency_id == agency_id, gap.requirement_id == filters.requirement_id)
        if filters.gap_overdue:
            owing = owing.where(gap.overdue.is_(True))
        stmt = stmt.where(oc.officer_id.in_(owing))
    stmt, total, page = await paginate(session, stmt, page)
    rows = list(await session.execute(stmt))
    outstanding = await _outstanding(session, [row.officer_id for row in rows])
    return Page(
        rows=[OfficerRow(row.officer_id, row.first_name, row.last_name, row.rank, row.unit_name, row.shown_state,
                         row.percent, row.requirements_met, row.requirements_total, row.next_due_on,
                         tuple(outstanding.get(row.officer_id, ()))) for row in rows],
        total=total, page=page,
    )


async def _outstanding(session: AsyncSession, officer_ids: list[int]) -> dict[int, list[str]]:
    if not officer_ids:
        return {}
    gap = OfficerComplianceGap
    found: dict[int, list[str]] = defaultdict(list)
    for officer_id, missing in await session.execute(
        select(gap.officer_id, gap.missing).where(gap.officer_id.in_(officer_ids)).order_by(gap.due_on, gap.id)
    ):
        found[officer_id].append(missing)
    return found


async def tracked_ranks(session: AsyncSession, agency_id: int) -> list[str]:
    """The ranks of the agency's tracked officers, by name (the filter's choices)."""
    rows = await session.scalars(
        tracked_officers().add_columns(Person.rank).where(OfficerCompliance.agency_id == agency_id)
        .group_by(Person.rank).order_by(Person.rank)
    )
    return list(rows)

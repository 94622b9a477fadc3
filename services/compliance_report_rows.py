"""The per-officer appendix of a compliance report, read as a stream.

One statement, whatever the scope's size: the officers with their stored status and their gaps joined
in, ordered by unit and name, read through a server-side cursor (`session.stream`, `yield_per`) and
folded into one line per officer as the rows arrive. Nothing holds more than one fetch of rows, so a
writer that writes each line as it comes keeps memory flat however large the agency.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OfficerCompliance, OfficerComplianceGap, Person, Unit
from services.agency_compliance import STATE_LABELS, officers_in_scope, shown_state
from services.team_compliance import Team

# Rows fetched from the cursor at a time: the only buffer that grows with a fetch, not with the agency.
FETCH_SIZE = 500
NOT_EVALUATED_LABEL = "Not evaluated yet"

APPENDIX_HEADINGS = (
    "Last name", "First name", "Badge", "Rank", "Unit", "State", "% done", "Hours done", "Hours required",
    "Requirements met", "Requirements total", "Next deadline", "Outstanding requirements", "Evaluated on",
    "Rule pack",
)


@dataclass(frozen=True)
class ReportScope:
    """Whose officers a report lists: the agency's (unit_id None), a unit's with every unit below it, or,
    with supervisor_id, everyone under that supervisor in the chain of command (their team roster)."""

    agency_id: int
    unit_id: int | None = None
    supervisor_id: int | None = None

    @property
    def is_team(self) -> bool:
        return self.supervisor_id is not None

    def officer_conditions(self) -> list[Any]:
        """Conditions on Person selecting the scope's officers."""
        if self.supervisor_id is not None:
            return [Person.agency_id == self.agency_id,
                    Team(agency_id=self.agency_id, supervisor_id=self.supervisor_id).tracked_members()]
        return officers_in_scope(self.agency_id, self.unit_id)

    def as_detail(self) -> dict[str, int | str]:
        """The scope for an audit row."""
        if self.supervisor_id is not None:
            return {"scope": "team", "supervisor_id": self.supervisor_id}
        return {"scope": "unit", "unit_id": self.unit_id} if self.unit_id is not None else {"scope": "agency"}


@dataclass(frozen=True)
class OfficerLine:
    """One officer of the appendix. A team roster also lists tracked officers whose status has not been
    written yet: their state and figures are None."""

    officer_id: int
    last_name: str
    first_name: str
    badge: str
    rank: str
    unit: str | None
    state: str | None  # as counted: 'on_leave' while on leave
    percent: int | None
    hours_done: Decimal | None
    hours_required: Decimal | None
    requirements_met: int | None
    requirements_total: int | None
    next_due_on: date | None
    evaluated_on: date | None
    rule_pack: str | None
    outstanding: tuple[str, ...]  # titles of the requirements still owed, soonest due first

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state) if self.state else NOT_EVALUATED_LABEL

    @property
    def name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def cells(self) -> tuple[object, ...]:
        """The line as plain values in APPENDIX_HEADINGS order (numbers stay numbers, dates dates)."""
        return (self.last_name, self.first_name, self.badge, self.rank, self.unit or "", self.state_label,
                self.percent, self.hours_done, self.hours_required, self.requirements_met, self.requirements_total,
                self.next_due_on, "; ".join(self.outstanding), self.evaluated_on, self.rule_pack or "")


def appendix_query(scope: ReportScope) -> Select[Any]:
    """Every officer of the scope with their gaps, one row per gap (or one row without), by unit then name.

    An agency or unit report lists the officers with a stored status (what the dashboard counts); a team
    roster lists the team's tracked officers, evaluated or not (what the team page lists).
    """
    oc, gap = OfficerCompliance, OfficerComplianceGap
    with_status = and_(oc.officer_id == Person.id, oc.agency_id == scope.agency_id)
    stmt = (
        select(Person.id, Person.last_name, Person.first_name, Person.badge_number, Person.rank,
               Unit.name.label("unit_name"), shown_state().label("shown_state"), oc.percent, oc.hours_done,
               oc.hours_required, oc.requirements_met, oc.requirements_total, oc.next_due_on, oc.evaluated_on,
               oc.rule_pack, gap.title.label("gap_title"))
        .select_from(Person)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .outerjoin(gap, gap.officer_id == Person.id)
        .where(*scope.officer_conditions())
        # Officers without a unit last on both databases (their NULLs sort differently).
        .order_by(case((Unit.id.is_(None), 1), else_=0), func.lower(Unit.name), Unit.id, func.lower(Person.last_name),
                  func.lower(Person.first_name), Person.id, gap.due_on, gap.id)
    )
    return stmt.outerjoin(oc, with_status) if scope.is_team else stmt.join(oc, with_status)


async def officer_lines(session: AsyncSession, scope: ReportScope, fetch: int = FETCH_SIZE
                        ) -> AsyncIterator[OfficerLine]:
    """The scope's officers one at a time, read through a server-side cursor."""
    result = await session.stream(appendix_query(scope).execution_options(yield_per=fetch))
    first: Any = None
    titles: list[str] = []
    async for row in result:
        if first is not None and row.id != first.id:
            yield _line(first, titles)
            titles = []
        if first is None or row.id != first.id:
            first = row
        # An officer owing a requirement in two periods has two gaps of the same title: listed once.
        if row.gap_title is not None and row.gap_title not in titles:
            titles.append(row.gap_title)
    if first is not None:
        yield _line(first, titles)


def _line(row: Any, titles: list[str]) -> OfficerLine:
    return OfficerLine(row.id, row.last_name, row.first_name, row.badge_number, row.rank, row.unit_name,
                       row.shown_state, row.percent, row.hours_done, row.hours_required, row.requirements_met,
                       row.requirements_total, row.next_due_on, row.evaluated_on, row.rule_pack, tuple(titles))

"""A supervisor's team: everyone under them in the chain of command, with each one's stored compliance.

Everything here reads the stored status (models/compliance_status.py) and aggregates in SQL: the team
is a recursive query over person.supervisor_id, so a page costs the same few statements whether the
team is three officers or a chief's whole agency. Nothing here evaluates compliance itself.

People Muster does not track (no licence date on file, or separated) are not listed: they have no
licensing cycle to be compliant with. The page says how many there are. Tracked officers the
stored-status writer has not reached yet are listed as "Not evaluated yet".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import (
    CertificateSubmission,
    EmploymentStatus,
    OfficerCompliance,
    OfficerComplianceGap,
    Person,
    RecordErrorReport,
    ReportStatus,
    Task,
    TaskKind,
    TaskStatus,
    Unit,
)
from services.access import MAX_CHAIN_DEPTH
from services.training_records import STATE_LABELS, Page, paginate
from services.training_requests import inbox_count

TEAM_PAGE_SIZE = 25
ON_LEAVE = "on_leave"
NOT_EVALUATED = "not_evaluated"
NOT_TRACKED = "not_tracked"
STATE_FILTERS = {**STATE_LABELS, ON_LEAVE: "On leave", NOT_EVALUATED: "Not evaluated yet"}
# The order people read states in (models.ComplianceState): sorting by state goes along it.
STATE_ORDER = {state: position for position, state in enumerate(STATE_LABELS)}
SORT_LABELS = {
    "name": "Name", "rank": "Rank", "unit": "Unit", "state": "State", "percent": "Percent",
    "hours": "Hours", "requirements": "Requirements", "outstanding": "Outstanding", "next_due": "Next deadline",
}
FILTER_KEYS = ("unit", "rank", "state", "sort", "dir", "page")

OC = OfficerCompliance
Gap = OfficerComplianceGap


@dataclass(frozen=True)
class Team:
    """Who a supervisor's team is: the people of `agency_id` under `supervisor_id`, direct or indirect."""

    agency_id: int
    supervisor_id: int

    @cached_property
    def member_ids(self) -> Select[int]:
        """Everyone below the supervisor, down to MAX_CHAIN_DEPTH levels (as services.access reads the
        chain upwards). The depth bound also ends the recursion if the data has a loop. One object per
        team, so a statement that asks twice renders the recursive query once."""
        below = (
            select(Person.id.label("person_id"), literal_column("1").label("depth"))
            .where(Person.agency_id == self.agency_id, Person.supervisor_id == self.supervisor_id)
            .cte("chain_below", recursive=True)
        )
        child = aliased(Person)
        below = below.union_all(
            select(child.id, below.c.depth + 1)
            .join(below, child.supervisor_id == below.c.person_id)
            .where(child.agency_id == self.agency_id, below.c.depth < MAX_CHAIN_DEPTH)
        )
        # A loop through the supervisor would bring them back in: they are never their own team.
        return select(below.c.person_id).where(below.c.person_id != self.supervisor_id)

    def has_member(self, person_id: Any) -> ColumnElement[bool]:
        return person_id.in_(self.member_ids)  # type: ignore[no-any-return]

    def tracked_members(self) -> ColumnElement[bool]:
        return and_(self.has_member(Person.id), is_tracked())


def is_tracked() -> ColumnElement[bool]:
    """services.compliance.is_tracked in SQL: licensed and not separated.

    The status is written into the SQL, not bound: PostgreSQL's generic plan for a bound value
    guessed one tracked person when everyone is active and nested-looped the whole roster (45 s for
    a chief of 40,000 in `make bench`); with the constant it estimates from the column's statistics.
    """
    separated = literal(EmploymentStatus.SEPARATED.value, literal_execute=True)
    return and_(Person.license_date.is_not(None), Person.employment_status != separated)


# --- Filters ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamChoices:
    """What the filters offer: the units and ranks the team's officers have."""

    units: list[tuple[int, str]]
    ranks: list[str]

    @property
    def rank_options(self) -> list[tuple[str, str]]:
        return [(rank, rank) for rank in self.ranks]


@dataclass(frozen=True)
class TeamFilters:
    unit: int | None = None
    rank: str = ""
    state: str = ""
    sort: str = "name"
    descending: bool = False


async def team_choices(session: AsyncSession, team: Team) -> TeamChoices:
    units = await session.execute(
        select(Unit.id, Unit.name).where(Unit.id.in_(select(Person.unit_id).where(team.tracked_members())))
        .order_by(Unit.name, Unit.id)
    )
    ranks = await session.scalars(select(Person.rank).where(team.tracked_members()).distinct().order_by(Person.rank))
    return TeamChoices(units=[(unit_id, name) for unit_id, name in units], ranks=list(ranks))


def parse_page(raw: str, errors: dict[str, str]) -> int:
    """A `?page=` value as a page number; anything else is page 1, with a message in `errors`."""
    if not raw:
        return 1
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 100_000:
        return int(raw)
    errors["page"] = "The page number is not valid; showing the first page."
    return 1


def parse_team_filters(params: Mapping[str, str], choices: TeamChoices
                       ) -> tuple[TeamFilters, int, dict[str, str], dict[str, str]]:
    """Filters, sort and page number from query parameters, their raw values, and a message per bad
    value (a bad value is dropped, so the page still shows something)."""
    raw = {key: str(params.get(key) or "").strip()[:60] for key in FILTER_KEYS}
    errors: dict[str, str] = {}
    unit = None
    if raw["unit"]:
        unit_ids = {str(unit_id): unit_id for unit_id, _ in choices.units}
        unit = unit_ids.get(raw["unit"])
        if unit is None:
            errors["unit"] = "Choose a unit from the list."
    if raw["rank"] and raw["rank"] not in choices.ranks:
        errors["rank"] = "Choose a rank from the list."
    if raw["state"] and raw["state"] not in STATE_FILTERS:
        errors["state"] = "Choose a state from the list."
    if raw["sort"] and raw["sort"] not in SORT_LABELS:
        errors["sort"] = "That column cannot be sorted; sorted by name."
    if raw["dir"] and raw["dir"] not in ("asc", "desc"):
        errors["dir"] = "Sort either ascending or descending; sorted ascending."
    page = parse_page(raw["page"], errors)
    filters = TeamFilters(
        unit=unit,
        rank="" if "rank" in errors else raw["rank"],
        state="" if "state" in errors else raw["state"],
        sort=raw["sort"] if raw["sort"] and "sort" not in errors else "name",
        descending=raw["dir"] == "desc",
    )
    return filters, page, raw, errors


# --- The list --------------------------------------------------------------------------------------


@dataclass
class TeamRow:
    """One officer of the team, as the list shows them."""

    officer_id: int
    first_name: str
    last_name: str
    rank: str
    unit: str | None
    state: str | None  # None: the stored status has not been written yet
    on_leave: bool
    percent: int | None
    hours_done: Decimal | None
    hours_required: Decimal | None
    requirements_met: int | None
    requirements_total: int | None
    next_due_on: date | None
    outstanding: list[str] = field(default_factory=list)

    @property
    def evaluated(self) -> bool:
        return self.state is not None

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state) if self.state else STATE_FILTERS[NOT_EVALUATED]


def _state_condition(state: str) -> ColumnElement[bool]:
    if state == ON_LEAVE:
        return OC.on_leave.is_(True)
    if state == NOT_EVALUATED:
        return OC.officer_id.is_(None)
    # Officers on leave are counted apart in every view, so a state filter leaves them out.
    return and_(OC.state == state, OC.on_leave.is_(False))


def _sort_key(sort: str) -> ColumnElement[Any]:
    keys: dict[str, Any] = {
        "rank": Person.rank, "unit": Unit.name, "state": case(STATE_ORDER, value=OC.state),
        "percent": OC.percent, "hours": OC.hours_done, "requirements": OC.requirements_met,
        "outstanding": OC.requirements_total - OC.requirements_met, "next_due": OC.next_due_on,
    }
    return keys[sort]  # type: ignore[no-any-return]


def _list_query(team: Team, filters: TeamFilters) -> Select[*tuple[Any, ...]]:
    stmt = (
        select(Person.id, Person.first_name, Person.last_name, Person.rank, Unit.name, OC.state, OC.on_leave,
               OC.percent, OC.hours_done, OC.hours_required, OC.requirements_met, OC.requirements_total,
               OC.next_due_on)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .outerjoin(OC, OC.officer_id == Person.id)
        .where(Person.agency_id == team.agency_id, team.tracked_members())
    )
    if filters.unit is not None:
        stmt = stmt.where(Person.unit_id == filters.unit)
    if filters.rank:
        stmt = stmt.where(Person.rank == filters.rank)
    if filters.state:
        stmt = stmt.where(_state_condition(filters.state))
    name = [Person.last_name.desc(), Person.first_name.desc()] if filters.descending else [Person.last_name,
                                                                                           Person.first_name]
    if filters.sort == "name":
        return stmt.order_by(*name, Person.id)
    key = _sort_key(filters.sort)
    # Whatever the direction, those without a value (not evaluated, nothing due) come last.
    return stmt.order_by(case((key.is_(None), 1), else_=0), key.desc() if filters.descending else key.asc(),
                         Person.last_name, Person.first_name, Person.id)


async def team_page(session: AsyncSession, team: Team, filters: TeamFilters, page: int) -> Page[TeamRow]:
    """One page of the team (three statements, whatever its size), each officer with the titles of
    the requirements they still owe, soonest due first."""
    stmt, total, page = await paginate(session, _list_query(team, filters), page, TEAM_PAGE_SIZE)
    rows = [TeamRow(*values) for values in await session.execute(stmt)]
    outstanding: dict[int, list[str]] = defaultdict(list)
    if rows:
        gaps = await session.execute(
            select(Gap.officer_id, Gap.title).where(Gap.officer_id.in_([row.officer_id for row in rows]))
            .order_by(Gap.officer_id, Gap.due_on, Gap.title)
        )
        for officer_id, title in gaps:
            outstanding[officer_id].append(title)
    for row in rows:
        row.outstanding = outstanding[row.officer_id]
    return Page(rows=rows, total=total, page=page, size=TEAM_PAGE_SIZE)


async def team_counts(session: AsyncSession, team: Team) -> dict[str, int]:
    """How many of the team are in each state, on leave, not evaluated yet, and not tracked at all."""
    bucket = case(
        (~is_tracked(), NOT_TRACKED),
        (OC.officer_id.is_(None), NOT_EVALUATED),
        (OC.on_leave.is_(True), ON_LEAVE),
        else_=OC.state,
    ).label("bucket")
    people = (select(bucket).select_from(Person).outerjoin(OC, OC.officer_id == Person.id)
              .where(Person.agency_id == team.agency_id, team.has_member(Person.id)).subquery())
    counts = {key: 0 for key in (*STATE_FILTERS, NOT_TRACKED)}
    for key, number in await session.execute(select(people.c.bucket, func.count()).group_by(people.c.bucket)):
        counts[key] = number
    return counts


# --- Pending items ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPending:
    requests_waiting_on_you: int
    certificates_waiting: int  # for the training coordinators
    open_record_reports: int


async def team_pending(session: AsyncSession, team: Team) -> TeamPending:
    """What is waiting: on the supervisor, and on the coordinators for anyone in the team (tracked or not)."""
    certificates = (
        select(func.count(Task.id))
        .join(CertificateSubmission, CertificateSubmission.id == Task.subject_id)
        .where(Task.agency_id == team.agency_id, Task.kind == TaskKind.REVIEW_CERTIFICATE,
               Task.status == TaskStatus.OPEN, team.has_member(CertificateSubmission.officer_id))
        .scalar_subquery()
    )
    reports = (
        select(func.count(RecordErrorReport.id))
        .where(RecordErrorReport.agency_id == team.agency_id, RecordErrorReport.status == ReportStatus.OPEN,
               team.has_member(RecordErrorReport.officer_id))
        .scalar_subquery()
    )
    certificate_count, report_count = (await session.execute(select(certificates, reports))).one()
    return TeamPending(await inbox_count(session, team.supervisor_id), certificate_count or 0, report_count or 0)

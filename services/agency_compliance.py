"""The agency's compliance in numbers: by unit (the tree rolled up), by rank, the requirements most often
outstanding, and the trend.

Everything is aggregated in SQL over the stored status (models/compliance_status.py), one statement per
function whatever the agency's size. The /agency pages and the council report export both read these
functions; services/agency_work_queues.py counts the work waiting, services/agency_officers.py lists the
officers behind a number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, String, case, distinct, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from models import (
    ComplianceSnapshot,
    OfficerCompliance,
    OfficerComplianceGap,
    Person,
    Unit,
)

# Bounds the recursive queries over unit.parent_id should the data ever hold a cycle of units.
MAX_UNIT_DEPTH = 20
TOP_GAPS = 10
STATES = ("compliant", "on_track", "at_risk", "overdue", "on_leave")
STATE_LABELS = {"compliant": "Compliant", "on_track": "On track", "at_risk": "At risk", "overdue": "Overdue",
                "on_leave": "On leave"}
PERIODS = ("monthly", "weekly")
# How far back the trend goes: 24 monthly points, or 26 weekly ones.
TREND_MONTHS = 24
TREND_WEEKS = 26


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StateCounts:
    """Officers per state. Officers on approved leave are counted apart, whatever their state."""

    compliant: int = 0
    on_track: int = 0
    at_risk: int = 0
    overdue: int = 0
    on_leave: int = 0
    total: int = field(init=False)
    # Compliant officers as a share of those not on leave, rounded down (100 only when every one is);
    # None when nobody is counted.
    percent_compliant: int | None = field(init=False)

    def __post_init__(self) -> None:
        total = self.compliant + self.on_track + self.at_risk + self.overdue + self.on_leave
        counted = total - self.on_leave
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "percent_compliant", 100 * self.compliant // counted if counted else None)

    def count(self, state: str) -> int:
        return int(getattr(self, state))

    def counts(self) -> tuple[int, ...]:
        """The five counts in STATES order (a chart's segments)."""
        return tuple(self.count(state) for state in STATES)


@dataclass(frozen=True, kw_only=True)
class UnitRow(StateCounts):
    """A unit with everything below it; depth 0 is a top of the tree shown."""

    unit_id: int
    name: str
    parent_id: int | None
    depth: int


@dataclass(frozen=True, kw_only=True)
class RankRow(StateCounts):
    rank: str


@dataclass(frozen=True, kw_only=True)
class TrendPoint(StateCounts):
    """The counts of the last snapshot of a month or ISO week (`day` is that snapshot's day)."""

    day: date


@dataclass(frozen=True)
class GapRow:
    """A requirement officers still owe: how many owe it, and how many of them are past its due date."""

    requirement_id: str
    title: str
    officers: int
    overdue: int


def sum_counts(rows: Iterable[StateCounts]) -> StateCounts:
    """The counts of several disjoint groups added up (the ranks add up to the whole scope)."""
    totals = dict.fromkeys(STATES, 0)
    for row in rows:
        for state in STATES:
            totals[state] += row.count(state)
    return StateCounts(**totals)


# --- Shared pieces of SQL ------------------------------------------------------------------------


def shown_state() -> Any:
    """The state an officer is counted under: 'on_leave' while on leave, else the engine's state."""
    on_leave = literal_column("'on_leave'", String)
    return case((OfficerCompliance.on_leave.is_(True), on_leave), else_=OfficerCompliance.state)


def _state_sums() -> list[Any]:
    shown = shown_state()
    return [func.sum(case((shown == state, 1), else_=0)).label(state) for state in STATES]


def _counts(row: Any) -> dict[str, int]:
    return {state: int(getattr(row, state) or 0) for state in STATES}


def _subtree(agency_id: int, unit_id: int) -> Any:
    """A recursive CTE of the unit and every unit below it (column unit_id)."""
    top = (
        select(Unit.id.label("unit_id"), literal_column("0", Integer).label("depth"))
        .where(Unit.agency_id == agency_id, Unit.id == unit_id)
        .cte("scope_units", recursive=True)
    )
    child = aliased(Unit)
    return top.union_all(
        select(child.id, top.c.depth + 1).where(child.parent_id == top.c.unit_id, top.c.depth < MAX_UNIT_DEPTH)
    )


def officers_in_scope(agency_id: int, unit_id: int | None) -> list[Any]:
    """Conditions on Person for officers of the agency (unit_id None) or of the unit and below."""
    conditions = [Person.agency_id == agency_id]
    if unit_id is not None:
        conditions.append(Person.unit_id.in_(select(_subtree(agency_id, unit_id).c.unit_id)))
    return conditions


def tracked_officers() -> Any:
    return select().select_from(OfficerCompliance).join(Person, Person.id == OfficerCompliance.officer_id)


# --- The unit tree and the ranks -----------------------------------------------------------------


async def agency_unit(session: AsyncSession, agency_id: int, unit_id: int) -> Unit | None:
    """The unit, if it belongs to the agency (another agency's unit is as good as missing)."""
    return await session.scalar(select(Unit).where(Unit.id == unit_id, Unit.agency_id == agency_id))


async def unit_rows(session: AsyncSession, agency_id: int, unit_id: int | None = None) -> list[UnitRow]:
    """The unit tree (the whole agency's, or from `unit_id` down) in reading order, each unit's counts
    including every officer below it. One statement: counts per unit, rolled up through the tree."""
    child = aliased(Unit)
    start = Unit.parent_id.is_(None) if unit_id is None else Unit.id == unit_id
    tree = (
        select(Unit.id.label("unit_id"), literal_column("0", Integer).label("depth"))
        .where(Unit.agency_id == agency_id, start)
        .cte("unit_tree", recursive=True)
    )
    tree = tree.union_all(
        select(child.id, tree.c.depth + 1).where(child.parent_id == tree.c.unit_id, tree.c.depth < MAX_UNIT_DEPTH)
    )
    # Each unit of the tree paired with itself and every unit below it.
    below = aliased(Unit)
    closure = select(
        tree.c.unit_id.label("ancestor_id"), tree.c.unit_id.label("unit_id"), literal_column("0", Integer).label("hops")
    ).cte("unit_closure", recursive=True)
    closure = closure.union_all(
        select(closure.c.ancestor_id, below.id, closure.c.hops + 1)
        .where(below.parent_id == closure.c.unit_id, closure.c.hops < MAX_UNIT_DEPTH)
    )
    # Officers are counted once per unit first, so the roll-up joins units, not officers.
    per_unit = (
        tracked_officers().add_columns(Person.unit_id, *_state_sums())
        .where(OfficerCompliance.agency_id == agency_id, Person.agency_id == agency_id, Person.unit_id.is_not(None))
        .group_by(Person.unit_id)
        .subquery("per_unit")
    )
    rolled = (
        select(closure.c.ancestor_id, *[func.sum(per_unit.c[state]).label(state) for state in STATES])
        .join(per_unit, per_unit.c.unit_id == closure.c.unit_id)
        .group_by(closure.c.ancestor_id)
        .subquery("rolled")
    )
    rows = await session.execute(
        select(Unit.id, Unit.name, Unit.parent_id, tree.c.depth, *[rolled.c[state] for state in STATES])
        .join(tree, tree.c.unit_id == Unit.id)
        .outerjoin(rolled, rolled.c.ancestor_id == Unit.id)
    )
    units = [UnitRow(unit_id=row.id, name=row.name, parent_id=row.parent_id, depth=row.depth, **_counts(row))
             for row in rows]
    return tree_order(units)


def tree_order(units: Sequence[UnitRow]) -> list[UnitRow]:
    """Parents before their children, siblings by name; each unit once (the first depth seen)."""
    by_id: dict[int, UnitRow] = {}
    for unit in sorted(units, key=lambda u: u.depth):
        by_id.setdefault(unit.unit_id, unit)
    children: dict[int | None, list[UnitRow]] = defaultdict(list)
    tops: list[UnitRow] = []
    for unit in by_id.values():
        (tops if unit.depth == 0 else children[unit.parent_id]).append(unit)
    ordered: list[UnitRow] = []
    stack = sorted(tops, key=lambda u: (u.name.lower(), u.unit_id), reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(sorted(children.pop(unit.unit_id, []), key=lambda u: (u.name.lower(), u.unit_id), reverse=True))
    return ordered


async def rank_rows(session: AsyncSession, agency_id: int, unit_id: int | None = None) -> list[RankRow]:
    """Counts per rank, ranks by name, for the agency or the unit and everything below it."""
    rows = await session.execute(
        tracked_officers().add_columns(Person.rank, *_state_sums())
        .where(OfficerCompliance.agency_id == agency_id, *officers_in_scope(agency_id, unit_id))
        .group_by(Person.rank)
        .order_by(Person.rank)
    )
    return [RankRow(rank=row.rank, **_counts(row)) for row in rows]


# --- Requirements most often outstanding ---------------------------------------------------------


async def top_gaps(session: AsyncSession, agency_id: int, unit_id: int | None = None,
                   limit: int = TOP_GAPS) -> list[GapRow]:
    """The requirements the most officers owe (officers on leave too: they still owe them)."""
    gap = OfficerComplianceGap
    officers = func.count(distinct(gap.officer_id))
    overdue = func.count(distinct(case((gap.overdue.is_(True), gap.officer_id))))
    stmt = (
        select(gap.requirement_id, func.max(gap.title).label("title"), officers.label("officers"),
               overdue.label("overdue"))
        .where(gap.agency_id == agency_id)
        .group_by(gap.requirement_id)
        .order_by(officers.desc(), overdue.desc(), func.max(gap.title), gap.requirement_id)
        .limit(limit)
    )
    if unit_id is not None:
        stmt = stmt.where(gap.officer_id.in_(select(Person.id).where(*officers_in_scope(agency_id, unit_id))))
    return [GapRow(row.requirement_id, row.title, row.officers, row.overdue) for row in await session.execute(stmt)]


async def requirement_title(session: AsyncSession, agency_id: int, requirement_id: str) -> str | None:
    """The title of a requirement some officer of the agency owes now; None when nobody owes it."""
    return await session.scalar(
        select(func.max(OfficerComplianceGap.title))
        .where(OfficerComplianceGap.agency_id == agency_id, OfficerComplianceGap.requirement_id == requirement_id)
    )


# --- The trend ------------------------------------------------------------------------------------


class _MonthStart(FunctionElement[date]):
    """The first day of a date's month (a DATE), in each database's own words."""

    type = Date()
    inherit_cache = True


class _WeekStart(FunctionElement[date]):
    """The Monday of a date's ISO week (a DATE)."""

    type = Date()
    inherit_cache = True


@compiles(_MonthStart, "postgresql")
def _month_start_postgresql(element: _MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(date_trunc('month', CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(_MonthStart, "sqlite")
def _month_start_sqlite(element: _MonthStart, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(_WeekStart, "postgresql")
def _week_start_postgresql(element: _WeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    # PostgreSQL's weeks are ISO weeks: they start on Monday.
    return f"CAST(date_trunc('week', CAST({compiler.process(element.clauses, **kw)} AS TIMESTAMP)) AS DATE)"


@compiles(_WeekStart, "sqlite")
def _week_start_sqlite(element: _WeekStart, compiler: SQLCompiler, **kw: Any) -> str:
    # On to the Sunday that ends the ISO week (the day itself if a Sunday), then back to its Monday.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


def trend_start(period: str, today: date) -> date:
    """The first day the trend covers: TREND_MONTHS months or TREND_WEEKS ISO weeks, today's included."""
    if period == "weekly":
        return today - timedelta(days=today.weekday() + 7 * (TREND_WEEKS - 1))
    months = today.year * 12 + today.month - 1 - (TREND_MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


async def trend(session: AsyncSession, agency_id: int, unit_id: int | None, period: str, today: date
                ) -> list[TrendPoint]:
    """The last snapshot of each month (or ISO week) up to today, oldest first, for the agency (unit_id
    None) or the unit with everything below it."""
    snapshot = ComplianceSnapshot
    unit_key = unit_id or 0
    period_start = _WeekStart(snapshot.day) if period == "weekly" else _MonthStart(snapshot.day)
    in_range = (snapshot.agency_id == agency_id, snapshot.unit_key == unit_key,
                snapshot.day >= trend_start(period, today), snapshot.day <= today)
    last_days = select(func.max(snapshot.day)).where(*in_range).group_by(period_start)
    rows = await session.scalars(select(snapshot).where(*in_range, snapshot.day.in_(last_days)).order_by(snapshot.day))
    return [TrendPoint(day=row.day, **{state: getattr(row, state) for state in STATES}) for row in rows]

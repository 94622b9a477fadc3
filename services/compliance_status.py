"""Each tracked officer's stored compliance, and the daily snapshot of the counts: the one writer of
officer_compliance, officer_compliance_gap, compliance_snapshot and compliance_gap_snapshot.

The engine decides (services/compliance.officer_status); this module keeps its last answer so team and
command views aggregate in SQL. Choices made here once:
- A stored row is never replaced by an evaluation for an earlier date: the licensing-cycle workflow
  evaluates the last day of a cycle after today's evaluation, and that must not win.
- requirements_met/total count the current periods only. An unmet earlier period (the previous cycle
  or year) is a gap and makes the state overdue, but is not one more requirement of the officer's.
- On leave: a leave recorded for the officer (ComplianceWaiver kind "leave"; there is no separate
  approval step, a coordinator records it) covers the evaluation date, for any requirement.
- Snapshots count each officer once, in on_leave when on leave and otherwise in their state, so the
  five columns add up to the officers tracked. Gap snapshots count on-leave officers too: they still owe it.
- A separated licensee has no row (officer_status is None for them, whatever their pack says a licensee
  without an employer owes), so no count or percentage includes someone who is not the agency's officer.
- Officers are evaluated, and snapshots dated, on their agency's own date (the day the officer's own
  dashboard shows), not the UTC date: in a US evening the UTC date is already tomorrow. The daily refresh
  and the licensing-cycle activity pass the instant; local_days turns it into each agency's date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, case, delete, func, insert, literal, null, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from compliance import ComplianceStatus
from models import (
    Agency,
    ComplianceGapSnapshot,
    ComplianceSnapshot,
    ComplianceState,
    ComplianceWaiver,
    OfficerCompliance,
    OfficerComplianceGap,
    Person,
    Unit,
    WaiverKind,
    utcnow,
)
from services.compliance import officer_status
from services.time_zones import agency_zone_or_utc

# The stored row's columns the upsert replaces (everything but the key).
# The snapshot's counts: one per state, then on leave (counted apart from the states).
_STATES = (ComplianceState.COMPLIANT, ComplianceState.ON_TRACK, ComplianceState.AT_RISK, ComplianceState.OVERDUE)
_COUNT_COLUMNS = (*_STATES, "on_leave")
_ROW_COLUMNS = ("agency_id", "state", "on_leave", "percent", "hours_done", "hours_required", "requirements_met",
                "requirements_total", "cycle_start", "cycle_end", "next_due_on", "evaluated_on", "rule_pack")


# Each agency's own date (agency id -> date), or one date for everyone (tests, a chosen day).
EvaluationDay = date | Mapping[int, date]


async def local_days(session: AsyncSession, at: datetime, agency_ids: Collection[int] | None = None
                     ) -> dict[int, date]:
    """Each agency's date at the instant `at` (as services/training_records.agency_today gives it now), in
    one query; a stored zone Muster cannot use counts as UTC, as on the pages."""
    query = select(Agency.id, Agency.timezone)
    if agency_ids is not None:
        query = query.where(Agency.id.in_(agency_ids))
    return {agency_id: at.astimezone(agency_zone_or_utc(timezone or "", agency_id)).date()
            for agency_id, timezone in await session.execute(query)}


def _day_of(person: Person, on: EvaluationDay) -> date:
    return on if isinstance(on, date) else on[person.agency_id]


@dataclass(frozen=True)
class Gap:
    """One unmet requirement as stored (officer_compliance_gap without its keys)."""

    requirement_id: str
    title: str
    due_on: date
    overdue: bool
    missing: str


def gaps_of(status: ComplianceStatus) -> list[Gap]:
    """One gap per unmet requirement. `missing` has one sentence per unmet requirement, in the order of
    `requirements` (compliance.engine.ComplianceStatus), so they pair up."""
    unmet = [requirement for requirement in status.requirements if not requirement.met]
    return [
        Gap(requirement.requirement.id, requirement.requirement.title, requirement.due_on, requirement.overdue,
            sentence)
        for requirement, sentence in zip(unmet, status.missing, strict=True)
    ]


async def on_leave(session: AsyncSession, officer_id: int, on: date) -> bool:
    leave = await session.scalar(select(ComplianceWaiver.id).where(
        ComplianceWaiver.officer_id == officer_id, ComplianceWaiver.kind == WaiverKind.LEAVE,
        ComplianceWaiver.starts_on <= on, or_(ComplianceWaiver.ends_on.is_(None), ComplianceWaiver.ends_on >= on),
    ).limit(1))
    return leave is not None


def _row(person: Person, status: ComplianceStatus, leave: bool, on: date) -> dict[str, Any]:
    current = [requirement for requirement in status.requirements if not requirement.previous_period]
    unmet_due = [requirement.due_on for requirement in status.requirements if not requirement.met]
    return {
        "officer_id": person.id, "agency_id": person.agency_id, "state": ComplianceState(status.state),
        "on_leave": leave, "percent": status.percent, "hours_done": status.total_done,
        "hours_required": status.total_required,
        "requirements_met": sum(1 for requirement in current if requirement.met),
        "requirements_total": len(current), "cycle_start": status.cycle_start, "cycle_end": status.cycle_end,
        "next_due_on": min(unmet_due, default=None), "evaluated_on": on, "rule_pack": status.pack_code,
    }


def _upsert(session: AsyncSession, row: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE, unless the stored evaluation is for a later date. Returns the key
    when written, nothing when skipped. One statement, so the daily refresh and a licensing-cycle
    activity writing the same officer at once both succeed (the later one waits for the row lock)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OfficerCompliance).values(**row, updated_at=utcnow())
    return statement.on_conflict_do_update(
        index_elements=[OfficerCompliance.officer_id],
        set_={**{name: statement.excluded[name] for name in _ROW_COLUMNS}, "updated_at": utcnow()},
        where=OfficerCompliance.evaluated_on <= statement.excluded.evaluated_on,
    ).returning(OfficerCompliance.officer_id)


async def store_evaluation(session: AsyncSession, person: Person, status: ComplianceStatus | None, on: date) -> None:
    """Store the officer's evaluation on `on` with its gaps; remove the row when `status` is None (no longer
    tracked, or licensed only from a later date). Idempotent: storing the same evaluation again leaves
    the same rows, gap ids included."""
    if status is None:
        # The gaps go with it (ON DELETE CASCADE).
        await session.execute(delete(OfficerCompliance).where(OfficerCompliance.officer_id == person.id))
        return
    row = _row(person, status, await on_leave(session, person.id, on), on)
    if await session.scalar(_upsert(session, row)) is None:
        return  # a later evaluation is stored already
    await _replace_gaps(session, person, gaps_of(status))


async def _replace_gaps(session: AsyncSession, person: Person, gaps: list[Gap]) -> None:
    stored = (await session.execute(
        select(OfficerComplianceGap.agency_id, OfficerComplianceGap.requirement_id, OfficerComplianceGap.title,
               OfficerComplianceGap.due_on, OfficerComplianceGap.overdue, OfficerComplianceGap.missing)
        .where(OfficerComplianceGap.officer_id == person.id).order_by(OfficerComplianceGap.id)
    )).all()
    wanted = [(person.agency_id, gap.requirement_id, gap.title, gap.due_on, gap.overdue, gap.missing)
              for gap in gaps]
    if [tuple(row) for row in stored] == wanted:
        return  # unchanged: most officers on most days
    await session.execute(delete(OfficerComplianceGap).where(OfficerComplianceGap.officer_id == person.id))
    if gaps:
        await session.execute(insert(OfficerComplianceGap), [
            {"officer_id": person.id, "agency_id": person.agency_id, "requirement_id": gap.requirement_id,
             "title": gap.title, "due_on": gap.due_on, "overdue": gap.overdue, "missing": gap.missing}
            for gap in gaps
        ])


async def refresh_officers(session: AsyncSession, officer_ids: Sequence[int], on: EvaluationDay) -> None:
    """Evaluate these people on `on` (one date, or their agency's from local_days) and store the result
    (or remove the row of anyone not tracked).

    Every evaluation is read before the first write, so on SQLite the write lock is held only while
    storing.
    """
    people = {person.id: person for person in await session.scalars(select(Person).where(Person.id.in_(officer_ids)))}
    evaluations = [(person, _day_of(person, on)) for person in people.values()]
    statuses = [(person, await officer_status(session, person.id, day), day) for person, day in evaluations]
    for person, status, day in statuses:
        await store_evaluation(session, person, status, day)


async def refresh_page(session: AsyncSession, after_officer_id: int, limit: int, on: EvaluationDay
                       ) -> int | None:
    """Refresh the next `limit` people by id after `after_officer_id`, tracked or not, so that a separated
    officer's row goes too. Returns the last id handled, or None once the roster is done."""
    officer_ids = list(await session.scalars(
        select(Person.id).where(Person.id > after_officer_id).order_by(Person.id).limit(limit)
    ))
    await refresh_officers(session, officer_ids, on)
    return officer_ids[-1] if len(officer_ids) == limit else None


def _officer_counts() -> list[Any]:
    """The five counts over officer_compliance rows: on leave apart, everyone else by state."""
    by_state = [func.sum(case((and_(~OfficerCompliance.on_leave, OfficerCompliance.state == state), 1), else_=0))
                for state in _STATES]
    return [*by_state, func.sum(case((OfficerCompliance.on_leave, 1), else_=0))]


def _unit_tree() -> Any:
    """Each unit with itself and every unit below it: (ancestor_id, unit_id) pairs."""
    tree = select(Unit.id.label("ancestor_id"), Unit.id.label("unit_id")).cte("unit_tree", recursive=True)
    below = aliased(Unit)
    return tree.union_all(select(tree.c.ancestor_id, below.id).join(below, below.parent_id == tree.c.unit_id))


async def take_local_snapshots(session: AsyncSession, at: datetime) -> tuple[int, int]:
    """Each agency's snapshot dated by its own date at the instant `at`. Agencies sharing a date are
    written together, so a few dates (zones span three at most) whatever the number of agencies."""
    agencies_by_day: dict[date, list[int]] = defaultdict(list)
    for agency_id, day in (await local_days(session, at)).items():
        agencies_by_day[day].append(agency_id)
    written = [await take_snapshot(session, day, agencies) for day, agencies in sorted(agencies_by_day.items())]
    return sum(counts for counts, _ in written), sum(topics for _, topics in written)


async def take_snapshot(session: AsyncSession, day: date, agency_ids: Collection[int] | None = None
                        ) -> tuple[int, int]:
    """Write `day`'s counts from the stored rows for these agencies (all when None), replacing any already
    written for that day and agency, so a re-run is safe. Per agency (unit_key 0) and per unit with
    everything below it, every unit getting a row (zeros included) so each trend line is continuous. Four
    INSERT ... SELECT statements whatever the size of the agency. Returns how many count rows and topic
    rows were written."""
    await session.execute(delete(ComplianceSnapshot).where(ComplianceSnapshot.day == day,
                                                           _among(ComplianceSnapshot.agency_id, agency_ids)))
    await session.execute(delete(ComplianceGapSnapshot).where(ComplianceGapSnapshot.day == day,
                                                              _among(ComplianceGapSnapshot.agency_id, agency_ids)))
    on_day = literal(day, Date())
    tree = _unit_tree()
    count_columns = ["day", "agency_id", "unit_id", "unit_key", *(str(name) for name in _COUNT_COLUMNS)]
    per_agency = (
        select(on_day, Agency.id, null(), literal(0), *_officer_counts())
        .select_from(Agency).outerjoin(OfficerCompliance, OfficerCompliance.agency_id == Agency.id)
        .where(_among(Agency.id, agency_ids)).group_by(Agency.id)
    )
    # Each officer counted once in their own unit, then summed up the tree.
    per_unit = (
        select(Person.unit_id,
               *(count.label(name) for count, name in zip(_officer_counts(), _COUNT_COLUMNS, strict=True)))
        .join(OfficerCompliance, OfficerCompliance.officer_id == Person.id)
        .where(Person.unit_id.is_not(None)).group_by(Person.unit_id).subquery("per_unit")
    )
    units = (
        select(on_day, Unit.agency_id, Unit.id, Unit.id,
               *(func.coalesce(func.sum(per_unit.c[name]), 0) for name in _COUNT_COLUMNS))
        .select_from(Unit).join(tree, tree.c.ancestor_id == Unit.id)
        .outerjoin(per_unit, per_unit.c.unit_id == tree.c.unit_id)
        .where(_among(Unit.agency_id, agency_ids)).group_by(Unit.agency_id, Unit.id)
    )
    for query in (per_agency, units):
        await session.execute(insert(ComplianceSnapshot).from_select(count_columns, query))
    await _take_gap_snapshot(session, on_day, tree, agency_ids)
    return (await _rows_on(session, ComplianceSnapshot, day, agency_ids),
            await _rows_on(session, ComplianceGapSnapshot, day, agency_ids))


def _among(column: Any, agency_ids: Collection[int] | None) -> Any:
    """A condition on an agency id column: one of `agency_ids`, or any agency when None."""
    return true() if agency_ids is None else column.in_(agency_ids)


async def _rows_on(session: AsyncSession, table: type[ComplianceSnapshot | ComplianceGapSnapshot], day: date,
                   agency_ids: Collection[int] | None) -> int:
    return await session.scalar(
        select(func.count()).select_from(table).where(table.day == day, _among(table.agency_id, agency_ids))
    ) or 0


async def _take_gap_snapshot(session: AsyncSession, on_day: Any, tree: Any, agency_ids: Collection[int] | None
                             ) -> None:
    gap = OfficerComplianceGap
    officers = func.count(gap.officer_id.distinct())
    overdue = func.count(case((gap.overdue, gap.officer_id)).distinct())
    columns = ["day", "agency_id", "unit_key", "requirement_id", "title", "officers", "overdue"]
    per_gap_agency = (
        select(on_day, gap.agency_id, literal(0), gap.requirement_id, func.max(gap.title), officers, overdue)
        .where(_among(gap.agency_id, agency_ids)).group_by(gap.agency_id, gap.requirement_id)
    )
    # An officer sits in one unit, so summing per-unit distinct counts up the tree counts each officer once.
    per_unit = (
        select(Person.unit_id, gap.requirement_id, func.max(gap.title).label("title"), officers.label("officers"),
               overdue.label("overdue"))
        .join(gap, gap.officer_id == Person.id).where(Person.unit_id.is_not(None))
        .group_by(Person.unit_id, gap.requirement_id).subquery("per_unit_gaps")
    )
    units = (
        select(on_day, Unit.agency_id, Unit.id, per_unit.c.requirement_id, func.max(per_unit.c.title),
               func.sum(per_unit.c.officers), func.sum(per_unit.c.overdue))
        .select_from(Unit).join(tree, tree.c.ancestor_id == Unit.id)
        .join(per_unit, per_unit.c.unit_id == tree.c.unit_id)
        .where(_among(Unit.agency_id, agency_ids)).group_by(Unit.agency_id, Unit.id, per_unit.c.requirement_id)
    )
    for query in (per_gap_agency, units):
        await session.execute(insert(ComplianceGapSnapshot).from_select(columns, query))

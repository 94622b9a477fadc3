"""The agency's units (a tree: add, rename, move, retire) and its list of ranks.

Nothing here commits: the caller does. Every change is audited with before and after; a refused change
raises RosterRefusal with the message to show beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import AgencyRank, AuditOutcome, EmploymentPeriod, EmploymentStatus, Person, Unit
from services.access import CurrentUser
from services.audit import record_audit
from services.form_text import control_character_problem
from services.roster_people import RosterRefusal

UNIT_NAME_LIMIT = 200
RANK_NAME_LIMIT = 50


@dataclass(frozen=True)
class UnitRow:
    """One unit as the tree shows it, with how many people (not separated) it holds."""

    id: int
    name: str
    parent_id: int | None
    depth: int
    retired_on: date | None
    people: int


def _audit(db: AsyncSession, actor: CurrentUser, source: str | None, action: str, object_type: str, object_id: int,
           before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    record_audit(db, actor.id, actor.audit_label, action, object_type, object_id, AuditOutcome.SUCCESS, source,
                 actor.agency_id, {"before": before, "after": after})


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {"name": unit.name, "parent_id": unit.parent_id,
            "retired_on": unit.retired_on.isoformat() if unit.retired_on else None}


async def unit_tree(db: AsyncSession, agency_id: int) -> list[UnitRow]:
    """Every unit of the agency, each followed by its children (by name), with its depth."""
    units = list(await db.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.name)))
    counts = {unit_id: count for unit_id, count in await db.execute(
        select(Person.unit_id, func.count()).where(Person.agency_id == agency_id,
                                                   Person.employment_status != EmploymentStatus.SEPARATED)
        .group_by(Person.unit_id))}
    children: dict[int | None, list[Unit]] = {}
    known = {unit.id for unit in units}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in known else None, []).append(unit)
    rows: list[UnitRow] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for unit in children.get(parent, []):
            if unit.id in seen:  # a cycle in old data must not loop forever
                continue
            seen.add(unit.id)
            rows.append(UnitRow(unit.id, unit.name, unit.parent_id, depth, unit.retired_on, counts.get(unit.id, 0)))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return rows


async def agency_unit(db: AsyncSession, agency_id: int, unit_id: int) -> Unit | None:
    """The unit if it belongs to the agency (another agency's id is answered as not found)."""
    unit = await db.get(Unit, unit_id)
    return unit if unit is not None and unit.agency_id == agency_id else None


async def _check_name(db: AsyncSession, agency_id: int, name: str, unit_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise RosterRefusal({"name": "Enter the unit's name."})
    if len(name) > UNIT_NAME_LIMIT:
        raise RosterRefusal({"name": f"Keep the name to {UNIT_NAME_LIMIT} characters."})
    if problem := control_character_problem(name):
        raise RosterRefusal({"name": problem})
    taken = select(Unit.id).where(Unit.agency_id == agency_id, Unit.name == name)
    if unit_id is not None:
        taken = taken.where(Unit.id != unit_id)
    if await db.scalar(taken.limit(1)) is not None:
        raise RosterRefusal({"name": "The agency already has a unit of this name."})
    return name


async def _open_parent(db: AsyncSession, agency_id: int, parent_id: int | None) -> Unit | None:
    if parent_id is None:
        return None
    parent = await agency_unit(db, agency_id, parent_id)
    if parent is None or parent.retired_on is not None:
        raise RosterRefusal({"parent_id": "Choose one of the agency's open units, or none."})
    return parent


async def add_unit(db: AsyncSession, actor: CurrentUser, source: str | None, name: str, parent_id: int | None
                   ) -> Unit:
    name = await _check_name(db, actor.agency_id, name, None)
    await _open_parent(db, actor.agency_id, parent_id)
    unit = Unit(agency_id=actor.agency_id, name=name, parent_id=parent_id)
    db.add(unit)
    await db.flush()
    _audit(db, actor, source, "roster.unit_add", "unit", unit.id, None, _unit_snapshot(unit))
    return unit


async def rename_unit(db: AsyncSession, actor: CurrentUser, source: str | None, unit: Unit, name: str) -> None:
    name = await _check_name(db, unit.agency_id, name, unit.id)
    before = _unit_snapshot(unit)
    unit.name = name
    _audit(db, actor, source, "roster.unit_rename", "unit", unit.id, before, _unit_snapshot(unit))


async def descendants(db: AsyncSession, unit: Unit) -> set[int]:
    """The ids of every unit below this one (children, their children, ...)."""
    rows = [(child, parent) for child, parent in
            await db.execute(select(Unit.id, Unit.parent_id).where(Unit.agency_id == unit.agency_id))]
    below: set[int] = set()
    frontier = {unit.id}
    while frontier:
        frontier = {child for child, parent in rows if parent in frontier and child not in below and child != unit.id}
        below |= frontier
    return below


async def move_unit(db: AsyncSession, actor: CurrentUser, source: str | None, unit: Unit, parent_id: int | None
                    ) -> None:
    """Put the unit (with everything below it) under another parent, or at the top; never under itself."""
    await _open_parent(db, unit.agency_id, parent_id)
    if parent_id is not None and (parent_id == unit.id or parent_id in await descendants(db, unit)):
        raise RosterRefusal({"parent_id": "A unit cannot move under itself or under one of its own units."})
    before = _unit_snapshot(unit)
    unit.parent_id = parent_id
    _audit(db, actor, source, "roster.unit_move", "unit", unit.id, before, _unit_snapshot(unit))


async def retire_unit(db: AsyncSession, actor: CurrentUser, source: str | None, unit: Unit, on: date) -> None:
    """Retire an empty unit: refused while a person who has not separated, or an open unit, is in it."""
    if unit.retired_on is not None:
        raise RosterRefusal({"retire": "This unit is already retired."})
    people = await db.scalar(select(func.count()).select_from(Person).where(
        Person.unit_id == unit.id, Person.employment_status != EmploymentStatus.SEPARATED))
    children = await db.scalar(select(func.count()).select_from(Unit).where(
        Unit.parent_id == unit.id, Unit.retired_on.is_(None)))
    problems = []
    if people:
        problems.append(f"{people} {'person is' if people == 1 else 'people are'} still in it: transfer them first")
    if children:
        problems.append(f"{children} open unit{' is' if children == 1 else 's are'} under it: move or retire "
                        f"{'it' if children == 1 else 'them'} first")
    if problems:
        raise RosterRefusal({"retire": "This unit cannot be retired: " + "; ".join(problems) + "."})
    before = _unit_snapshot(unit)
    unit.retired_on = on
    _audit(db, actor, source, "roster.unit_retire", "unit", unit.id, before, _unit_snapshot(unit))


# --- Ranks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    id: int
    name: str
    people: int


async def agency_ranks(db: AsyncSession, agency_id: int) -> list[RankRow]:
    """The agency's ranks in their order, with how many people (not separated) hold each."""
    held = {rank: count for rank, count in await db.execute(
        select(Person.rank, func.count()).where(Person.agency_id == agency_id,
                                                Person.employment_status != EmploymentStatus.SEPARATED)
        .group_by(Person.rank))}
    ranks = await db.scalars(select(AgencyRank).where(AgencyRank.agency_id == agency_id)
                             .order_by(AgencyRank.position, AgencyRank.name))
    return [RankRow(rank.id, rank.name, held.get(rank.name, 0)) for rank in ranks]


async def agency_rank(db: AsyncSession, agency_id: int, rank_id: int) -> AgencyRank | None:
    rank = await db.get(AgencyRank, rank_id)
    return rank if rank is not None and rank.agency_id == agency_id else None


async def _check_rank_name(db: AsyncSession, agency_id: int, name: str, rank_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise RosterRefusal({"rank_name": "Enter the rank's name."})
    if len(name) > RANK_NAME_LIMIT:
        raise RosterRefusal({"rank_name": f"Keep the name to {RANK_NAME_LIMIT} characters."})
    if problem := control_character_problem(name):
        raise RosterRefusal({"rank_name": problem})
    taken = select(AgencyRank.id).where(AgencyRank.agency_id == agency_id, AgencyRank.name == name)
    if rank_id is not None:
        taken = taken.where(AgencyRank.id != rank_id)
    if await db.scalar(taken.limit(1)) is not None:
        raise RosterRefusal({"rank_name": "The agency already has this rank."})
    return name


async def add_rank(db: AsyncSession, actor: CurrentUser, source: str | None, name: str) -> AgencyRank:
    """Add a rank at the bottom of the list."""
    name = await _check_rank_name(db, actor.agency_id, name, None)
    last = await db.scalar(select(func.max(AgencyRank.position)).where(AgencyRank.agency_id == actor.agency_id))
    rank = AgencyRank(agency_id=actor.agency_id, name=name, position=(last or 0) + 1)
    db.add(rank)
    await db.flush()
    _audit(db, actor, source, "roster.rank_add", "agency_rank", rank.id, None,
           {"name": name, "position": rank.position})
    return rank


async def rename_rank(db: AsyncSession, actor: CurrentUser, source: str | None, rank: AgencyRank, name: str
                      ) -> int:
    """Rename the rank and the people who hold it (their rank is its name); returns how many people."""
    name = await _check_rank_name(db, rank.agency_id, name, rank.id)
    before = {"name": rank.name}
    result = await db.execute(update(Person).where(Person.agency_id == rank.agency_id, Person.rank == rank.name)
                              .values(rank=name).execution_options(synchronize_session="fetch"))
    rank.name = name
    renamed = int(getattr(result, "rowcount", 0) or 0)
    record_audit(db, actor.id, actor.audit_label, "roster.rank_rename", "agency_rank", rank.id, AuditOutcome.SUCCESS,
                 source, actor.agency_id, {"before": before, "after": {"name": name}, "people_renamed": renamed})
    return renamed


async def move_rank(db: AsyncSession, actor: CurrentUser, source: str | None, rank: AgencyRank, up: bool) -> None:
    """Swap the rank with its neighbour above (or below); at either end nothing changes."""
    ranks = list(await db.scalars(select(AgencyRank).where(AgencyRank.agency_id == rank.agency_id)
                                  .order_by(AgencyRank.position, AgencyRank.name)))
    index = ranks.index(rank)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ranks):
        return
    before = [r.name for r in ranks]
    ranks[index], ranks[other] = ranks[other], ranks[index]
    for position, each in enumerate(ranks, start=1):
        each.position = position
    record_audit(db, actor.id, actor.audit_label, "roster.rank_reorder", "agency_rank", rank.id, AuditOutcome.SUCCESS,
                 source, actor.agency_id, {"before": before, "after": [r.name for r in ranks]})


async def delete_rank(db: AsyncSession, actor: CurrentUser, source: str | None, rank: AgencyRank) -> None:
    """Remove a rank nobody holds (separated people included: their record still names it)."""
    held = await db.scalar(select(func.count()).select_from(Person).where(
        Person.agency_id == rank.agency_id, Person.rank == rank.name))
    if held:
        raise RosterRefusal({"rank_name": f"{rank.name} is held by {held} "
                                          f"{'person' if held == 1 else 'people'}; it cannot be deleted."})
    _audit(db, actor, source, "roster.rank_delete", "agency_rank", rank.id, {"name": rank.name}, None)
    await db.delete(rank)


async def roster_from_people(db: AsyncSession, agency_id: int) -> None:
    """Fill the rank list and employment periods from the people already on file (as migration 0012 does
    for agencies that existed before it); for people added without the roster pages, such as the demo seed."""
    listed = set(await db.scalars(select(AgencyRank.name).where(AgencyRank.agency_id == agency_id)))
    held = sorted(set(await db.scalars(select(Person.rank).where(Person.agency_id == agency_id))) - listed)
    last = await db.scalar(select(func.max(AgencyRank.position)).where(AgencyRank.agency_id == agency_id)) or 0
    db.add_all(AgencyRank(agency_id=agency_id, name=name, position=last + i) for i, name in enumerate(held, start=1))
    with_period = select(EmploymentPeriod.person_id)
    for person in await db.scalars(select(Person).where(Person.agency_id == agency_id, Person.id.not_in(with_period))):
        started = person.hired_on or person.license_date
        if started is not None:  # no known start: none is invented
            db.add(EmploymentPeriod(agency_id=agency_id, person_id=person.id, started_on=started,
                                    ended_on=person.separated_on, part_time=person.part_time,
                                    end_reason="Separated" if person.separated_on else None))
    await db.flush()

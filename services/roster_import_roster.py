"""The roster as a roster import reads it: units by name or path, ranks, and people by badge and licence.

Loaded once per staging (one query per table, licence numbers of other agencies a chunk at a time), so
classifying a file of thousands of rows costs a handful of round trips, not one per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import format_date
from models import AgencyRank, EmploymentStatus, Person, Unit

_CHUNK = 1000


def fold(text: str) -> str:
    """How names are compared: case and runs of spaces do not matter."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class UnitEntry:
    id: int
    path: tuple[str, ...]  # names from the root down to the unit
    retired: bool

    @property
    def label(self) -> str:
        return "/".join(self.path)


class RosterIndex:
    """The agency's units, ranks and people, and whom a licence number names in any agency."""

    def __init__(self, units: list[UnitEntry], ranks: list[str], people: list[Person],
                 licences_elsewhere: set[str]) -> None:
        self.units = {unit.id: unit for unit in units}
        self._units_by_name: dict[str, list[UnitEntry]] = {}
        for unit in units:
            self._units_by_name.setdefault(fold(unit.path[-1]), []).append(unit)
        self.ranks = ranks
        self._ranks = {fold(rank): rank for rank in ranks}
        self.people = {person.id: person for person in people}
        self.by_badge = {fold(person.badge_number): person for person in people}
        self.by_licence = {fold(person.license_number): person for person in people if person.license_number}
        self.licences_elsewhere = licences_elsewhere

    @classmethod
    async def load(cls, db: AsyncSession, agency_id: int, licences: Iterable[str]) -> RosterIndex:
        rows = (await db.execute(select(Unit.id, Unit.parent_id, Unit.name, Unit.retired_on)
                                 .where(Unit.agency_id == agency_id))).all()
        parents = {row.id: row.parent_id for row in rows}
        names = {row.id: row.name for row in rows}
        units = [UnitEntry(row.id, _path(row.id, parents, names), row.retired_on is not None) for row in rows]
        ranks = list(await db.scalars(select(AgencyRank.name).where(AgencyRank.agency_id == agency_id)
                                      .order_by(AgencyRank.position, AgencyRank.name)))
        people = list(await db.scalars(select(Person).where(Person.agency_id == agency_id)))
        wanted = sorted({licence.strip() for licence in licences if licence.strip()})
        elsewhere: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            chunk += [value.upper() for value in chunk]
            found = await db.scalars(select(Person.license_number).where(Person.agency_id != agency_id,
                                                                         Person.license_number.in_(chunk)))
            elsewhere |= {fold(value) for value in found if value}
        return cls(units, ranks, people, elsewhere)

    def unit(self, written: str) -> UnitEntry | str:
        """The unit a cell names ("North" or a path such as "Patrol/North"), or why there is none."""
        parts = [fold(part) for part in written.replace("\\", "/").split("/") if part.strip()]
        if not parts:
            return "Unit: write the unit's name or its path, such as Patrol/North."
        matches = [unit for unit in self._units_by_name.get(parts[-1], [])
                   if [fold(name) for name in unit.path[-len(parts):]] == parts]
        if not matches:
            return f"Unknown unit “{written[:60]}”: add it on the roster's units page, or use an existing unit."
        if len(matches) > 1:
            return f"Unit “{written[:60]}” names several units: write its path, such as {matches[0].label}."
        if matches[0].retired:
            return f"Unit {matches[0].label} is retired: choose an open unit."
        return matches[0]

    def rank(self, written: str) -> str | None:
        """The agency's own spelling of the rank a cell names, if it is on the list."""
        return self._ranks.get(fold(written))

    def unit_label(self, unit_id: int | None) -> str:
        unit = self.units.get(unit_id) if unit_id is not None else None
        return unit.label if unit else "—"

    def person_label(self, person_id: int | None) -> str:
        person = self.people.get(person_id) if person_id is not None else None
        return label(person) if person else "—"


def label(person: Person) -> str:
    return f"{person.full_name} (badge {person.badge_number})"


def _path(unit_id: int, parents: dict[int, int | None], names: dict[int, str]) -> tuple[str, ...]:
    path: list[str] = []
    current: int | None = unit_id
    while current is not None and current in names and len(path) < 20:  # bounded: bad data cannot loop
        path.append(names[current])
        current = parents.get(current)
    return tuple(reversed(path))


def match(index: RosterIndex, licence: str, badge: str) -> Person | str | None:
    """The person a row means (licence number first, then badge number), None for someone new, or why
    the row cannot be matched safely."""
    by_licence = index.by_licence.get(fold(licence)) if licence else None
    by_badge = index.by_badge.get(fold(badge)) if badge else None
    if licence and by_licence is None and fold(licence) in index.licences_elsewhere:
        return f"Licence number {licence[:30]} is on another agency's roster."
    if by_licence is not None and by_badge is not None and by_licence is not by_badge:
        return (f"The licence number is {label(by_licence)}'s but the badge number is {label(by_badge)}'s: "
                "they are two different people.")
    if by_licence is None and by_badge is not None and licence and by_badge.license_number:
        return (f"Badge number {badge[:30]} is {label(by_badge)}'s, whose licence number is "
                f"{by_badge.license_number}, not {licence[:30]}.")
    person = by_licence or by_badge
    if person is not None and person.employment_status == EmploymentStatus.SEPARATED:
        left = f" on {format_date(person.separated_on)}" if person.separated_on else ""
        return f"{label(person)} separated{left}: re-hire them on their roster page first."
    return person

"""Classifying one roster import row against the roster and the rows before it: new, update (with what
changes), unchanged, or a problem (with every problem in words). Used by the staging step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models import EmploymentStatus, Person, RosterRowKind
from services.roster_import_csv import LABELS, RosterCsvRow
from services.roster_import_roster import RosterIndex, UnitEntry, fold, label, match
from services.roster_people import EMPLOYMENT_TYPES, PART_TIME, RosterChoices, validate_person_details

# Fields of the roster's person form, by the import's column for each (the form says unit_id for unit).
_FORM_LABELS = {"first_name": "First name", "last_name": "Last name", "badge_number": "Badge number",
                "license_number": "Licence number", "license_date": "Licence date", "email": "Email",
                "hired_on": "Hire date", "supervisor_id": "Supervisor badge number"}
# Checked here in the import's own words, so the form's message for them is not repeated.
_OWN_CHECKS = {"unit_id", "rank", "employment_type"}
# Licence columns a file may leave out (an HR export without them): then the roster's values stay.
_KEPT_WHEN_ABSENT = ("license_number", "license_date")


@dataclass
class Classified:
    """What staging stores for a row."""

    kind: RosterRowKind
    person_id: int | None
    values: dict[str, Any] | None  # the person form's values plus supervisor_badge, for new and update rows
    changes: list[list[str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class FileSoFar:
    """What the rows above the current one established: badges and licences taken, valid rows by badge."""

    badges: dict[str, int] = field(default_factory=dict)  # folded badge -> line
    licences: dict[str, int] = field(default_factory=dict)
    # folded badge -> (line, whether the row is valid, the roster person it updates or None when new)
    people: dict[str, tuple[int, bool, int | None]] = field(default_factory=dict)


def _duplicates(row: RosterCsvRow, so_far: FileSoFar, errors: list[str]) -> None:
    badge, licence = row.cell("badge_number"), row.cell("license_number")
    if badge and fold(badge) in so_far.badges:
        errors.append(f"Badge number {badge[:30]} is also on line {so_far.badges[fold(badge)]} of this file.")
    if licence and fold(licence) in so_far.licences:
        errors.append(f"Licence number {licence[:30]} is also on line {so_far.licences[fold(licence)]} of this file.")


def _supervisor(row: RosterCsvRow, index: RosterIndex, so_far: FileSoFar, errors: list[str]
                ) -> tuple[bool, int | None]:
    """(found, the roster person's id or None for someone hired earlier in the file, or for no supervisor)."""
    written = row.cell("supervisor_badge")
    if not written:
        return True, None
    key = fold(written)
    if key == fold(row.cell("badge_number")):
        errors.append("Supervisor badge number: a person cannot be their own supervisor.")
        return False, None
    if key in so_far.people:
        line, valid, person_id = so_far.people[key]
        if not valid:
            errors.append(f"Supervisor badge number {written[:30]}: line {line} has problems, so that person "
                          "is not imported.")
        return valid, person_id
    person = index.by_badge.get(key)
    if person is None:
        errors.append(f"Supervisor badge number {written[:30]}: nobody with this badge is on the roster or "
                      "earlier in the file.")
        return False, None
    if person.employment_status == EmploymentStatus.SEPARATED:
        errors.append(f"Supervisor badge number {written[:30]}: {label(person)} has separated.")
        return False, None
    return True, person.id


def _form_values(row: RosterCsvRow, unit: UnitEntry | None, rank: str | None, person: Person | None,
                 columns: set[str]) -> dict[str, str]:
    values = {name: row.values.get(name, "") for name in
              ("first_name", "last_name", "badge_number", "license_number", "license_date", "email",
               "employment_type", "hired_on")}
    values.update(rank=rank or row.cell("rank"), unit_id=str(unit.id) if unit else "", supervisor_id="")
    for name in _KEPT_WHEN_ABSENT:
        if person is not None and (name not in columns or not values[name]):
            current = getattr(person, name)
            values[name] = current.isoformat() if hasattr(current, "isoformat") else (current or "")
    return values


def _changes(person: Person, values: dict[str, str], supervisor: tuple[bool, int | None], new_supervisor: str,
             index: RosterIndex, keep_supervisor: bool) -> list[list[str]]:
    before = {"first_name": person.first_name, "last_name": person.last_name, "rank": person.rank,
              "badge_number": person.badge_number, "license_number": person.license_number or "",
              "license_date": person.license_date.isoformat() if person.license_date else "",
              "email": person.email, "hired_on": person.hired_on.isoformat() if person.hired_on else "",
              "employment_type": EMPLOYMENT_TYPES[PART_TIME] if person.part_time else EMPLOYMENT_TYPES["full_time"]}
    after = {**{name: values[name] for name in before}, "employment_type": EMPLOYMENT_TYPES[values["employment_type"]]}
    changes = [[LABELS.get(name, name), before[name] or "—", after[name] or "—"]
               for name in before if before[name] != after[name]]
    if str(person.unit_id or "") != values["unit_id"]:
        changes.append(["Unit", index.unit_label(person.unit_id), index.unit_label(int(values["unit_id"]))])
    if not keep_supervisor and (new_supervisor or supervisor[1] != person.supervisor_id):
        changes.append(["Supervisor", index.person_label(person.supervisor_id),
                        new_supervisor or index.person_label(supervisor[1])])
    return changes


def classify(row: RosterCsvRow, index: RosterIndex, so_far: FileSoFar, choices: RosterChoices,
             columns: set[str]) -> Classified:
    """The row's kind, whom it matches, what it would change and every problem it has; records it in `so_far`."""
    errors = list(row.errors)
    _duplicates(row, so_far, errors)
    found = match(index, row.cell("license_number"), row.cell("badge_number"))
    person = found if isinstance(found, Person) else None
    if isinstance(found, str):
        errors.append(found)
    unit = index.unit(row.cell("unit"))
    if isinstance(unit, str):
        errors.append(unit)
    rank = index.rank(row.cell("rank"))
    if rank is None:
        errors.append(f"Unknown rank “{row.cell('rank')[:50]}”: use one of the agency's ranks "
                      f"({', '.join(index.ranks[:8]) or 'none yet: add them on the roster page'}).")
    keep_supervisor = person is not None and "supervisor_badge" not in columns
    supervisor = (True, person.supervisor_id) if keep_supervisor and person else _supervisor(row, index, so_far, errors)
    values = _form_values(row, unit if isinstance(unit, UnitEntry) else None, rank, person, columns)
    _, form_errors = validate_person_details(values, choices)
    for name, message in form_errors.items():
        if name not in _OWN_CHECKS and not any(error.startswith(_FORM_LABELS.get(name, name)) for error in errors):
            errors.append(f"{_FORM_LABELS.get(name, name)}: {message}")
    _remember(row, so_far, not errors, person)
    person_id = person.id if person else _licence_holder(index, row)
    if errors:
        return Classified(RosterRowKind.PROBLEM, person_id, None, errors=errors[:12])
    supervisor_badge = "" if keep_supervisor else row.cell("supervisor_badge")
    new_supervisor = "" if supervisor[1] is not None or not supervisor_badge else f"badge {supervisor_badge} (new)"
    stored = {**values, "supervisor_badge": supervisor_badge, "keep_supervisor": keep_supervisor}
    if person is None:
        return Classified(RosterRowKind.NEW, None, stored)
    changes = _changes(person, values, supervisor, new_supervisor, index, keep_supervisor)
    return Classified(RosterRowKind.UPDATE if changes else RosterRowKind.UNCHANGED, person.id,
                      stored if changes else None, changes)


def _remember(row: RosterCsvRow, so_far: FileSoFar, valid: bool, person: Person | None) -> None:
    badge, licence = fold(row.cell("badge_number")), fold(row.cell("license_number"))
    if badge:
        so_far.badges.setdefault(badge, row.row_number)
        so_far.people.setdefault(badge, (row.row_number, valid, person.id if person else None))
    if licence:
        so_far.licences.setdefault(licence, row.row_number)


def _licence_holder(index: RosterIndex, row: RosterCsvRow) -> int | None:
    """For a problem row: the roster person its licence (else badge) names, so they are not listed as missing."""
    licence, badge = fold(row.cell("license_number")), fold(row.cell("badge_number"))
    person = (index.by_licence.get(licence) if licence else None) or (index.by_badge.get(badge) if badge else None)
    return person.id if person else None

"""Bulk entry: one course, many attendees, every record created in one transaction (all or none).

A coordinator ticks attendees from the agency roster and/or pastes badge numbers. Every attendee is
checked before anything is written (unknown badge, left the agency, no licence, the coordinator
themself), and an attendee who already has a record of the course on that day is recorded again only
when the coordinator confirms it for that officer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from models import AuditEvent, AuditOutcome, EmploymentStatus, Person, RecordSource, TrainingRecord, Unit
from services.access import CurrentUser, can_edit_officer_records
from services.audit import record_audit
from services.form_text import MAX_ID
from services.record_batches import existing_records, officer_label
from services.training_records import RecordForm, matching_name_or_badge, new_record, paginate, record_snapshot

MAX_ATTENDEES = 500
ROSTER_LIMIT = 100  # roster rows offered at once; a filter narrows the rest
BADGE_TEXT_LIMIT = 20_000
BULK_ACTION = "training_record.bulk_add"
BULK_OBJECT = "bulk_entry"
_BATCH_ID = re.compile(r"[0-9a-f]{10}")


def new_batch_id() -> str:
    return secrets.token_hex(5)


def is_batch_id(value: str) -> bool:
    return _BATCH_ID.fullmatch(value) is not None


def bulk_source_ref(batch: str) -> str:
    return f"bulk:{batch}"


def parse_badges(text: str) -> list[str]:
    """Badge numbers separated by spaces, commas, semicolons or new lines; repeats dropped."""
    return list(dict.fromkeys(badge for badge in re.split(r"[\s,;]+", text[:BADGE_TEXT_LIMIT]) if badge))


def parse_ticked(values: Iterable[str]) -> list[int]:
    """The ticked person ids; anything not an id is ignored (it names nobody)."""
    ids = (int(value) for value in values if value.isascii() and value.isdigit() and len(value) <= 10)
    return list(dict.fromkeys(value for value in ids if 0 < value <= MAX_ID))


def _sworn_and_employed() -> list[ColumnElement[bool]]:
    return [Person.license_number.is_not(None) | Person.license_date.is_not(None),
            Person.employment_status != EmploymentStatus.SEPARATED]


def attendee_problem(user: CurrentUser, person: Person) -> str | None:
    if person.id == user.person_id:
        return f"You cannot enter a record for yourself ({officer_label(person)}): another coordinator must."
    if not can_edit_officer_records(user, person):
        return f"Badge {person.badge_number} is not on your agency's roster."
    if person.employment_status == EmploymentStatus.SEPARATED:
        return f"{officer_label(person)} has left the agency."
    if person.license_number is None and person.license_date is None:
        return f"{officer_label(person)} is not a licensed officer."
    return None


@dataclass
class Attendees:
    """Who was asked for: the officers who can get the record, and what is wrong with the rest."""

    officers: list[Person] = field(default_factory=list)
    ticked: list[Person] = field(default_factory=list)  # the ticked ones as found, to show them ticked again
    problems: list[str] = field(default_factory=list)


async def resolve_attendees(session: AsyncSession, user: CurrentUser, ticked: list[int], badges: list[str]
                            ) -> Attendees:
    """Two queries (ticked ids, pasted badges) whatever the number of attendees."""
    result = Attendees()
    if len(ticked) > MAX_ATTENDEES or len(badges) > MAX_ATTENDEES:
        result.problems.append(f"At most {MAX_ATTENDEES} attendees per entry: split the list.")
        return result
    people: dict[int, Person] = {}
    if ticked:
        result.ticked = list(await session.scalars(
            select(Person).where(Person.id.in_(ticked), Person.agency_id == user.agency_id)
            .options(selectinload(Person.unit))
        ))
        people.update((person.id, person) for person in result.ticked)
        if missing := len(ticked) - len(result.ticked):
            result.problems.append(f"{missing} ticked officer{' is' if missing == 1 else 's are'} not on your "
                                   "agency's roster.")
    if badges:
        wanted = set(badges) | {badge.upper() for badge in badges}
        found = {person.badge_number.upper(): person for person in await session.scalars(
            select(Person).where(Person.agency_id == user.agency_id, Person.badge_number.in_(wanted))
            .options(selectinload(Person.unit))
        )}
        for badge in badges:
            person = found.get(badge.upper())
            if person is None:
                result.problems.append(f"No officer of your agency has badge number {badge[:30]}.")
            else:
                people.setdefault(person.id, person)
    for person in people.values():
        if problem := attendee_problem(user, person):
            result.problems.append(problem)
        else:
            result.officers.append(person)
    result.officers.sort(key=lambda person: (person.last_name, person.first_name, person.id))
    if len(result.officers) > MAX_ATTENDEES:
        result.problems.append(f"At most {MAX_ATTENDEES} attendees per entry: split the list.")
    return result


async def already_recorded(session: AsyncSession, officers: list[Person], form: RecordForm) -> list[Person]:
    """The officers who already have a record of this course (same title, or same course number)
    completed on the same day."""
    title, number = form.course_title.casefold(), (form.course_number or "").casefold()
    rows = await existing_records(session, [person.id for person in officers], [form.completed_on])
    same = {row[0] for row in rows if row[1].casefold() == title or (number and (row[2] or "").casefold() == number)}
    return [person for person in officers if person.id in same]


def duplicates_key(people: Iterable[Person]) -> str:
    """What the "record anyway" box confirms: exactly these officers, so a changed list asks again."""
    return ",".join(str(person_id) for person_id in sorted(person.id for person in people))


async def record_attendance(session: AsyncSession, user: CurrentUser, source: str | None, officers: list[Person],
                            form: RecordForm, batch: str, confirmed_duplicates: list[Person]) -> list[TrainingRecord]:
    """The records, their credits and their audit rows, in the caller's transaction (the caller commits).

    Each record gets its own `training_record.add` row, as a single entry does; one more row lists the
    whole entry, and is what the confirmation page reads.
    """
    records = [new_record(form, agency_id=user.agency_id, officer_id=person.id, source=RecordSource.COORDINATOR_ENTRY,
                          source_ref=bulk_source_ref(batch), approved_by_id=user.person_id) for person in officers]
    session.add_all(records)
    await session.flush()
    for record in records:
        record_audit(session, user.id, user.audit_label, "training_record.add", "training_record", record.id,
                     AuditOutcome.SUCCESS, source, user.agency_id,
                     {"officer_id": record.officer_id, "before": None, "after": record_snapshot(record),
                      "bulk_entry": batch})
    record_audit(session, user.id, user.audit_label, BULK_ACTION, BULK_OBJECT, batch, AuditOutcome.SUCCESS, source,
                 user.agency_id,
                 {"records": [record.id for record in records], "officers": [person.id for person in officers],
                  "course": record_snapshot(records[0]) if records else {},
                  "recorded_despite_duplicate": [person.id for person in confirmed_duplicates]})
    return records


# --- Choosing attendees ----------------------------------------------------------------------------


async def agency_units(session: AsyncSession, agency_id: int) -> list[Unit]:
    return list(await session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.name)))


def unit_and_below(units: list[Unit], unit_id: int) -> set[int]:
    """The unit and every unit under it (a division and its shifts)."""
    chosen = {unit_id}
    while True:
        more = {unit.id for unit in units if unit.parent_id in chosen} - chosen
        if not more:
            return chosen
        chosen |= more


async def roster_choices(session: AsyncSession, agency_id: int, unit_ids: set[int] | None, search: str,
                         exclude: Iterable[int]) -> tuple[list[Person], int]:
    """Sworn, employed officers matching the filter, by name: the first ROSTER_LIMIT and how many match."""
    stmt = select(Person).where(Person.agency_id == agency_id, *_sworn_and_employed(), Person.id.not_in(list(exclude)))
    if unit_ids is not None:
        stmt = stmt.where(Person.unit_id.in_(unit_ids))
    stmt, total, _ = await paginate(session, matching_name_or_badge(stmt, search).order_by(
        Person.last_name, Person.first_name, Person.id), 1, ROSTER_LIMIT)
    return list(await session.scalars(stmt.options(selectinload(Person.unit)))), total


# --- The confirmation page -------------------------------------------------------------------------


async def bulk_entry(session: AsyncSession, agency_id: int, batch: str
                     ) -> tuple[AuditEvent, list[TrainingRecord]] | None:
    """The entry's audit row and its records (with their officers), if the agency made it."""
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.object_type == BULK_OBJECT, AuditEvent.object_id == batch,
                                 AuditEvent.action == BULK_ACTION, AuditEvent.agency_id == agency_id)
    )
    if event is None:
        return None
    record_ids = [int(record_id) for record_id in event.detail.get("records", [])]
    records = list(await session.scalars(
        select(TrainingRecord).join(Person, Person.id == TrainingRecord.officer_id)
        .where(TrainingRecord.id.in_(record_ids), TrainingRecord.agency_id == agency_id)
        .options(contains_eager(TrainingRecord.officer), selectinload(TrainingRecord.credits))
        .order_by(Person.last_name, Person.first_name, Person.id)
    ))
    return event, records

"""People on the roster: their details, hiring them, and transferring them between units and supervisors.

Nothing here commits: the caller commits, then calls services/roster_workflows.after_roster_change so the
licensing cycle and any moved approval tasks hear of it at once. Every change is audited with before and
after. The CSV roster import calls `validate_person_details`, `hire`, `update_details` and `transfer` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AgencyRank, AuditOutcome, EmploymentPeriod, EmploymentStatus, Person, Unit
from services.access import CurrentUser, supervisor_chain
from services.audit import record_audit
from services.form_text import MAX_ID, control_character_problem, parse_date
from services.roster_tasks import queue_task_moves
from services.workflow_starts import queue_licensing_cycle

FULL_TIME, PART_TIME = "full_time", "part_time"
EMPLOYMENT_TYPES = {FULL_TIME: "Full-time", PART_TIME: "Part-time"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"first_name": 100, "last_name": 100, "badge_number": 30, "license_number": 30, "email": 254}


class RosterRefusal(Exception):
    """A change the roster's rules refuse; `errors` maps form fields to the message shown beside them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class RosterChoices:
    """What a person form may choose from: the agency's open units, its ranks, and its active people."""

    units: dict[int, str]
    ranks: tuple[str, ...]
    supervisors: dict[int, str]


@dataclass(frozen=True)
class PersonDetails:
    """A person's details as typed into the hire form (or read from an import row), checked."""

    first_name: str
    last_name: str
    rank: str
    badge_number: str
    license_number: str | None
    license_date: date | None
    email: str
    unit_id: int | None
    supervisor_id: int | None
    part_time: bool
    hired_on: date


async def roster_choices(db: AsyncSession, agency_id: int) -> RosterChoices:
    """The agency's units that are not retired, its ranks in order, and its active people by name."""
    units = await db.execute(select(Unit.id, Unit.name).where(Unit.agency_id == agency_id, Unit.retired_on.is_(None))
                             .order_by(Unit.name))
    ranks = await db.scalars(select(AgencyRank.name).where(AgencyRank.agency_id == agency_id)
                             .order_by(AgencyRank.position, AgencyRank.name))
    people = await db.scalars(select(Person).where(Person.agency_id == agency_id,
                                                   Person.employment_status == EmploymentStatus.ACTIVE)
                              .order_by(Person.last_name, Person.first_name))
    return RosterChoices({unit_id: name for unit_id, name in units}, tuple(ranks),
                         {p.id: p.display_name for p in people})


def _text(values: dict[str, str], field: str, errors: dict[str, str], label: str, required: bool = True) -> str:
    value = values.get(field, "").strip()
    if not value and required:
        errors[field] = f"Enter the {label}."
    elif len(value) > _LIMITS[field]:
        errors[field] = f"Keep the {label} to {_LIMITS[field]} characters."
    elif problem := control_character_problem(value):
        errors[field] = problem
    return value


def _choice(values: dict[str, str], field: str, options: dict[int, str], errors: dict[str, str], message: str
            ) -> int | None:
    raw = values.get(field, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID or int(raw) not in options:
        errors[field] = message
        return None
    return int(raw)


def validate_person_details(values: dict[str, str], choices: RosterChoices
                            ) -> tuple[PersonDetails | None, dict[str, str]]:
    """Check a hire or edit form's fields; the details when all is well, else the errors by field.

    Checks what the form alone shows; `hire`/`update_details` check uniqueness and the chain of command.
    """
    errors: dict[str, str] = {}
    first = _text(values, "first_name", errors, "first name")
    last = _text(values, "last_name", errors, "last name")
    rank = values.get("rank", "").strip()
    if rank not in choices.ranks:
        errors["rank"] = "Choose a rank from the agency's list."
    badge = _text(values, "badge_number", errors, "badge number")
    license_number = _text(values, "license_number", errors, "licence number", required=False) or None
    license_date = parse_date(values.get("license_date", ""))
    if values.get("license_date", "").strip() and license_date is None:
        errors["license_date"] = "Enter the licence date as YYYY-MM-DD."
    elif license_number and license_date is None:
        errors["license_date"] = "Enter the date of the licence (YYYY-MM-DD)."
    elif license_date is not None and not license_number and "license_number" not in errors:
        errors["license_number"] = "Enter the licence number, or leave the licence date empty too."
    email = _text(values, "email", errors, "email address")
    if email and "email" not in errors and not _EMAIL.match(email):
        errors["email"] = "Enter an email address such as name@agency.gov."
    unit_id = _choice(values, "unit_id", choices.units, errors, "Choose one of the agency's open units.")
    if unit_id is None and "unit_id" not in errors:
        errors["unit_id"] = "Choose the unit."
    supervisor_id = _choice(values, "supervisor_id", choices.supervisors, errors,
                            "Choose an active person of the agency as supervisor, or none.")
    employment_type = values.get("employment_type", "")
    if employment_type not in EMPLOYMENT_TYPES:
        errors["employment_type"] = "Choose full-time or part-time."
    hired_on = parse_date(values.get("hired_on", ""))
    if hired_on is None:
        errors["hired_on"] = "Enter the hire date (YYYY-MM-DD)."
    if errors:
        return None, errors
    assert hired_on is not None
    return PersonDetails(first, last, rank, badge, license_number, license_date, email, unit_id, supervisor_id,
                         employment_type == PART_TIME, hired_on), {}


def details_form(person: Person) -> dict[str, str]:
    """A person's details as the values of the edit form."""
    return {
        "first_name": person.first_name, "last_name": person.last_name, "rank": person.rank,
        "badge_number": person.badge_number, "license_number": person.license_number or "",
        "license_date": person.license_date.isoformat() if person.license_date else "", "email": person.email,
        "unit_id": str(person.unit_id or ""), "supervisor_id": str(person.supervisor_id or ""),
        "employment_type": PART_TIME if person.part_time else FULL_TIME,
        "hired_on": person.hired_on.isoformat() if person.hired_on else "",
    }


def person_snapshot(person: Person) -> dict[str, Any]:
    """What an audit row records of a person."""
    def day(value: date | None) -> str | None:
        return value.isoformat() if value else None
    return {
        "first_name": person.first_name, "last_name": person.last_name, "rank": person.rank,
        "badge_number": person.badge_number, "license_number": person.license_number,
        "license_date": day(person.license_date), "email": person.email, "unit_id": person.unit_id,
        "supervisor_id": person.supervisor_id, "part_time": person.part_time,
        "employment_status": person.employment_status, "hired_on": day(person.hired_on),
        "separated_on": day(person.separated_on),
    }


def audit_person(db: AsyncSession, actor: CurrentUser, source: str | None, action: str, person: Person,
                 before: dict[str, Any] | None, **extra: Any) -> None:
    """One audit row for a roster change, with the person before and after (flush first for a new person)."""
    record_audit(db, actor.id, actor.audit_label, action, "person", person.id, AuditOutcome.SUCCESS, source,
                 actor.agency_id, {"before": before, "after": person_snapshot(person), **extra})


async def _check_unique(db: AsyncSession, agency_id: int, details: PersonDetails, person_id: int | None) -> None:
    errors: dict[str, str] = {}
    same_badge = select(Person.id).where(Person.agency_id == agency_id, Person.badge_number == details.badge_number)
    if person_id is not None:
        same_badge = same_badge.where(Person.id != person_id)
    if await db.scalar(same_badge.limit(1)) is not None:
        errors["badge_number"] = "Another person of the agency has this badge number."
    if details.license_number:
        same_licence = select(Person.id).where(Person.license_number == details.license_number)
        if person_id is not None:
            same_licence = same_licence.where(Person.id != person_id)
        # Licence numbers are unique statewide; another agency's officer is not named, only the clash.
        if await db.scalar(same_licence.limit(1)) is not None:
            errors["license_number"] = "This licence number is already on a roster."
    if errors:
        raise RosterRefusal(errors)


async def check_supervisor(db: AsyncSession, person: Person, supervisor_id: int | None) -> None:
    """Refuse a supervisor who is the person, is not active in the agency, or reports up to the person."""
    if supervisor_id is None:
        return
    supervisor = await db.get(Person, supervisor_id)
    if supervisor is None or supervisor.agency_id != person.agency_id \
            or supervisor.employment_status != EmploymentStatus.ACTIVE:
        raise RosterRefusal({"supervisor_id": "Choose an active person of the agency as supervisor, or none."})
    if person.id is not None and (supervisor_id == person.id or person.id in await supervisor_chain(db, supervisor_id)):
        raise RosterRefusal({"supervisor_id": "A person cannot report to themself or to someone who reports to them."})


async def hire(db: AsyncSession, actor: CurrentUser, source: str | None, details: PersonDetails, *,
               workflow_id_prefix: str) -> Person:
    """Add the person, active from the hire date, with an open employment period (the caller commits).

    Raises RosterRefusal when the badge or licence number is taken or the supervisor is not allowed.
    A licensed hire's licensing cycle is queued in the outbox with the person.
    """
    await _check_unique(db, actor.agency_id, details, None)
    person = Person(agency_id=actor.agency_id, employment_status=EmploymentStatus.ACTIVE)
    _apply(person, details)
    person.unit_id, person.supervisor_id = details.unit_id, details.supervisor_id
    await check_supervisor(db, person, details.supervisor_id)
    db.add(person)
    await db.flush()
    db.add(EmploymentPeriod(agency_id=person.agency_id, person_id=person.id, started_on=details.hired_on,
                            part_time=details.part_time))
    if person.license_date is not None:
        await queue_licensing_cycle(db, person.id, workflow_id_prefix)
    audit_person(db, actor, source, "roster.hire", person, None)
    return person


def _apply(person: Person, details: PersonDetails) -> None:
    person.first_name, person.last_name, person.rank = details.first_name, details.last_name, details.rank
    person.badge_number, person.email, person.part_time = details.badge_number, details.email, details.part_time
    person.license_number, person.license_date = details.license_number, details.license_date
    person.hired_on = details.hired_on


async def update_details(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person,
                         details: PersonDetails, *, workflow_id_prefix: str) -> bool:
    """Correct a person's details (names, rank, badge, licence, email, employment type, hire date).

    Unit and supervisor are not changed here: that is a `transfer`, which also moves approval tasks.
    The open employment period follows the hire date and employment type. False when nothing changed;
    raises RosterRefusal like `hire`. A newly licensed person's licensing cycle is queued.
    """
    await _check_unique(db, person.agency_id, details, person.id)
    before = person_snapshot(person)
    had_licence = person.license_date is not None
    _apply(person, replace(details, unit_id=person.unit_id, supervisor_id=person.supervisor_id))
    if person_snapshot(person) == before:
        return False
    period = await open_period(db, person.id)
    if period is not None:
        period.part_time = details.part_time
        if before["hired_on"] != person_snapshot(person)["hired_on"]:
            period.started_on = details.hired_on
    if not had_licence and person.license_date is not None \
            and person.employment_status != EmploymentStatus.SEPARATED:
        await queue_licensing_cycle(db, person.id, workflow_id_prefix)
    audit_person(db, actor, source, "roster.update", person, before)
    return True


async def open_period(db: AsyncSession, person_id: int) -> EmploymentPeriod | None:
    """The person's current spell of employment, if they are employed."""
    return await db.scalar(select(EmploymentPeriod).where(EmploymentPeriod.person_id == person_id,
                                                          EmploymentPeriod.ended_on.is_(None))
                           .order_by(EmploymentPeriod.started_on.desc()).limit(1))


@dataclass(frozen=True)
class Transfer:
    """What a transfer changed: the outbox rows that move approval tasks (sent after commit)."""

    changed: bool
    moved_task_ids: list[int]
    outbox_ids: list[int]


async def transfer(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person, unit_id: int | None,
                   supervisor_id: int | None, effective_on: date) -> Transfer:
    """Move the person to another unit and/or supervisor as of `effective_on` (recorded now).

    The caller has checked `unit_id` is an open unit of the agency. Raises RosterRefusal for a separated
    person or a supervisor that `check_supervisor` refuses. When the supervisor changes, the person's
    first-level approval tasks held by the previous supervisor move to the new one (README, "Roster"),
    through the outbox, so they move even if Temporal is down now.
    """
    if person.employment_status == EmploymentStatus.SEPARATED:
        raise RosterRefusal({"unit_id": "This person has separated; re-hire them first."})
    await check_supervisor(db, person, supervisor_id)
    if unit_id == person.unit_id and supervisor_id == person.supervisor_id:
        return Transfer(False, [], [])
    before = person_snapshot(person)
    previous_supervisor = person.supervisor_id
    person.unit_id, person.supervisor_id = unit_id, supervisor_id
    moved: list[int] = []
    outbox: list[int] = []
    if supervisor_id != previous_supervisor and previous_supervisor is not None and supervisor_id is not None:
        moved, outbox = await queue_task_moves(db, actor, source, person.id, previous_supervisor, supervisor_id)
    audit_person(db, actor, source, "roster.transfer", person, before, effective_on=effective_on.isoformat(),
                 moved_task_ids=moved)
    return Transfer(True, moved, outbox)


def parse_effective_date(raw: str, today: date) -> tuple[date | None, str | None]:
    """A transfer's or leave's date: required, and no later than a year ahead."""
    day = parse_date(raw)
    if day is None:
        return None, "Enter the date (YYYY-MM-DD)."
    if (day - today).days > 366:
        return None, "Enter a date within the next year."
    return day, None

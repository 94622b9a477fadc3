"""A person's employment over time: leave and return, separation, and re-hire.

Nothing here commits: the caller commits, then calls services/roster_workflows.after_roster_change.
Every change is audited with before and after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ComplianceWaiver, EmploymentPeriod, EmploymentStatus, Person, UserAccount, WaiverKind
from services.access import CurrentUser
from services.form_text import control_character_problem, parse_date
from services.person_accounts import disable_account, keeps_an_administrator
from services.roster_people import RosterRefusal, audit_person, check_supervisor, open_period, person_snapshot
from services.workflow_starts import queue_licensing_cycle

REASON_LIMIT = 200
LEAVE_REASON = "Leave recorded on the roster"


@dataclass(frozen=True)
class Leave:
    starts_on: date
    expected_end: date | None
    reason: str


def validate_leave(values: dict[str, str]) -> tuple[Leave | None, dict[str, str]]:
    """The leave form: first day, expected last day (optional), and a reason."""
    errors: dict[str, str] = {}
    starts_on = parse_date(values.get("starts_on", ""))
    if starts_on is None:
        errors["starts_on"] = "Enter the first day of leave (YYYY-MM-DD)."
    expected_end = parse_date(values.get("expected_end", ""))
    if values.get("expected_end", "").strip() and expected_end is None:
        errors["expected_end"] = "Enter the expected last day as YYYY-MM-DD, or leave it empty."
    elif expected_end and starts_on and expected_end < starts_on:
        errors["expected_end"] = "The last day cannot be before the first."
    reason = _reason(values, errors, "Give the kind of leave (medical, military, ...).")
    if errors:
        return None, errors
    assert starts_on is not None
    return Leave(starts_on, expected_end, reason), {}


def _reason(values: dict[str, str], errors: dict[str, str], missing: str) -> str:
    reason = values.get("reason", "").strip()
    if not reason:
        errors["reason"] = missing
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = f"Keep the reason to {REASON_LIMIT} characters."
    elif problem := control_character_problem(reason):
        errors["reason"] = problem
    return reason


def _granted_by(actor: CurrentUser) -> int:
    if actor.person_id is None:
        raise RosterRefusal({"starts_on": "Your account has no roster profile to record leave under."})
    return actor.person_id


async def start_leave(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person, leave: Leave) -> None:
    """Put an active person on leave and record a leave waiver, so the engine pauses their deadlines."""
    if person.employment_status != EmploymentStatus.ACTIVE:
        raise RosterRefusal({"starts_on": "Only an active person can go on leave."})
    before = person_snapshot(person)
    person.employment_status = EmploymentStatus.LEAVE
    waiver = ComplianceWaiver(agency_id=person.agency_id, officer_id=person.id, requirement_id=None,
                              kind=WaiverKind.LEAVE, starts_on=leave.starts_on, ends_on=leave.expected_end,
                              reason=f"{LEAVE_REASON}: {leave.reason}", granted_by_id=_granted_by(actor))
    db.add(waiver)
    await db.flush()
    audit_person(db, actor, source, "roster.leave_start", person, before, waiver_id=waiver.id,
                 starts_on=leave.starts_on.isoformat(),
                 expected_end=leave.expected_end.isoformat() if leave.expected_end else None)


async def current_leave(db: AsyncSession, person_id: int) -> ComplianceWaiver | None:
    """The leave waiver recorded when the person last went on leave."""
    return await db.scalar(select(ComplianceWaiver).where(
        ComplianceWaiver.officer_id == person_id, ComplianceWaiver.kind == WaiverKind.LEAVE,
        ComplianceWaiver.requirement_id.is_(None)).order_by(ComplianceWaiver.starts_on.desc(),
                                                           ComplianceWaiver.id.desc()).limit(1))


async def end_leave(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person, returned_on: date
                    ) -> None:
    """Bring a person back from leave: active again, the leave waiver ending the day before they returned."""
    if person.employment_status != EmploymentStatus.LEAVE:
        raise RosterRefusal({"returned_on": "This person is not on leave."})
    waiver = await current_leave(db, person.id)
    if waiver is not None and returned_on <= waiver.starts_on:
        raise RosterRefusal({"returned_on": "The return must be after the first day of leave."})
    before = person_snapshot(person)
    person.employment_status = EmploymentStatus.ACTIVE
    if waiver is not None:
        waiver.ends_on = returned_on - timedelta(days=1)
    audit_person(db, actor, source, "roster.leave_end", person, before, returned_on=returned_on.isoformat(),
                 waiver_id=waiver.id if waiver else None)


@dataclass(frozen=True)
class Separation:
    separated_on: date
    reason: str


def validate_separation(values: dict[str, str]) -> tuple[Separation | None, dict[str, str]]:
    errors: dict[str, str] = {}
    separated_on = parse_date(values.get("separated_on", ""))
    if separated_on is None:
        errors["separated_on"] = "Enter the last day of employment (YYYY-MM-DD)."
    reason = _reason(values, errors, "Give the reason (resigned, retired, dismissed, ...).")
    if errors:
        return None, errors
    assert separated_on is not None
    return Separation(separated_on, reason), {}


async def separate(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person,
                   separation: Separation) -> bool:
    """End the person's employment: close the period, mark them separated, disable their account.

    True when an account was disabled (its sessions end too). People who reported to them keep
    supervisor_id pointing at them until a transfer: approvals skip a separated supervisor.
    """
    if person.employment_status == EmploymentStatus.SEPARATED:
        raise RosterRefusal({"separated_on": "This person has already separated."})
    period = await open_period(db, person.id)
    if period is not None and separation.separated_on < period.started_on:
        raise RosterRefusal({"separated_on": "The last day cannot be before the start of employment."})
    account = await db.scalar(select(UserAccount).where(UserAccount.person_id == person.id))
    # Separation disables the account: it must not leave the agency without an administrator.
    last_admin = account is not None and await keeps_an_administrator(db, account, losing_admin=True)
    if last_admin:
        raise RosterRefusal({"separated_on": f"{person.full_name} is the agency's last active administrator. "
                                             "Give another account the administrator role first."})
    before = person_snapshot(person)
    person.employment_status, person.separated_on = EmploymentStatus.SEPARATED, separation.separated_on
    if period is not None:
        period.ended_on, period.end_reason = separation.separated_on, separation.reason
    leave = await current_leave(db, person.id)
    if leave is not None and before["employment_status"] == EmploymentStatus.LEAVE \
            and (leave.ends_on is None or leave.ends_on > separation.separated_on):
        leave.ends_on = max(separation.separated_on, leave.starts_on)
    audit_person(db, actor, source, "roster.separate", person, before, reason=separation.reason)
    if account is None or not account.is_active:
        return False
    await disable_account(db, actor, source, account, f"Separated: {separation.reason}")
    return True


async def rehire(db: AsyncSession, actor: CurrentUser, source: str | None, person: Person, hired_on: date,
                 part_time: bool, *, workflow_id_prefix: str) -> None:
    """Employ a separated person again from `hired_on`: a new employment period, and their licensing
    cycle queued to start again. Their account stays disabled until an administrator enables it."""
    if person.employment_status != EmploymentStatus.SEPARATED:
        raise RosterRefusal({"hired_on": "Only a separated person can be re-hired."})
    if person.separated_on is not None and hired_on <= person.separated_on:
        raise RosterRefusal({"hired_on": "The new hire date must be after the last day of employment."})
    before = person_snapshot(person)
    person.employment_status, person.separated_on = EmploymentStatus.ACTIVE, None
    person.hired_on, person.part_time = hired_on, part_time
    # A supervisor who has left meanwhile cannot be kept: the coordinator transfers them to a new one.
    try:
        await check_supervisor(db, person, person.supervisor_id)
    except RosterRefusal:
        person.supervisor_id = None
    db.add(EmploymentPeriod(agency_id=person.agency_id, person_id=person.id, started_on=hired_on,
                            part_time=part_time))
    if person.license_date is not None:
        await queue_licensing_cycle(db, person.id, workflow_id_prefix)
    audit_person(db, actor, source, "roster.rehire", person, before)


async def employment_history(db: AsyncSession, person_id: int) -> list[EmploymentPeriod]:
    """The person's spells of employment, latest first."""
    return list(await db.scalars(select(EmploymentPeriod).where(EmploymentPeriod.person_id == person_id)
                                 .order_by(EmploymentPeriod.started_on.desc(), EmploymentPeriod.id.desc())))

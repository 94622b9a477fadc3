"""An agency for the monthly summary's tests: tests/services/agency_support.py's hand-built org, plus command
staff who must not all get the mail, snapshots around the month summarised, and open tasks.

Every expected number is a hand count of what is inserted (see agency_support.py for the officers):

    Officers now: compliant 3 (chief1, sgt2, Tom), on track 3 (lt1, officer2, Extra1), at risk 2 (sgt1,
    Extra2), overdue 2 (officer1, Tina), on leave 2 (Ted, Extra0): 12 tracked, 3 of the 10 not on leave = 30%.
    Compared with the snapshot on the first day of the month summarised: compliant 4, on track 3, at risk 1,
    overdue 0, on leave 2, so 4 of 8 = 50%.
    Requirements owed: crisis intervention 4 (2 past due), use of force 3 (1), firearms 1 (1), samples 000 (1,
    past due), 002 (1, past due), 001 (1): the last is the sixth, left out of the five.
    Open tasks: one overdue case (3 days), one training request (10 days); a closed case is not counted.

Command staff: chief1 gets the summary; Dana switched it off, Evan switched email off, Ina's account is
inactive; Xena commands the other agency and gets its own figures (no snapshot there yet).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import ComplianceSnapshot, Person, Role, Task, TaskKind, TaskStatus, Unit, UserAccount, UserRole
from services.notification_preferences import preferences_for, save_preferences
from tests.services.agency_support import AgencyOrg, add_officers, build_agency
from tests.support import Org


@dataclass
class SummaryOrg:
    agency: AgencyOrg
    dana: int
    evan: int
    ina: int
    xena: int
    month_start: date  # the first day of the month summarised


def month_summarised(now: datetime) -> date:
    """The month before `now`'s, by hand: the first of this month, back a day, to that month's first."""
    return (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)


async def add_command(factory: async_sessionmaker[AsyncSession], agency_id: int, username: str, first: str, *,
                      active: bool = True) -> int:
    async with factory() as session, session.begin():
        unit_id = await session.scalar(select(Unit.id).where(Unit.agency_id == agency_id).order_by(Unit.id).limit(1))
        person = Person(agency_id=agency_id, unit_id=unit_id, first_name=first, last_name="Command",
                        rank="Deputy Chief", badge_number=f"C-{username}", email=f"{username}@test.example")
        session.add(person)
        await session.flush()
        session.add(UserAccount(agency_id=agency_id, person_id=person.id, username=username, password_hash="-",
                                is_active=active, roles=[UserRole(role=Role.COMMAND)]))
        return person.id


async def prefer(factory: async_sessionmaker[AsyncSession], person_id: int, **changes: object) -> None:
    async with factory() as session, session.begin():
        await save_preferences(session, person_id, replace(await preferences_for(session, person_id), **changes))


def snapshot(agency_id: int, day: date, counts: tuple[int, int, int, int, int], unit_id: int | None = None
             ) -> ComplianceSnapshot:
    compliant, on_track, at_risk, overdue, on_leave = counts
    return ComplianceSnapshot(day=day, agency_id=agency_id, unit_id=unit_id, unit_key=unit_id or 0,
                              compliant=compliant, on_track=on_track, at_risk=at_risk, overdue=overdue,
                              on_leave=on_leave)


def task(agency_id: int, kind: str, key: str, opened: datetime, status: str = TaskStatus.OPEN) -> Task:
    return Task(key=key, agency_id=agency_id, kind=kind, subject_type="test", subject_id=1, workflow_id=key,
                status=status, created_at=opened)


async def build_summary_org(factory: async_sessionmaker[AsyncSession], org: Org, now: datetime) -> SummaryOrg:
    agency = await build_agency(factory, org)
    a, other = org.agency_id, agency.other_agency
    await add_officers(factory, a, agency.patrol_b, 3)
    dana = await add_command(factory, a, "dana", "Dana")
    evan = await add_command(factory, a, "evan", "Evan")
    ina = await add_command(factory, a, "ina", "Ina", active=False)
    xena = await add_command(factory, other, "xena", "Xena")
    await prefer(factory, dana, monthly_summary=False)
    await prefer(factory, evan, email=False)
    start = month_summarised(now)
    async with factory() as session, session.begin():
        session.add_all([
            snapshot(a, start - timedelta(days=1), (1, 1, 1, 1, 1)),  # older than the one compared with
            snapshot(a, start, (4, 3, 1, 0, 2)),  # the one compared with
            snapshot(a, start + timedelta(days=5), (9, 9, 9, 9, 9)),  # later in the month summarised
            snapshot(a, start, (7, 0, 0, 0, 0), unit_id=agency.patrol_a),  # a unit's, not the agency's
            task(a, TaskKind.COMPLIANCE_CASE, "case-open", now - timedelta(days=3, hours=1)),
            task(a, TaskKind.COMPLIANCE_CASE, "case-done", now - timedelta(days=40), TaskStatus.DONE),
            task(a, TaskKind.APPROVE_TRAINING_REQUEST, "approve-open", now - timedelta(days=10, hours=1)),
            task(other, TaskKind.REVIEW_CERTIFICATE, "review-elsewhere", now - timedelta(days=2, hours=1)),
        ])
    return SummaryOrg(agency, dana, evan, ina, xena, start)

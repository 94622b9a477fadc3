"""A small organisation whose stored compliance can be counted by hand from the Minnesota rule pack.

Everyone licensed is licensed on 1 July 2024: the first MN cycle ends on 30 June of the third calendar
year after, so it runs 1 July 2024 to 30 June 2027, then 1 July 2027 to 30 June 2030 (rulepacks/mn-post.toml).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from models import (
    ComplianceWaiver,
    EmploymentStatus,
    OfficerCompliance,
    Person,
    RecordSource,
    TrainingRecord,
    TrainingRecordCredit,
    WaiverKind,
)
from seed.topics import ensure_topics
from tests.support import Org

LICENSED = date(2024, 7, 1)
CYCLE_END = date(2027, 6, 30)
# Every requirement of the first cycle except the 48 credits: 33 hours in all.
# Mandated 16 = crisis 9 (6 + 3 electives) + autism 4 + conflict 1 + implicit bias 1 + bias crimes 1;
# wellness 1 (cycles ending from 30 June 2027); EVOC 8 (every 60 months); use of force and firearms
# once every 12 months, here in January 2027 so they stay met until January 2028.
COURSES: tuple[tuple[date, str, dict[str, str]], ...] = (
    (date(2025, 1, 10), "8", {"evoc": "8"}),
    (date(2025, 3, 3), "9", {"crisis_intervention": "9"}),
    (date(2025, 5, 5), "4", {"autism": "4"}),
    (date(2025, 9, 8), "1", {"conflict_management": "1"}),
    (date(2025, 9, 9), "1", {"implicit_bias": "1"}),
    (date(2026, 2, 2), "1", {"bias_crimes": "1"}),
    (date(2026, 4, 6), "1", {"wellness": "1"}),
    (date(2027, 1, 11), "4", {"use_of_force": "4"}),
    (date(2027, 1, 12), "4", {"firearms": "4"}),
)
COURSE_HOURS = Decimal(33)
# 1 March 2027: 121 days before the cycle ends, so the 15 missing credits are not yet "at risk".
SNAPSHOT_DAY = date(2027, 3, 1)


async def license(factory: async_sessionmaker[AsyncSession], person_id: int, number: str) -> None:
    async with factory() as session, session.begin():
        await ensure_topics(session)
        person = await session.get_one(Person, person_id)
        person.license_date, person.license_number = LICENSED, number


async def add_course(factory: async_sessionmaker[AsyncSession], agency_id: int, person_id: int, completed: date,
                     hours: str, credits: dict[str, str]) -> None:
    async with factory() as session, session.begin():
        session.add(TrainingRecord(
            agency_id=agency_id, officer_id=person_id, course_title="Course", provider="Regional Academy",
            completed_on=completed, hours=Decimal(hours), source=RecordSource.COORDINATOR_ENTRY,
            credits=[TrainingRecordCredit(topic_code=code, credits=Decimal(value)) for code, value in credits.items()],
        ))


async def licensed_with_courses(factory: async_sessionmaker[AsyncSession], org: Org, person_id: int,
                                number: str) -> None:
    await license(factory, person_id, number)
    for completed, hours, credits in COURSES:
        await add_course(factory, org.agency_id, person_id, completed, hours, credits)


async def add_leave(factory: async_sessionmaker[AsyncSession], org: Org, person_id: int, starts_on: date,
                    ends_on: date | None = None) -> None:
    async with factory() as session, session.begin():
        session.add(ComplianceWaiver(agency_id=org.agency_id, officer_id=person_id, requirement_id=None,
                                     kind=WaiverKind.LEAVE, starts_on=starts_on, ends_on=ends_on,
                                     reason="Medical leave", granted_by_id=org.coord1))


async def separate(factory: async_sessionmaker[AsyncSession], person_id: int, on: date) -> None:
    async with factory() as session, session.begin():
        person = await session.get_one(Person, person_id)
        person.employment_status, person.separated_on = EmploymentStatus.SEPARATED, on


async def build_counted_org(factory: async_sessionmaker[AsyncSession], org: Org) -> None:
    """On SNAPSHOT_DAY, in demo_org's units (Department > Patrol A, Patrol B):
    Patrol A: lt1 compliant (the courses and 15 more hours), officer1 on track (15 credits short, due in
    121 days), sgt1 the same but on leave since 1 January 2027.
    Patrol B: officer2 licensed with no training: overdue (use of force and firearms were due 1 July 2025,
    12 months after licensing); sgt2 licensed but separated: not tracked.
    Department: chief1, coord1 and admin1 hold no licence.
    """
    await licensed_with_courses(factory, org, org.officer1, "MN-1")
    await licensed_with_courses(factory, org, org.lt1, "MN-2")
    await add_course(factory, org.agency_id, org.lt1, date(2026, 10, 5), "15", {})
    await licensed_with_courses(factory, org, org.sgt1, "MN-3")
    await add_leave(factory, org, org.sgt1, date(2027, 1, 1))
    await license(factory, org.officer2, "MN-4")
    await license(factory, org.sgt2, "MN-5")
    await separate(factory, org.sgt2, date(2026, 12, 1))


async def stored(factory: async_sessionmaker[AsyncSession], officer_id: int) -> OfficerCompliance | None:
    async with factory() as session:
        return await session.scalar(select(OfficerCompliance).where(OfficerCompliance.officer_id == officer_id)
                                    .options(selectinload(OfficerCompliance.gaps)))

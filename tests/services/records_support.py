"""Builders for tests of training records: a licence for an officer and records as a coordinator saves them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Person, RecordSource, TrainingRecord, TrainingRecordCredit
from seed.topics import ensure_topics

# Licensed 400 days ago: the first MN cycle runs to 30 June of the third calendar year after, so every
# cycle deadline is more than a year away whatever today is; the yearly in-service is already due.
LICENSED_DAYS_AGO = 400


async def license_officer(factory: async_sessionmaker[AsyncSession], officer_id: int,
                          number: str = "MN-0042") -> date:
    licensed = date.today() - timedelta(days=LICENSED_DAYS_AGO)
    async with factory() as session, session.begin():
        await ensure_topics(session)
        await session.execute(
            update(Person).where(Person.id == officer_id).values(license_date=licensed, license_number=number)
        )
    return licensed


async def add_record(factory: async_sessionmaker[AsyncSession], agency_id: int, officer_id: int, *,
                     title: str = "Course", hours: str = "4", days_ago: int = 10,
                     credits: dict[str, str] | None = None, source: str = RecordSource.CERTIFICATE_REVIEW,
                     provider: str = "Regional Academy") -> int:
    async with factory() as session, session.begin():
        completed = date.today() - timedelta(days=days_ago)
        record = TrainingRecord(
            agency_id=agency_id, officer_id=officer_id, course_title=title, provider=provider,
            started_on=completed, completed_on=completed, hours=Decimal(hours), source=source,
            credits=[TrainingRecordCredit(topic_code=code, credits=Decimal(value))
                     for code, value in (credits or {}).items()],
        )
        session.add(record)
        await session.flush()
        return record.id


async def give_known_records(factory: async_sessionmaker[AsyncSession], agency_id: int, officer_id: int) -> None:
    """14 hours: crisis intervention 6, use of force 4, firearms 4. Autism, conflict, implicit bias and
    bias crimes are outstanding; nothing is due within 90 days."""
    await add_record(factory, agency_id, officer_id, title="Crisis Intervention Team refresher", hours="6",
                     days_ago=30, credits={"crisis_intervention": "6"})
    await add_record(factory, agency_id, officer_id, title="Use of Force In-Service", hours="4", days_ago=20,
                     credits={"use_of_force": "4"}, source=RecordSource.COORDINATOR_ENTRY)
    await add_record(factory, agency_id, officer_id, title="Firearms Qualification", hours="4", days_ago=10,
                     credits={"firearms": "4"}, source=RecordSource.COORDINATOR_ENTRY)

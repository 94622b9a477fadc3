"""Builders for team tests: licences, people under a supervisor, and stored compliance rows written
directly (the stored-status writer is not what these tests are about)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import OfficerCompliance, OfficerComplianceGap, Person, Unit
from services.training_records import agency_today

LICENSED_ON = date(2024, 1, 15)


@dataclass
class GapSpec:
    """An unmet requirement, due `due_in` days from today (negative: already overdue)."""

    title: str
    due_in: int
    missing: str = ""
    requirement_id: str = ""


@dataclass
class StatusSpec:
    state: str
    percent: int = 50
    hours_done: str = "24"
    hours_required: str = "48"
    met: int = 3
    total: int = 7
    next_due_in: int | None = None
    on_leave: bool = False
    gaps: list[GapSpec] = field(default_factory=list)


async def today_for(factory: async_sessionmaker[AsyncSession], agency_id: int) -> date:
    async with factory() as session:
        return await agency_today(session, agency_id)


async def license_people(factory: async_sessionmaker[AsyncSession], *person_ids: int) -> None:
    async with factory() as session, session.begin():
        for person_id in person_ids:
            await session.execute(update(Person).where(Person.id == person_id)
                                  .values(license_date=LICENSED_ON, license_number=f"MN-T{person_id:05d}"))


async def store_status(factory: async_sessionmaker[AsyncSession], agency_id: int, officer_id: int,
                       spec: StatusSpec, today: date) -> None:
    """One stored row with its gaps, as the writer would leave it on `today`."""
    async with factory() as session, session.begin():
        session.add(OfficerCompliance(
            officer_id=officer_id, agency_id=agency_id, state=spec.state, on_leave=spec.on_leave,
            percent=spec.percent, hours_done=Decimal(spec.hours_done), hours_required=Decimal(spec.hours_required),
            requirements_met=spec.met, requirements_total=spec.total, cycle_start=LICENSED_ON,
            cycle_end=date(2027, 6, 30),
            next_due_on=today + timedelta(days=spec.next_due_in) if spec.next_due_in is not None else None,
            evaluated_on=today, rule_pack="MN-POST",
        ))
        await session.flush()
        for number, gap in enumerate(spec.gaps):
            session.add(OfficerComplianceGap(
                officer_id=officer_id, agency_id=agency_id, requirement_id=gap.requirement_id or f"req-{number}",
                title=gap.title, due_on=today + timedelta(days=gap.due_in), overdue=gap.due_in < 0,
                missing=gap.missing or f"{gap.title} by day {gap.due_in}",
            ))


async def add_person(factory: async_sessionmaker[AsyncSession], agency_id: int, supervisor_id: int | None,
                     first: str, last: str, *, rank: str = "Officer", unit_name: str = "Patrol A",
                     licensed: bool = True, employment_status: str = "active") -> int:
    async with factory() as session, session.begin():
        unit = await session.scalar(select(Unit.id).where(Unit.agency_id == agency_id, Unit.name == unit_name))
        person = Person(agency_id=agency_id, unit_id=unit, supervisor_id=supervisor_id, first_name=first,
                        last_name=last, rank=rank, badge_number=f"T-{first}-{last}", email=f"{first}@test.example",
                        employment_status=employment_status,
                        license_date=LICENSED_ON if licensed else None)
        session.add(person)
        await session.flush()
        return person.id

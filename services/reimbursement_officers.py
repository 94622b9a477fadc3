"""Reading the facts the eligibility rule needs: each licensed person's spells of employment at the agency and
the credits their records with the agency earned in the fiscal year."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import EmploymentPeriod, Person, TrainingRecord
from services.reimbursement_eligibility import FiscalYear, OfficerFacts, Spell


async def officer_facts(session: AsyncSession, agency_id: int, year: FiscalYear,
                        claimed_elsewhere: frozenset[int] = frozenset()) -> list[OfficerFacts]:
    """Every licensed person of the agency (a licence number or licence date on the roster), with their spells
    and credits. Civilians (neither) are not peace officers and are left out."""
    people = list(await session.scalars(
        select(Person).where(Person.agency_id == agency_id,
                             or_(Person.license_number.is_not(None), Person.license_date.is_not(None)))))
    spells = await _spells(session, agency_id)
    credits = await _credits(session, agency_id, year)
    return [
        OfficerFacts(person_id=person.id, name=person.full_name, license_number=person.license_number or None,
                     spells=spells.get(person.id) or _spell_from_roster(person),
                     credits=credits.get(person.id, Decimal(0)), claimed_elsewhere=person.id in claimed_elsewhere)
        for person in people
    ]


async def _spells(session: AsyncSession, agency_id: int) -> dict[int, tuple[Spell, ...]]:
    rows = await session.scalars(
        select(EmploymentPeriod).where(EmploymentPeriod.agency_id == agency_id)
        .order_by(EmploymentPeriod.person_id, EmploymentPeriod.started_on))
    spells: dict[int, list[Spell]] = defaultdict(list)
    for row in rows:
        spells[row.person_id].append(Spell(row.started_on, row.ended_on, row.part_time))
    return {person_id: tuple(found) for person_id, found in spells.items()}


def _spell_from_roster(person: Person) -> tuple[Spell, ...]:
    """Someone without an employment period yet (added before periods were kept): the roster's own dates,
    as the periods' backfill reads them (hired_on, else the licence date)."""
    started = person.hired_on or person.license_date
    return (Spell(started, person.separated_on, person.part_time),) if started else ()


async def _credits(session: AsyncSession, agency_id: int, year: FiscalYear) -> dict[int, Decimal]:
    rows = await session.execute(
        select(TrainingRecord.officer_id, func.sum(TrainingRecord.hours))
        .where(TrainingRecord.agency_id == agency_id, TrainingRecord.completed_on >= year.starts_on,
               TrainingRecord.completed_on <= year.ends_on)
        .group_by(TrainingRecord.officer_id))
    return {officer_id: Decimal(total or 0).quantize(Decimal("0.01")) for officer_id, total in rows}

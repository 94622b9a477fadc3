"""An officer's compliance, from the database through the pure engine (compliance/).

The one place that turns rows into engine inputs: the dashboard, the licensing-cycle activities
and reports all call `officer_status`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance import ComplianceStatus, CreditRecord, OfficerProfile, RulePack, Waiver, evaluate, load_pack
from models import Agency, ComplianceWaiver, EmploymentStatus, Person, TrainingRecord, TrainingRecordCredit
from services.agency_requirements import active_requirements


@lru_cache(maxsize=16)
def rule_pack(code: str) -> RulePack:
    """Rule packs are files shipped with the release; read each once per process."""
    return load_pack(code)


def is_tracked(person: Person) -> bool:
    """Licensed and still employed: the people whose licensing cycle Muster follows."""
    return person.license_date is not None and person.employment_status != EmploymentStatus.SEPARATED


async def credit_records(session: AsyncSession, officer_id: int) -> list[CreditRecord]:
    rows = await session.execute(
        select(TrainingRecord.id, TrainingRecord.completed_on, TrainingRecord.hours, TrainingRecord.course_number,
               TrainingRecordCredit.topic_code, TrainingRecordCredit.credits)
        .outerjoin(TrainingRecordCredit, TrainingRecordCredit.record_id == TrainingRecord.id)
        .where(TrainingRecord.officer_id == officer_id)
    )
    heads: dict[int, tuple[date, Decimal, str | None]] = {}
    credits: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for record_id, completed_on, hours, course_number, topic, topic_credits in rows:
        heads[record_id] = (completed_on, hours, course_number)
        if topic is not None:
            credits[record_id][topic] = topic_credits
    return [
        CreditRecord(record_id=record_id, completed_on=completed_on, hours=hours, course_number=course_number,
                     topic_credits=credits[record_id])
        for record_id, (completed_on, hours, course_number) in heads.items()
    ]


async def waivers(session: AsyncSession, officer_id: int) -> list[Waiver]:
    rows = await session.scalars(select(ComplianceWaiver).where(ComplianceWaiver.officer_id == officer_id))
    return [
        Waiver(requirement_id=row.requirement_id, kind=row.kind, starts_on=row.starts_on,  # type: ignore[arg-type]
               ends_on=row.ends_on, hours_reduction=row.hours_reduction, reason=row.reason,
               granted_by=str(row.granted_by_id))
        for row in rows
    ]


async def officer_status(session: AsyncSession, officer_id: int, on: date) -> ComplianceStatus | None:
    """The officer's standing on `on` under the state pack and the agency's own requirements; None for
    someone Muster does not track (no licence, separated) or whose licence only starts after `on`."""
    person = await session.get(Person, officer_id)
    if person is None or not is_tracked(person):
        return None
    assert person.license_date is not None
    if on < person.license_date:
        return None
    agency = await session.get_one(Agency, person.agency_id)
    profile = OfficerProfile(officer_id=person.id, licence_date=person.license_date,
                             licence_status=person.license_status)  # type: ignore[arg-type]
    return evaluate(rule_pack(agency.rule_pack), profile, await credit_records(session, officer_id),
                    await waivers(session, officer_id), on,
                    extra_requirements=await active_requirements(session, agency.id))

"""An officer's compliance, from the database through the pure engine (compliance/).

The one place that turns rows into engine inputs: the dashboard, the licensing-cycle activities
and reports all call `officer_status`.

Licensees with no current employer: in this data model a person belongs to one agency, and an agency
install tracks its own officers. Someone the agency separated is no longer its officer: the agency
neither counts nor reminds them, and their training after separation is recorded elsewhere, so the
agency's records could not measure them honestly. `officer_status` (the agency's view) therefore
returns None for them, as before. `licensee_status` measures any licensee, employed or not, as the
pack says (Minnesota: an inactive licence, 48 general credits), for a state-board install that holds
every licensee's records.
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
from services.proration import proration_for


@lru_cache(maxsize=16)
def rule_pack(code: str) -> RulePack:
    """Rule packs are files shipped with the release; read each once per process."""
    return load_pack(code)


def has_employer(person: Person) -> bool:
    """Employed by the agency (on leave included): what the engine calls `employed`."""
    return person.employment_status != EmploymentStatus.SEPARATED


def is_tracked(person: Person) -> bool:
    """Licensed and still employed: the people whose licensing cycle the agency follows."""
    return person.license_date is not None and has_employer(person)


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
    someone the agency does not track (no licence, separated) or whose licence only starts after `on`."""
    person = await session.get(Person, officer_id)
    if person is None or not is_tracked(person):
        return None
    return await licensee_status(session, person, on)


async def licensee_status(session: AsyncSession, person: Person, on: date) -> ComplianceStatus | None:
    """Any licensee's standing on `on`, with or without an employer (the pack's `without_employer` says
    what one without owes); None without a licence or before it starts. For a state-board view: the
    agency's own views use `officer_status`."""
    if person.license_date is None or on < person.license_date:
        return None
    agency = await session.get_one(Agency, person.agency_id)
    pack = rule_pack(agency.rule_pack)
    profile = OfficerProfile(officer_id=person.id, licence_date=person.license_date,
                             licence_status=person.license_status,  # type: ignore[arg-type]
                             employed=has_employer(person))
    return evaluate(pack, profile, await credit_records(session, person.id), await waivers(session, person.id), on,
                    extra_requirements=await active_requirements(session, agency.id) if profile.employed else (),
                    proration=proration_for(pack, agency.proration_method))

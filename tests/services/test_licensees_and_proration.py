"""The services feed the engine who has an employer and the agency's proration choice.

A Minnesota licensee the agency separated is measured, as a licensee, with the inactive-licence rules (48
general credits, no mandated topics: Minn. R. 6700.1400), but is no longer the agency's officer: no stored
row, so none of the agency's counts. A California officer appointed mid-cycle owes what the agency's
proration setting says (POST publishes no rule): the CPT cycle here is 1 January 2025 to 31 December 2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from compliance import ComplianceStatus
from models import (
    Agency,
    ComplianceSnapshot,
    EmploymentStatus,
    OfficerCompliance,
    Person,
    RecordSource,
    TrainingRecord,
    TrainingRecordCredit,
)
from seed.topics import ensure_topics
from services.compliance import licensee_status, officer_status
from services.compliance_status import refresh_officers, take_snapshot

ON = date(2026, 5, 1)
APPOINTED_MID_CYCLE = date(2025, 10, 15)  # October 2025 to December 2026: 15 of the cycle's 24 months


async def _set(factory, agency_id: int, officer_id: int, licensed: date, *, pack: str = "MN-POST",
               proration: str = "none", employment: str = EmploymentStatus.ACTIVE) -> None:
    async with factory() as session, session.begin():
        await session.execute(update(Agency).where(Agency.id == agency_id)
                              .values(rule_pack=pack, proration_method=proration))
        await session.execute(update(Person).where(Person.id == officer_id).values(
            license_date=licensed, license_number="LIC-1", employment_status=employment))


async def _autism_course(factory, agency_id: int, officer_id: int) -> None:
    """16 hours, all autism credits, on 1 May 2024."""
    async with factory() as session, session.begin():
        await ensure_topics(session)
        session.add(TrainingRecord(
            agency_id=agency_id, officer_id=officer_id, course_title="Autism awareness", provider="Academy",
            started_on=date(2024, 5, 1), completed_on=date(2024, 5, 1), hours=Decimal(16),
            source=RecordSource.COORDINATOR_ENTRY,
            credits=[TrainingRecordCredit(topic_code="autism", credits=Decimal(16))]))


async def _licensee(factory, officer_id: int, on: date = ON) -> ComplianceStatus | None:
    async with factory() as session:
        return await licensee_status(session, await session.get_one(Person, officer_id), on)


async def _officer(factory, officer_id: int, on: date = ON) -> ComplianceStatus | None:
    async with factory() as session:
        return await officer_status(session, officer_id, on)


def _required(status: ComplianceStatus) -> dict[str, Decimal]:
    return {s.requirement.id: s.required for s in status.requirements if not s.previous_period}


async def test_separated_minnesota_licensee_is_measured_with_the_inactive_licence_rules(demo_org, session_factory):
    # Licensed 15 March 2023: first cycle to 30 June 2026 (third calendar year after). 16 of 48 credits done.
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, date(2023, 3, 15),
               employment=EmploymentStatus.SEPARATED)
    await _autism_course(session_factory, demo_org.agency_id, demo_org.officer1)

    status = await _licensee(session_factory, demo_org.officer1)

    assert status is not None
    assert _required(status) == {"mn-total": 48}  # no mandated topics, no in-service training
    assert status.missing == ("32 more credits by 30 June 2026",)


async def test_the_same_licensee_still_employed_owes_the_mandated_topics(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, date(2023, 3, 15))

    status = await _officer(session_factory, demo_org.officer1)

    assert status is not None
    assert {"mn-total", "mn-autism", "mn-use-of-force"} <= set(_required(status))


async def test_a_separated_licensee_is_not_the_agencys_officer_and_is_not_counted(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, date(2023, 3, 15))
    async with session_factory() as session, session.begin():
        await refresh_officers(session, [demo_org.officer1], ON)
    async with session_factory() as session, session.begin():
        assert await session.get(OfficerCompliance, demo_org.officer1) is not None  # counted while employed
        await session.execute(update(Person).where(Person.id == demo_org.officer1)
                              .values(employment_status=EmploymentStatus.SEPARATED))

    assert await _officer(session_factory, demo_org.officer1) is None
    async with session_factory() as session, session.begin():
        await refresh_officers(session, [demo_org.officer1], ON)
        await take_snapshot(session, ON, [demo_org.agency_id])
    async with session_factory() as session:
        assert await session.get(OfficerCompliance, demo_org.officer1) is None
        snapshot = await session.scalar(select(ComplianceSnapshot).where(ComplianceSnapshot.unit_key == 0))
    assert snapshot is not None
    counts = (snapshot.compliant, snapshot.on_track, snapshot.at_risk, snapshot.overdue, snapshot.on_leave)
    assert counts == (0, 0, 0, 0, 0)


async def test_a_separated_california_licensee_owes_nothing_and_the_engine_says_why(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, date(2010, 5, 1), pack="CA-POST",
               employment=EmploymentStatus.SEPARATED)

    status = await _licensee(session_factory, demo_org.officer1)

    assert status is not None and status.requirements == () and status.state == "compliant"
    assert status.notes == ("California POST Continuing Professional Training sets no continuing education for a"
                            " licensee without an employer (Cal. Code Regs. tit. 11, 1005(d) [CA7])",)


async def test_california_officer_appointed_mid_cycle_owes_the_full_24_hours_by_default(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, APPOINTED_MID_CYCLE, pack="CA-POST")

    status = await _officer(session_factory, demo_org.officer1)

    assert status is not None
    assert _required(status)["ca-cpt"] == 24 and _required(status)["ca-psp-firearms"] == 4


async def test_monthly_proration_owes_the_share_of_months_left_rounded_up(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, APPOINTED_MID_CYCLE, pack="CA-POST",
               proration="monthly")

    status = await _officer(session_factory, demo_org.officer1)

    # 15 of 24 months: CPT 24 x 15/24 = 15; firearms, driving, arrest and control, use of force 4 x 15/24 = 2.5
    # -> 3; strategic communications 2 x 15/24 = 1.25 -> 2. The rolling refreshers keep their own clocks.
    assert status is not None
    assert {key: value for key, value in _required(status).items() if key.startswith(("ca-cpt", "ca-psp"))} == {
        "ca-cpt": 15, "ca-psp-firearms": 3, "ca-psp-driving": 3, "ca-psp-arrest-control": 3,
        "ca-psp-strategic-communications": 2, "ca-psp-use-of-force": 3,
    }
    async with session_factory() as session, session.begin():
        await refresh_officers(session, [demo_org.officer1], ON)
    async with session_factory() as session:
        stored = await session.get_one(OfficerCompliance, demo_org.officer1)
    assert stored.hours_required == 15


async def test_waiting_for_the_first_full_cycle_owes_nothing_in_the_cycle_of_appointment(demo_org, session_factory):
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, APPOINTED_MID_CYCLE, pack="CA-POST",
               proration="first_full_unit")

    status = await _officer(session_factory, demo_org.officer1)
    next_cycle = await _officer(session_factory, demo_org.officer1, date(2027, 3, 1))

    assert status is not None and next_cycle is not None
    assert {s.requirement.kind for s in status.requirements} == {"recurring"}  # refreshers only
    assert _required(next_cycle)["ca-cpt"] == 24  # 2027-2028 is the first full cycle


@pytest.mark.parametrize("proration", ["monthly", "first_full_unit"])
async def test_a_pack_with_its_own_rule_ignores_the_agency_setting(demo_org, session_factory, proration):
    # Minnesota's first cycle starts on the licence date: the stored setting (say, from a former CA pack) is unused.
    await _set(session_factory, demo_org.agency_id, demo_org.officer1, date(2023, 3, 15), proration=proration)

    status = await _officer(session_factory, demo_org.officer1)

    assert status is not None and _required(status)["mn-total"] == 48

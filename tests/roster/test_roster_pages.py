"""The roster pages as a coordinator uses them: hiring (with its errors), leave, separation, and the
refusals: people of other agencies are not found, officers and sergeants may not keep the roster."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import (
    Agency,
    AuditEvent,
    ComplianceWaiver,
    EmploymentPeriod,
    EmploymentStatus,
    Person,
    Unit,
    UserAccount,
    WaiverKind,
)

HIRE = {"first_name": "Nadia", "last_name": "Newhire", "rank": "Officer", "badge_number": "N-501",
        "license_number": "MN-77001", "license_date": "2026-10-01", "email": "nadia.newhire@test.example",
        "employment_type": "part_time", "hired_on": "2026-11-02"}


async def _unit_id(session_factory, org, name: str) -> int:
    async with session_factory() as session:
        unit_id = await session.scalar(select(Unit.id).where(Unit.agency_id == org.agency_id, Unit.name == name))
    assert unit_id is not None
    return unit_id


async def test_hire_with_mistakes_shows_each_problem_and_keeps_what_was_typed(browsers, org, session_factory):
    coord = await browsers("coord1")
    form = {**HIRE, "unit_id": str(await _unit_id(session_factory, org, "Patrol A")), "rank": "Admiral",
            "email": "not-an-address", "license_date": ""}
    response = await coord.post("/roster/people", form)
    assert response.status_code == 200
    assert "Choose a rank from the agency&#39;s list." in response.text
    assert "Enter an email address such as name@agency.gov." in response.text
    assert "Enter the date of the licence (YYYY-MM-DD)." in response.text
    assert 'value="Nadia"' in response.text and 'value="N-501"' in response.text
    assert 'value="not-an-address"' in response.text
    async with session_factory() as session:
        assert await session.scalar(select(Person).where(Person.badge_number == "N-501")) is None


async def test_a_taken_badge_number_is_refused_beside_the_field(browsers, org, session_factory):
    coord = await browsers("coord1")
    form = {**HIRE, "unit_id": str(await _unit_id(session_factory, org, "Patrol A")), "badge_number": "B104"}
    response = await coord.post("/roster/people", form)
    assert response.status_code == 200
    assert "Another person of the agency has this badge number." in response.text
    assert 'value="Nadia"' in response.text


async def test_hiring_adds_the_person_with_an_open_employment_period_and_an_audit_row(browsers, org, session_factory):
    coord = await browsers("coord1")
    form = {**HIRE, "unit_id": str(await _unit_id(session_factory, org, "Patrol A")), "supervisor_id": str(org.sgt1)}
    response = await coord.post("/roster/people", form)
    assert response.status_code == 303
    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.badge_number == "N-501"))
        assert person is not None
        periods = list(await session.scalars(select(EmploymentPeriod).where(EmploymentPeriod.person_id == person.id)))
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.hire"))
    assert response.headers["location"] == f"/roster/people/{person.id}?saved=hired"
    assert (person.supervisor_id, person.part_time, person.employment_status) == (org.sgt1, True, "active")
    assert [(p.started_on, p.ended_on, p.part_time) for p in periods] == [(date(2026, 11, 2), None, True)]
    assert audit is not None and audit.detail["before"] is None
    assert audit.detail["after"]["badge_number"] == "N-501" and audit.detail["after"]["license_number"] == "MN-77001"
    page = await coord.get(f"/roster/people/{person.id}?saved=hired")
    assert page.status_code == 200 and "Nadia Newhire" in page.text and "MN-77001" in page.text


async def test_a_transfer_that_would_make_a_supervisor_cycle_is_refused(browsers, org, session_factory):
    coord = await browsers("coord1")
    unit = str(await _unit_id(session_factory, org, "Patrol A"))
    response = await coord.post(f"/roster/people/{org.sgt1}/transfer",
                                {"unit_id": unit, "supervisor_id": str(org.officer1), "effective_on": "2026-12-01"})
    assert response.status_code == 200
    assert "A person cannot report to themself or to someone who reports to them." in response.text
    async with session_factory() as session:
        assert (await session.get_one(Person, org.sgt1)).supervisor_id == org.lt1


async def test_leave_records_a_leave_waiver_and_return_ends_it(browsers, org, session_factory):
    coord = await browsers("coord1")
    response = await coord.post(f"/roster/people/{org.officer2}/leave",
                                {"starts_on": "2026-10-05", "expected_end": "2027-01-31", "reason": "Military"})
    assert response.status_code == 303
    response = await coord.post(f"/roster/people/{org.officer2}/return", {"returned_on": "2026-12-01"})
    assert response.status_code == 303
    async with session_factory() as session:
        waiver = await session.scalar(select(ComplianceWaiver).where(ComplianceWaiver.officer_id == org.officer2))
        officer = await session.get_one(Person, org.officer2)
    assert waiver is not None and waiver.kind == WaiverKind.LEAVE and waiver.requirement_id is None
    assert (waiver.starts_on, waiver.ends_on) == (date(2026, 10, 5), date(2026, 11, 30))
    assert officer.employment_status == EmploymentStatus.ACTIVE


async def test_separation_closes_the_period_and_signs_the_person_out(browsers, org, session_factory):
    officer = await browsers("officer2")
    assert (await officer.get("/requests")).status_code == 200
    coord = await browsers("coord1")
    empty = await coord.post(f"/roster/people/{org.officer2}/separate", {"separated_on": "2026-11-30", "reason": ""})
    assert empty.status_code == 200 and "Give the reason" in empty.text
    response = await coord.post(f"/roster/people/{org.officer2}/separate",
                                {"separated_on": "2026-11-30", "reason": "Retired"})
    assert response.status_code == 303
    assert (await officer.get("/requests")).status_code in (302, 303)
    async with session_factory() as session:
        account = await session.scalar(select(UserAccount).where(UserAccount.person_id == org.officer2))
        person = await session.get_one(Person, org.officer2)
    assert account is not None and not account.is_active
    assert (person.employment_status, person.separated_on) == ("separated", date(2026, 11, 30))


async def test_the_last_active_administrator_cannot_be_separated(browsers, org, session_factory):
    response = await (await browsers("coord1")).post(f"/roster/people/{org.admin1}/separate",
                                                     {"separated_on": "2026-11-30", "reason": "Retired"})
    assert response.status_code == 200
    assert "Adam Admin is the agency&#39;s last active administrator" in response.text
    async with session_factory() as session:
        person = await session.get_one(Person, org.admin1)
        account = await session.scalar(select(UserAccount).where(UserAccount.person_id == org.admin1))
    assert person.employment_status == EmploymentStatus.ACTIVE and account is not None and account.is_active


async def test_officers_and_sergeants_may_not_keep_the_roster(browsers, org):
    for username in ("officer1", "sgt1", "chief1"):
        browser = await browsers(username)
        assert (await browser.get("/roster")).status_code == 403
        assert (await browser.get(f"/roster/people/{org.officer1}")).status_code == 403


async def test_another_agencys_people_units_and_ranks_are_not_found(browsers, org, session_factory):
    async with session_factory() as session, session.begin():
        other = Agency(name="Other PD", state="MN")
        session.add(other)
        await session.flush()
        unit = Unit(agency_id=other.id, name="Elsewhere")
        session.add(unit)
        await session.flush()
        person = Person(agency_id=other.id, unit_id=unit.id, first_name="Otto", last_name="Outside", rank="Officer",
                        badge_number="X1", email="otto@other.example")
        session.add(person)
        await session.flush()
        person_id, unit_id = person.id, unit.id
    coord = await browsers("admin1")
    assert (await coord.get(f"/roster/people/{person_id}")).status_code == 404
    assert (await coord.get(f"/roster/people/{person_id}/edit")).status_code == 404
    assert (await coord.post(f"/roster/people/{person_id}/separate",
                             {"separated_on": "2026-11-30", "reason": "x"})).status_code == 404
    assert (await coord.post(f"/roster/units/{unit_id}/rename", {"name": "Mine now"})).status_code == 404
    listing = await coord.get("/roster?q=Outside")
    assert listing.status_code == 200 and "Otto" not in listing.text and "Nobody matches." in listing.text

"""The officer's compliance dashboard, who may see it, and the coordinators' roster."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event, select

from models import AuditEvent
from services.compliance import officer_status
from tests.services.records_support import add_record, give_known_records, license_officer


async def _denials(session_factory, action: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "denied")
        ))


async def test_dashboard_shows_hours_percent_state_and_outstanding_topics(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    async with session_factory() as session:
        status = await officer_status(session, demo_org.officer1, date.today())
    assert status is not None and status.state == "on_track"

    response = await (await browsers("officer1")).get("/dashboard")

    assert response.status_code == 200
    html = response.text
    assert "14 of 48 credits" in html and "(34 to go)" in html
    assert '<progress id="hours-progress" max="48"' in html
    assert f"{status.percent}%" in html
    assert '<span class="state state-on_track">On track</span>' in html
    assert "4 more autism credits by 30 June" in html
    assert "Crisis intervention and mental illness crises" in html
    assert "Firearms Qualification" in html  # recent records
    assert "Pending training requests" in html


async def test_officer_home_page_is_the_dashboard(browsers, demo_org):
    response = await (await browsers("officer1")).get("/")
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"


async def test_person_without_licence_sees_an_explanation_not_numbers(browsers, demo_org):
    response = await (await browsers("officer2")).get("/dashboard")
    assert response.status_code == 200
    assert "No licensing cycle to show" in response.text
    assert "<progress" not in response.text


async def test_officer_cannot_see_another_officers_dashboard_records_or_transcript(
    browsers, demo_org, session_factory
):
    await license_officer(session_factory, demo_org.officer2, number="MN-0077")
    await add_record(session_factory, demo_org.agency_id, demo_org.officer2, title="Secret Squirrel Course")
    browser = await browsers("officer1")
    for suffix in ("dashboard", "records", "records/transcript.pdf"):
        response = await browser.get(f"/officers/{demo_org.officer2}/{suffix}")
        assert response.status_code == 404, suffix
        assert "Secret Squirrel" not in response.text and "Omar" not in response.text
    assert (await browser.get("/officers/999999/dashboard")).status_code == 404
    assert len(await _denials(session_factory, "officer_records.view")) == 4


async def test_supervisor_in_chain_can_view_and_outside_chain_cannot(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    url = f"/officers/{demo_org.officer1}/dashboard"
    for username in ("sgt1", "lt1", "chief1", "coord1"):
        response = await (await browsers(username)).get(url)
        assert response.status_code == 200, username
        assert "14 of 48 credits" in response.text
    assert (await (await browsers("sgt2")).get(url)).status_code == 404
    assert (await (await browsers("sgt2")).get(f"/officers/{demo_org.officer1}/records")).status_code == 404
    assert len(await _denials(session_factory, "officer_records.view")) == 2


async def test_dashboard_queries_do_not_grow_with_the_number_of_records(app, browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    browser = await browsers("officer1")
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert (await browser.get("/dashboard")).status_code == 200
        few = len(statements)
        for number in range(12):
            await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title=f"Course {number}",
                             credits={"autism": "1"})
        statements.clear()
        assert (await browser.get("/dashboard")).status_code == 200
        assert len(statements) == few
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)


async def test_roster_lists_and_searches_officers_for_coordinators_only(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1, number="MN-0042")
    await license_officer(session_factory, demo_org.officer2, number="MN-0077")
    coordinator = await browsers("coord1")

    everyone = await coordinator.get("/officers")
    assert everyone.status_code == 200
    assert "Officer, Olly" in everyone.text and "Other, Omar" in everyone.text and "MN-0077" in everyone.text
    assert f"/officers/{demo_org.officer1}/records/new" in everyone.text

    found = await coordinator.get("/officers", params={"q": "omar"})
    assert "Other, Omar" in found.text and "Officer, Olly" not in found.text
    assert "Other, Omar" not in (await coordinator.get("/officers", params={"q": "100%_"})).text

    assert (await (await browsers("officer1")).get("/officers")).status_code == 403


async def test_the_way_back_leads_each_viewer_to_a_page_they_may_open(browsers, demo_org):
    url = f"/officers/{demo_org.officer1}/dashboard"
    sergeant = await browsers("sgt1")
    from_team = await sergeant.get(url)
    assert '<a href="/team">Back to my team</a>' in from_team.text and 'href="/officers"' not in from_team.text
    assert (await sergeant.get("/team")).status_code == 200
    from_roster = await (await browsers("coord1")).get(url)
    assert '<a href="/officers">Back to the roster</a>' in from_roster.text
    assert "Back to" not in (await (await browsers("officer1")).get("/dashboard")).text


async def test_someone_elses_view_of_a_dashboard_names_the_officer_instead_of_saying_you(
    browsers, demo_org, session_factory
):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    url = f"/officers/{demo_org.officer1}/dashboard"

    sergeant = (await (await browsers("sgt1")).get(url)).text
    own = (await (await browsers("officer1")).get("/dashboard")).text

    assert "What Olly Officer still needs" in sergeant and "What to do next" not in sergeant
    assert "What to do next" in own
    assert "ask your training coordinator" not in (
        await (await browsers("coord1")).get(f"/officers/{demo_org.officer2}/dashboard")).text
    assert "ask your training coordinator" in (await (await browsers("officer2")).get("/dashboard")).text

"""The requirements page: the state pack as applied, and coordinators adding and retiring the agency's own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import AgencyRequirement, AuditEvent, OutboxMessage
from services.compliance import officer_status
from services.workflow_starts import START_AGENCY_RECOMPUTE
from tests.services.records_support import license_officer

RANGE_DAY = {
    "title": "Range day at the Lakeview range",
    "code": "range-day",
    "kind": "course",
    "hours": "",
    "course_numbers": "LPD-RANGE, LPD-RANGE-2",
    "period_kind": "cycle",
    "period_months": "",
    "period_anchor": "",
    "effective_from": "2024-01-01",
    "effective_to": "",
    "source": "Lakeview PD policy 300.4",
}


async def _audits(session_factory, action: str, outcome: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome).order_by(AuditEvent.id)
        ))


async def _rows(session_factory) -> list[AgencyRequirement]:
    async with session_factory() as session:
        return list(await session.scalars(select(AgencyRequirement).order_by(AgencyRequirement.id)))


async def test_coordinator_sees_the_state_pack_as_the_engine_applies_it(browsers, demo_org):
    page = await (await browsers("coord1")).get("/requirements")

    assert page.status_code == 200
    assert "48 continuing-education credits per licensing cycle" in page.text
    assert "48 credits in any topic" in page.text and "Every 12 months (rolling, from the last completion)" in page.text
    assert "Minn. Stat. 626.8452 [M7]" in page.text  # the source citation
    assert "16 mandated credits (four topics plus 4 electives)" not in page.text  # ended 2024
    assert 'action="/requirements"' in page.text and 'name="_csrf_token"' in page.text


async def test_coordinator_adds_a_requirement_and_the_officers_dashboard_shows_it_outstanding(
    browsers, demo_org, session_factory
):
    await license_officer(session_factory, demo_org.officer1)
    coordinator = await browsers("coord1")

    response = await coordinator.post("/requirements", RANGE_DAY)

    assert response.status_code == 303 and response.headers["location"] == "/requirements?saved=added"
    [row] = await _rows(session_factory)
    assert (row.code, row.kind, row.course_numbers, row.created_by_id) == (
        "range-day", "course", ["LPD-RANGE", "LPD-RANGE-2"], demo_org.coord1)
    [event] = await _audits(session_factory, "agency_requirement.add", "success")
    assert event.object_id == str(row.id) and event.detail["after"]["source"] == "Lakeview PD policy 300.4"
    async with session_factory() as session:
        [message] = await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == START_AGENCY_RECOMPUTE))
    assert message.payload == {"agency_id": demo_org.agency_id, "change": f"add-{row.id}"}
    assert message.workflow_id.endswith(f"agency-recompute-{demo_org.agency_id}-add-{row.id}")
    listed = await coordinator.get("/requirements?saved=added")
    assert "The requirement has been added." in listed.text and "Course LPD-RANGE or LPD-RANGE-2" in listed.text

    dashboard = (await (await browsers("officer1")).get("/dashboard")).text
    assert "Range day at the Lakeview range <span class=\"muted\">(agency requirement)</span>" in dashboard
    assert "Course LPD-RANGE or LPD-RANGE-2 (Range day at the Lakeview range) by" in dashboard


async def test_bad_input_rerenders_with_messages_and_stores_nothing(browsers, demo_org, session_factory):
    coordinator = await browsers("coord1")
    cases = [
        ({"kind": "quiz"}, "kind", "Choose what the requirement counts."),
        ({"kind": "topic_hours", "course_numbers": ""}, "hours", "needs hours"),  # engine: topic hours need hours
        ({"kind": "topic_hours", "course_numbers": "", "hours": "-2", "topics": "use_of_force"}, "hours",
         "Hours must be positive."),
        ({"kind": "topic_hours", "course_numbers": "", "hours": "4"}, "topics", "names exactly one topic"),
        ({"period_kind": "rolling"}, "period_months", "Enter how many months each period lasts."),
        ({"period_kind": "fixed", "period_months": "12"}, "period_anchor", "Needs an anchor date"),
        ({"period_kind": "weekly"}, "period_kind", "Choose when the requirement falls due."),
        ({"effective_to": "2023-01-01"}, "effective_to", "The end date is before the start date."),
        ({"code": "Range Day!"}, "code", "Use lower-case letters"),
        ({"source": " "}, "source", "Enter the source"),
    ]
    for change, field, message in cases:
        response = await coordinator.post("/requirements", {**RANGE_DAY, **change})
        assert response.status_code == 200, change
        assert 'class="error-summary"' in response.text and f'href="#{field}"' in response.text, (change, field)
        assert message.lower() in response.text.lower(), (change, message)
    assert await _rows(session_factory) == []
    async with session_factory() as session:
        assert await session.scalar(select(func.count(OutboxMessage.id))) == 0


async def test_a_code_cannot_be_reused(browsers, demo_org, session_factory):
    coordinator = await browsers("coord1")
    assert (await coordinator.post("/requirements", RANGE_DAY)).status_code == 303
    again = await coordinator.post("/requirements", {**RANGE_DAY, "title": "Another"})
    assert again.status_code == 200 and "already has a requirement with this code" in again.text
    assert len(await _rows(session_factory)) == 1


async def test_retiring_stops_it_counting_but_keeps_the_row(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    coordinator = await browsers("coord1")
    await coordinator.post("/requirements", RANGE_DAY)
    [row] = await _rows(session_factory)

    no_reason = await coordinator.post(f"/requirements/{row.id}/retire", {"reason": " "})
    assert no_reason.status_code == 200 and "Say why the requirement is being retired." in no_reason.text
    assert (await _rows(session_factory))[0].retired_at is None

    response = await coordinator.post(f"/requirements/{row.id}/retire", {"reason": "Policy 300.4 rescinded"})

    assert response.status_code == 303 and response.headers["location"] == "/requirements?saved=retired"
    [kept] = await _rows(session_factory)
    assert kept.retired_at is not None
    [event] = await _audits(session_factory, "agency_requirement.retire", "success")
    assert event.detail["reason"] == "Policy 300.4 rescinded"
    async with session_factory() as session:
        changes = list(await session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.kind == START_AGENCY_RECOMPUTE).order_by(OutboxMessage.id)))
        status = await officer_status(session, demo_org.officer1, date.today())
    assert [change["change"] for change in changes] == [f"add-{row.id}", f"retire-{row.id}"]
    assert status is not None and not any(s.requirement.id == "agency:range-day" for s in status.requirements)
    assert "Range day at the Lakeview range" not in (await (await browsers("officer1")).get("/dashboard")).text
    page = await coordinator.get("/requirements")
    assert "Retired requirements (1)" in page.text
    twice = await coordinator.post(f"/requirements/{row.id}/retire", {"reason": "again"})
    assert "already retired" in twice.text


async def test_only_coordinators_change_requirements_and_command_staff_only_read(browsers, demo_org, session_factory):
    for username in ("officer1", "sgt1", "admin1"):
        browser = await browsers(username)
        assert (await browser.get("/requirements")).status_code == 403
        assert (await browser.post("/requirements", RANGE_DAY)).status_code == 403
    chief = await browsers("chief1")
    page = await chief.get("/requirements")
    assert page.status_code == 200 and "48 continuing-education credits" in page.text
    assert "Add requirement" not in page.text
    assert (await chief.post("/requirements", RANGE_DAY)).status_code == 403
    assert (await chief.post("/requirements/1/retire", {"reason": "x"})).status_code == 403

    assert await _rows(session_factory) == []
    assert len(await _audits(session_factory, "agency_requirements.view", "denied")) == 3
    assert len(await _audits(session_factory, "agency_requirement.add", "denied")) == 4
    assert len(await _audits(session_factory, "agency_requirement.retire", "denied")) == 1

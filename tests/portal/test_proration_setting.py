"""The proration setting: offered only where the rule pack leaves it to the agency (California), checked,
audited, recomputed like a requirement change, and shown on the requirements page with its source."""

from __future__ import annotations

from sqlalchemy import func, select, update

from models import Agency, OutboxMessage
from services.workflow_starts import START_AGENCY_RECOMPUTE
from tests.portal.helpers import audits

GOOD = {"threshold": "500.00", "reminder_days": "2", "escalation_days": "5", "certificate_reminder_days": "3",
        "certificate_escalation_days": "7", "timezone": "America/Los_Angeles"}
CA_SOURCE = "not published by POST (CA1, CA5-CA8): an agency setting, default none"


async def _make_californian(session_factory, agency_id: int) -> None:
    async with session_factory() as session, session.begin():
        await session.execute(update(Agency).where(Agency.id == agency_id)
                              .values(rule_pack="CA-POST", timezone="America/Los_Angeles"))


async def _agency(session_factory) -> Agency:
    async with session_factory() as session:
        return await session.get_one(Agency, (await session.scalar(select(Agency.id).order_by(Agency.id))))


async def _recompute_messages(session_factory) -> list[OutboxMessage]:
    async with session_factory() as session:
        return list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == START_AGENCY_RECOMPUTE)))


async def test_california_admin_chooses_monthly_proration_audited_and_recomputed(browsers, demo_org,
                                                                                  session_factory):
    await _make_californian(session_factory, demo_org.agency_id)
    admin = await browsers("admin1")
    form = (await admin.get("/admin/settings")).text
    assert "Officers appointed during a cycle" in form and CA_SOURCE in form
    assert 'id="proration-none" name="proration" type="radio" value="none" checked' in form
    assert "No proration: an officer appointed during a cycle owes the full hours in that cycle (the default)" in form

    response = await admin.post("/admin/settings", {**GOOD, "proration": "monthly"})

    assert response.status_code == 303
    assert (await _agency(session_factory)).proration_method == "monthly"
    [event] = await audits(session_factory, "agency.settings", "success")
    assert (event.detail["before"]["proration_method"], event.detail["after"]["proration_method"]) == (
        "none", "monthly")
    [message] = await _recompute_messages(session_factory)
    assert message.payload == {"agency_id": demo_org.agency_id, "change": f"proration-{event.id}"}
    shown = (await admin.get("/admin/settings")).text
    assert 'id="proration-monthly" name="proration" type="radio" value="monthly" checked' in shown

    requirements = (await (await browsers("coord1")).get("/requirements")).text
    assert ("By month: an officer appointed during a cycle owes the hours in proportion to the months left in it,"
            " counting the month of appointment, rounded up to whole hours (the agency's setting)") in requirements
    assert f"Source: {CA_SOURCE}." in requirements


async def test_saving_other_settings_without_changing_proration_queues_no_recompute(browsers, demo_org,
                                                                                    session_factory):
    await _make_californian(session_factory, demo_org.agency_id)
    admin = await browsers("admin1")

    assert (await admin.post("/admin/settings", {**GOOD, "proration": "none", "reminder_days": "3"})).status_code == 303

    assert (await _agency(session_factory)).approval_reminder_business_days == 3
    assert await _recompute_messages(session_factory) == []


async def test_a_bad_proration_value_is_refused_with_a_message_and_the_typed_values_kept(browsers, demo_org,
                                                                                       session_factory):
    await _make_californian(session_factory, demo_org.agency_id)
    admin = await browsers("admin1")

    for bad in ({"proration": "weekly"}, {}):
        response = await admin.post("/admin/settings", {**GOOD, "reminder_days": "4", **bad})
        assert response.status_code == 200, bad
        assert "Choose how much an officer appointed during a cycle owes in it." in response.text
        assert 'id="reminder_days" name="reminder_days" type="number" value="4"' in response.text

    agency = await _agency(session_factory)
    assert (agency.proration_method, agency.approval_reminder_business_days) == ("none", 2)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(OutboxMessage.id))) == 0


async def test_minnesota_settings_page_offers_no_proration_choice_and_ignores_one_posted(browsers, demo_org,
                                                                                      session_factory):
    admin = await browsers("admin1")
    form = (await admin.get("/admin/settings")).text
    assert 'name="proration"' not in form and "Officers appointed during a cycle" not in form

    response = await admin.post("/admin/settings", {**GOOD, "proration": "monthly"})

    assert response.status_code == 303
    assert (await _agency(session_factory)).proration_method == "none"
    [event] = await audits(session_factory, "agency.settings", "success")
    assert "proration_method" not in event.detail["after"]
    requirements = (await (await browsers("coord1")).get("/requirements")).text
    assert "No proration: an officer owes the full hours of every period from the licence date." in requirements
    assert ("Source: not found in M1-M15: POST publishes no proration; the first cycle runs from the licence"
            " date.") in requirements

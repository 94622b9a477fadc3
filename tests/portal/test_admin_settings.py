"""Agency settings: only admins change them, bad values are explained, changes are audited and used."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from models import Agency, RequestStatus
from tests.portal.helpers import audits, load, portal, submit
from tests.support import timeline, wait_for_open_task

GOOD = {"threshold": "$1,000.00", "reminder_days": "3", "escalation_days": "7", "certificate_reminder_days": "2",
        "certificate_escalation_days": "10", "timezone": "America/New_York"}


async def _agency(session_factory) -> Agency:
    async with session_factory() as session:
        return await session.scalar(select(Agency))


async def test_admin_changes_threshold_and_days_and_the_change_is_audited(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    form = await admin.get("/admin/settings")
    assert 'value="500.00"' in form.text and 'value="2"' in form.text and 'value="5"' in form.text
    assert 'id="timezone" name="timezone" type="text" value="America/Chicago"' in form.text
    assert '<option value="America/New_York">' in form.text  # suggestions while typing

    response = await admin.post("/admin/settings", GOOD)

    assert response.status_code == 303 and response.headers["location"] == "/admin/settings?notice=saved"
    agency = await _agency(session_factory)
    assert (
        agency.approval_cost_threshold_cents,
        agency.approval_reminder_business_days,
        agency.approval_escalation_business_days,
    ) == (100_000, 3, 7)
    shown = await admin.get(response.headers["location"])
    assert "Settings saved." in shown.text and 'value="1000.00"' in shown.text and 'value="7"' in shown.text
    assert (agency.certificate_reminder_business_days, agency.certificate_escalation_business_days) == (2, 10)
    assert agency.timezone == "America/New_York"
    assert 'id="timezone" name="timezone" type="text" value="America/New_York"' in shown.text
    assert 'id="certificate_reminder_days" name="certificate_reminder_days" type="number" value="2"' in shown.text
    assert 'id="certificate_escalation_days" name="certificate_escalation_days" type="number" value="10"' in shown.text
    [row] = await audits(session_factory, "agency.settings")
    assert (row.outcome, row.actor_user_id, row.object_id) == (
        "success",
        demo_org.users["admin1"],
        str(demo_org.agency_id),
    )
    assert row.detail == {
        "before": {
            "approval_cost_threshold_cents": 50_000,
            "approval_reminder_business_days": 2,
            "approval_escalation_business_days": 5,
            "certificate_reminder_business_days": 3,
            "certificate_escalation_business_days": 7,
            "timezone": "America/Chicago",
        },
        "after": {
            "approval_cost_threshold_cents": 100_000,
            "approval_reminder_business_days": 3,
            "approval_escalation_business_days": 7,
            "certificate_reminder_business_days": 2,
            "certificate_escalation_business_days": 10,
            "timezone": "America/New_York",
        },
    }


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"threshold": "-0.01"}, "threshold", "Enter an amount from 0 to 1,000,000 dollars."),
        ({"threshold": "a lot"}, "threshold", "Enter an amount in dollars, e.g. 500."),
        ({"threshold": ""}, "threshold", "Enter an amount in dollars, e.g. 500."),
        ({"threshold": "NaN"}, "threshold", "Enter an amount from 0 to 1,000,000 dollars."),
        ({"threshold": "10.005"}, "threshold", "Use at most two decimal places."),
        ({"threshold": "1000000.01"}, "threshold", "Enter an amount from 0 to 1,000,000 dollars."),
        ({"reminder_days": "-2"}, "reminder_days", "Enter a whole number of business days from 1 to 60."),
        ({"reminder_days": "two"}, "reminder_days", "Enter a whole number of business days from 1 to 60."),
        ({"reminder_days": "2.5"}, "reminder_days", "Enter a whole number of business days from 1 to 60."),
        ({"escalation_days": "61"}, "escalation_days", "Enter a whole number of business days from 1 to 60."),
        ({"escalation_days": ""}, "escalation_days", "Enter a whole number of business days from 1 to 60."),
        # Unicode digits that str.isdigit() accepts but int() does not: a message, not a server error.
        ({"escalation_days": "\u00b2"}, "escalation_days", "Enter a whole number of business days from 1 to 60."),
        ({"certificate_reminder_days": "0"}, "certificate_reminder_days",
         "Enter a whole number of business days from 1 to 30."),
        ({"certificate_reminder_days": "31"}, "certificate_reminder_days",
         "Enter a whole number of business days from 1 to 30."),
        ({"certificate_reminder_days": "1.5"}, "certificate_reminder_days",
         "Enter a whole number of business days from 1 to 30."),
        ({"certificate_escalation_days": "61"}, "certificate_escalation_days",
         "Enter a whole number of business days from 2 to 60."),
        ({"certificate_escalation_days": ""}, "certificate_escalation_days",
         "Enter a whole number of business days from 2 to 60."),
        ({"certificate_escalation_days": "2"}, "certificate_escalation_days",
         "Enter more business days than for the coordinators' reminder."),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone",
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "Central Time"}, "timezone",
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "CST"}, "timezone",
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "localtime"}, "timezone",  # the server's own zone, not a place
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "../../etc/passwd"}, "timezone",
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "<b>Chicago</b>"}, "timezone",
         "This is not a time zone Muster knows: enter it as Region/City, e.g. America/Chicago."),
        ({"timezone": "america/chicago"}, "timezone",
         "Time zone names are case-sensitive: did you mean America/Chicago?"),
        ({"timezone": "  "}, "timezone", "Enter the agency's time zone, e.g. America/Chicago."),
    ],
)
async def test_invalid_settings_rerender_with_message_and_change_nothing(
    browsers, demo_org, session_factory, form, field, message
):
    admin = await browsers("admin1")
    response = await admin.post("/admin/settings", {**GOOD, **form})

    assert response.status_code == 200
    assert message in html.unescape(response.text)
    assert f'id="{field}-error"' in response.text and 'aria-invalid="true"' in response.text
    assert f'value="{html.escape(form[field])}"' in response.text  # what was typed is kept
    agency = await _agency(session_factory)
    assert (
        agency.approval_cost_threshold_cents,
        agency.approval_reminder_business_days,
        agency.approval_escalation_business_days,
        agency.certificate_reminder_business_days,
        agency.certificate_escalation_business_days,
        agency.timezone,
    ) == (50_000, 2, 5, 3, 7, "America/Chicago")
    assert await audits(session_factory, "agency.settings") == []


async def test_non_admins_cannot_see_or_change_settings_and_are_audited(browsers, demo_org, session_factory):
    for username in ("officer1", "sgt1", "coord1", "chief1"):
        browser = await browsers(username)
        page = await browser.get("/admin/settings")
        assert page.status_code == 403, username
        assert "Agency settings:" not in page.text
        assert (await browser.post("/admin/settings", GOOD)).status_code == 403, username
        assert 'href="/admin/settings"' not in (await browser.get("/requests")).text
    assert (await _agency(session_factory)).approval_cost_threshold_cents == 50_000
    denials = await audits(session_factory, "agency.settings")
    assert len(denials) == 8 and {row.outcome for row in denials} == {"denied"}
    assert {row.actor_user_id for row in denials} == {
        demo_org.users[name] for name in ("officer1", "sgt1", "coord1", "chief1")
    }


async def test_after_raising_threshold_a_650_dollar_request_needs_only_the_sergeant(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        admin, officer, sergeant = await sign_in("admin1"), await sign_in("officer1"), await sign_in("sgt1")
        assert (await admin.post("/admin/settings", GOOD)).status_code == 303

        cheap, _ = await submit(officer, title="Below the new threshold", cost_tuition="650")
        costly, _ = await submit(officer, title="Above the new threshold", cost_tuition="1000.01")
        for request_id, outcome in ((cheap, "Approved"), (costly, "Approved — sent on to Lieutenant Lena Lieutenant")):
            task = await wait_for_open_task(session_factory, request_id)
            assert task.assignee_id == demo_org.sgt1
            response = await sergeant.post(f"/inbox/tasks/{task.id}/decision", {"action": "approve"}, htmx=True)
            assert response.status_code == 200
            assert f'<p class="outcome" role="status">{outcome}</p>' in response.text

        assert (await load(session_factory, cheap)).status == RequestStatus.APPROVED
        assert await timeline(session_factory, cheap) == ["submitted", "approved"]
        assert (await load(session_factory, costly)).status == RequestStatus.IN_REVIEW
        assert (await wait_for_open_task(session_factory, costly)).assignee_id == demo_org.lt1


async def test_form_without_a_time_zone_field_is_refused_not_stored_blank(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    without = {key: value for key, value in GOOD.items() if key != "timezone"}

    response = await admin.post("/admin/settings", without)

    assert response.status_code == 200 and "Enter the agency&#39;s time zone" in response.text
    assert (await _agency(session_factory)).timezone == "America/Chicago"


async def test_a_bad_time_zone_stored_before_validation_still_shows_the_settings_and_dashboard(
    browsers, demo_org, session_factory, caplog
):
    """The form is the way in; a zone written before it checked (or into the database) must not 500 the pages."""
    async with session_factory() as session, session.begin():
        (await session.get_one(Agency, demo_org.agency_id)).timezone = "Mars/Olympus_Mons"
    admin, officer = await browsers("admin1"), await browsers("officer1")

    form = await admin.get("/admin/settings")
    dashboard = await officer.get("/dashboard")

    assert form.status_code == 200 and 'value="Mars/Olympus_Mons"' in form.text
    assert dashboard.status_code == 200
    assert "Agency settings problem: time zone 'Mars/Olympus_Mons' is not valid." in caplog.text
    fixed = await admin.post("/admin/settings", {**GOOD, "timezone": "America/Chicago"})
    assert fixed.status_code == 303 and (await _agency(session_factory)).timezone == "America/Chicago"

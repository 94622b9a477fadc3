"""The monthly summary's switch on the notification settings page: offered to command staff only, saved and
audited like the other choices, and never changed by a post from anyone else."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from models import AuditEvent, NotificationPreference
from services.notification_preferences import preferences_for, save_preferences

SAVE = {"email": "on", "in_app": "on", "delivery": "immediate", "reminder_days": ["180", "90", "60"]}
CHECKBOX = 'id="monthly_summary" name="monthly_summary" type="checkbox" value="on"'
LABEL = "Monthly compliance summary (command staff)"


async def _stored(session_factory, person_id: int) -> bool | None:
    async with session_factory() as session:
        row = await session.get(NotificationPreference, person_id)
        return None if row is None else row.monthly_summary


async def _audit_details(session_factory) -> list[dict]:
    async with session_factory() as session:
        return [event.detail for event in await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notification_preferences.update").order_by(AuditEvent.id))]


async def test_command_staff_see_the_summary_ticked_and_switching_it_off_is_stored_and_audited(
    browsers, demo_org, session_factory
):
    chief = await browsers("chief1")

    page = (await chief.get("/account/notifications")).text
    assert LABEL in page and f'{CHECKBOX} aria-describedby="monthly-summary-hint" checked>' in page

    response = await chief.post("/account/notifications", SAVE)  # the box unticked

    assert response.status_code == 303
    assert await _stored(session_factory, demo_org.chief1) is False
    assert await _audit_details(session_factory) == [{"email": True, "in_app": True, "weekly_digest": False,
                                                      "reminder_offsets": [180, 90, 60, 30, 10],
                                                      "monthly_summary": False}]
    page = (await chief.get("/account/notifications")).text
    assert f'{CHECKBOX} aria-describedby="monthly-summary-hint">' in page

    await chief.post("/account/notifications", {**SAVE, "monthly_summary": "on"})
    assert await _stored(session_factory, demo_org.chief1) is True


async def test_an_officer_is_not_offered_the_summary(browsers, demo_org):
    officer = await browsers("officer1")

    page = (await officer.get("/account/notifications")).text

    assert page.count('name="monthly_summary"') == 0 and LABEL not in page


async def test_a_forged_post_from_an_officer_leaves_the_stored_choice_alone(browsers, demo_org, session_factory):
    # Say officer1 was command staff once and switched the summary off then.
    async with session_factory() as session, session.begin():
        before = await preferences_for(session, demo_org.officer1)
        await save_preferences(session, demo_org.officer1, replace(before, monthly_summary=False))
    officer = await browsers("officer1")

    response = await officer.post("/account/notifications", {**SAVE, "monthly_summary": "on"})

    assert response.status_code == 303
    assert await _stored(session_factory, demo_org.officer1) is False
    [detail] = await _audit_details(session_factory)
    assert "monthly_summary" not in detail

"""The notification settings page: defaults, validation, what is stored and audited, in-app switched off."""

from __future__ import annotations

from sqlalchemy import select

from activities.notifications import add_notification
from models import AuditEvent, Notification, NotificationPreference
from services.notification_preferences import preferences_for

VALID = {"email": "on", "in_app": "on", "delivery": "immediate", "reminder_days": ["180", "90", "60"]}


async def _row(session_factory, person_id: int) -> NotificationPreference | None:
    async with session_factory() as session:
        return await session.get(NotificationPreference, person_id)


async def _audits(session_factory) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "notification_preferences.update")
        ))


async def test_page_shows_the_defaults_and_the_two_reminders_that_cannot_be_switched_off(browsers, demo_org):
    officer = await browsers("officer1")

    page = await officer.get("/account/notifications")

    assert page.status_code == 200
    html = page.text
    assert 'id="email" name="email" type="checkbox" value="on" checked' in html
    assert 'id="in_app" name="in_app" type="checkbox" value="on" checked' in html
    assert 'id="delivery-immediate" name="delivery" type="radio" value="immediate" checked' in html
    for day in (180, 90, 60):
        assert f'name="reminder_days" type="checkbox" value="{day}" checked' in html
    for day in (30, 10):
        assert f'id="reminder-{day}" type="checkbox" checked disabled' in html
    assert "The last two reminders before a deadline are always sent." in html


async def test_switching_off_both_channels_is_refused_with_a_clear_message(browsers, demo_org, session_factory):
    officer = await browsers("officer1")

    response = await officer.post("/account/notifications",
                                  {"delivery": "immediate", "reminder_days": ["180"]})

    assert response.status_code == 200
    assert "Keep at least one way of hearing from Muster: email, in-app notifications, or both." in response.text
    assert 'id="reminder-90" name="reminder_days" type="checkbox" value="90">' in response.text  # as submitted
    assert await _row(session_factory, demo_org.officer1) is None
    assert await _audits(session_factory) == []


async def test_unknown_delivery_or_reminder_day_is_refused(browsers, demo_org, session_factory):
    officer = await browsers("officer1")

    response = await officer.post("/account/notifications", {**VALID, "delivery": "hourly",
                                                              "reminder_days": ["180", "7"]})

    assert response.status_code == 200
    assert "Choose whether to get each email at once or one weekly digest." in response.text
    assert "Choose reminder days from the list." in response.text
    assert await _row(session_factory, demo_org.officer1) is None


async def test_saved_choices_are_stored_audited_and_shown_again(browsers, demo_org, session_factory):
    officer = await browsers("officer1")

    response = await officer.post("/account/notifications", {"email": "on", "delivery": "digest",
                                                              "reminder_days": ["90"]})

    assert response.status_code == 303
    assert response.headers["location"] == "/account/notifications?notice=saved"
    row = await _row(session_factory, demo_org.officer1)
    assert row is not None
    assert (row.email, row.in_app, row.weekly_digest, row.reminder_offsets) == (True, False, True, [90, 30, 10])
    [audit] = await _audits(session_factory)
    assert audit.object_id == str(demo_org.officer1) and audit.outcome == "success"
    assert audit.detail == {"email": True, "in_app": False, "weekly_digest": True, "reminder_offsets": [90, 30, 10]}
    page = (await officer.get("/account/notifications?notice=saved")).text
    assert "Settings saved." in page
    assert 'id="in_app" name="in_app" type="checkbox" value="on">' in page
    assert 'id="delivery-digest" name="delivery" type="radio" value="digest" aria-describedby="digest-hint" checked' \
        in page
    assert 'value="180">' in page and 'value="90" checked>' in page


async def test_with_in_app_off_new_notifications_are_kept_but_not_listed_or_counted(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    async with session_factory() as session, session.begin():
        await add_notification(session, settings, key="test:before", person_id=demo_org.officer1,
                               subject="Shown: before the switch", body="Body", link=None)
    await officer.post("/account/notifications", {**VALID, "in_app": ""})
    async with session_factory() as session, session.begin():
        assert not (await preferences_for(session, demo_org.officer1)).in_app
        hidden = await add_notification(session, settings, key="test:after", person_id=demo_org.officer1,
                                        subject="Hidden: after the switch", body="Body", link=None)
        assert hidden.in_app is False and hidden.email_state == "pending"

    listing = (await officer.get("/notifications")).text
    count = (await officer.get("/notifications/count")).text

    assert "Shown: before the switch" in listing and "Hidden: after the switch" not in listing
    assert '>1<span class="visually-hidden"> unread</span>' in count
    async with session_factory() as session:
        keys = set(await session.scalars(select(Notification.key).where(Notification.person_id == demo_org.officer1)))
    assert keys == {"test:before", "test:after"}  # the record (and the idempotency key) is kept


async def test_email_off_means_no_mail_is_queued(browsers, demo_org, session_factory, settings):
    officer = await browsers("officer1")
    await officer.post("/account/notifications", {**VALID, "email": ""})
    async with session_factory() as session, session.begin():
        notification = await add_notification(session, settings, key="test:email-off", person_id=demo_org.officer1,
                                              subject="No mail", body="Body", link=None)
        assert notification.email_state == "not_requested" and not notification.email_pending
    assert "No mail" in (await officer.get("/notifications")).text

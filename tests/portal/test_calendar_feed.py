"""The personal calendar feed: a link shown once, an iCalendar file any calendar app can read, revocation."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models import AuditEvent, NotificationPreference, Person
from services.calendar_feed import token_hash
from services.compliance import officer_status
from services.training_records import agency_today

FEED_URL = re.compile(r'value="(http://[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"')


async def _create_link(browser) -> tuple[str, str, str]:
    response = await browser.post("/account/calendar")
    assert response.status_code == 200
    match = FEED_URL.search(response.text)
    assert match, response.text
    return match.group(1), match.group(2), response.text


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


async def _license(session_factory, person_id: int) -> date:
    async with session_factory() as session, session.begin():
        person = await session.get_one(Person, person_id)
        today = await agency_today(session, person.agency_id)
        person.license_date = date(today.year - 1, 8, 1)
    return today


async def test_link_is_shown_once_and_only_its_hash_is_stored(browsers, demo_org, session_factory, settings):
    officer = await browsers("officer1")
    assert "Create my calendar link" in (await officer.get("/account/calendar")).text

    url, token, page = await _create_link(officer)

    assert url == f"{settings.public_url}/calendar/{token}.ics" and len(token) >= 40
    assert "Outlook" in page and "Google Calendar" in page and "Apple Calendar" in page
    assert "no longer works" not in page
    again = (await officer.get("/account/calendar")).text
    assert token not in again and "Create a new calendar link" in again
    assert "Creating a new link stops the old one from working." in again
    async with session_factory() as session:
        row = await session.get_one(NotificationPreference, demo_org.officer1)
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "calendar_link.create"))
    assert row.calendar_token_hash == token_hash(token)
    assert audit is not None and token not in str(audit.detail) and audit.detail == {"replaced_old_link": False}


async def test_feed_is_valid_icalendar_with_one_event_per_upcoming_deadline_and_needs_no_session(
    browsers, demo_org, session_factory
):
    today = await _license(session_factory, demo_org.officer1)
    _, token, _ = await _create_link(await browsers("officer1"))
    async with session_factory() as session:
        status = await officer_status(session, demo_org.officer1, today)
    assert status is not None
    upcoming = [r for r in status.requirements if not r.met and r.due_on >= today]
    assert upcoming

    response = await (await browsers(None)).get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"  # the charset named once
    assert response.headers["cache-control"] == "no-store"
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical)
    assert any(line.startswith(b" ") for line in physical)  # long descriptions were folded
    lines = _unfold(response.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and "VERSION:2.0" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(upcoming) + 1
    summaries = [line.removeprefix("SUMMARY:") for line in lines if line.startswith("SUMMARY:")]
    assert summaries.count("Licensing cycle ends") == 1
    assert all(s.startswith("Training due: ") for s in summaries if s != "Licensing cycle ends")
    assert f"DTSTART;VALUE=DATE:{status.cycle_end:%Y%m%d}" in lines
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line) for line in lines if line.startswith("DTSTAMP"))
    # The same deadlines give the same UIDs on the next poll, so calendars update instead of duplicating.
    second = _unfold((await (await browsers(None)).get(f"/calendar/{token}.ics")).text)
    assert [line for line in second if line.startswith("UID:")] == uids


async def test_a_new_link_revokes_the_old_one(browsers, demo_org):
    officer = await browsers("officer1")
    anonymous = await browsers(None)
    _, old, _ = await _create_link(officer)

    _, new, page = await _create_link(officer)

    assert new != old
    assert "Your previous calendar link no longer works." in page
    assert (await anonymous.get(f"/calendar/{old}.ics")).status_code == 404
    assert (await anonymous.get(f"/calendar/{new}.ics")).status_code == 200


async def test_unknown_or_malformed_tokens_are_not_found(browsers, demo_org):
    anonymous = await browsers(None)
    for path in ("/calendar/" + "A" * 43 + ".ics", "/calendar/short.ics", "/calendar/" + "x" * 500 + ".ics",
                 "/calendar/..%2F..%2Fetc.ics", "/calendar/" + "A" * 43):
        response = await anonymous.get(path)
        assert response.status_code == 404, path


async def test_untracked_person_gets_an_empty_but_valid_calendar(browsers, demo_org):
    _, token, _ = await _create_link(await browsers("sgt1"))  # sgt1 has no licence date

    response = await (await browsers(None)).get(f"/calendar/{token}.ics")

    assert response.status_code == 200
    assert "BEGIN:VEVENT" not in response.text and response.text.startswith("BEGIN:VCALENDAR\r\n")

"""The agency's holiday calendar: US federal holidays by default (observed dates), the agency's own closure
days and the federal holidays it works on, kept by administrators on /admin/holidays and carried into the
calendar the review workflows count business days with.

Fixed dates are checked against a 2026-2027 wall calendar. The page lists this year and next (the agency's
today), so its checks use days that fall the same way every year: 25 December, the second Monday of October.
"""

from __future__ import annotations

import html
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from models import Agency, AgencyHoliday, HolidayChange
from services.business_calendar import load_business_calendar
from services.training_records import agency_today
from tests.portal.helpers import audits

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def in_words(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def _calendar(session_factory, agency_id: int, now: datetime):
    async with session_factory() as session:
        return await load_business_calendar(session, await session.get_one(Agency, agency_id), now)


async def _rows(session_factory) -> list[tuple[date, str, str]]:
    async with session_factory() as session:
        rows = await session.scalars(select(AgencyHoliday).order_by(AgencyHoliday.day))
        return [(row.day, row.name, row.kind) for row in rows]


async def test_by_default_the_calendar_is_the_federal_holidays_on_their_observed_dates(session_factory, demo_org):
    calendar = await _calendar(session_factory, demo_org.agency_id, datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    assert calendar.time_zone == "America/Chicago"
    assert "2026-11-26" in calendar.holidays  # Thanksgiving
    assert "2026-11-27" not in calendar.holidays  # the Friday after is not a federal holiday
    assert {"2026-12-25", "2027-01-01", "2027-01-18"} <= set(calendar.holidays)  # Christmas, New Year, MLK Day
    # Christmas 2027 is a Saturday: observed Friday 24 December. Independence Day 2027 is a Sunday: Monday 5 July.
    assert {"2027-12-24", "2027-07-05"} <= set(calendar.holidays)
    assert "2027-11-11" in calendar.holidays and "2027-11-12" not in calendar.holidays  # Veterans Day, a Thursday
    assert min(calendar.holidays) >= "2026-11-20"  # from the agency's today on


async def test_the_agencys_closures_are_added_and_the_holidays_it_works_on_removed(session_factory, demo_org):
    async with session_factory() as session, session.begin():
        session.add_all([
            AgencyHoliday(agency_id=demo_org.agency_id, day=date(2026, 11, 27), name="Day after Thanksgiving",
                          kind=HolidayChange.ADDED),
            AgencyHoliday(agency_id=demo_org.agency_id, day=date(2027, 10, 11), name="Columbus Day",
                          kind=HolidayChange.REMOVED),
        ])
    calendar = await _calendar(session_factory, demo_org.agency_id, datetime(2026, 11, 20, 18, 0, tzinfo=UTC))
    assert {"2026-11-26", "2026-11-27"} <= set(calendar.holidays)
    assert "2027-10-11" not in calendar.holidays


async def test_the_administrator_sees_this_and_next_years_holidays_in_words(browsers, session_factory, demo_org):
    async with session_factory() as session:
        today = await agency_today(session, demo_org.agency_id)
    christmas = date(today.year + 1, 12, 25)
    page = await (await browsers("admin1")).get("/admin/holidays")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert f"<h2>{today.year}</h2>" in text and f"<h2>{today.year + 1}</h2>" in text
    assert in_words(christmas) in text and "Christmas Day" in text
    assert "Add a closure day" in text and 'name="_csrf_token"' in page.text  # every form carries its token


async def test_the_administrator_adds_a_closure_day_and_it_is_audited_and_counted(browsers, session_factory, demo_org):
    async with session_factory() as session:
        today = await agency_today(session, demo_org.agency_id)
    tuesday = weekday_on_or_after(date(today.year + 1, 3, 2), 1)  # a Tuesday in March: never a federal holiday
    admin = await browsers("admin1")

    response = await admin.post("/admin/holidays", {"day": tuesday.isoformat(), "name": "  Training  day "})

    assert response.status_code == 303 and response.headers["location"] == "/admin/holidays?saved=added"
    assert await _rows(session_factory) == [(tuesday, "Training day", "added")]
    shown = html.unescape((await admin.get(response.headers["location"])).text)
    assert "Closure day added." in shown and in_words(tuesday) in shown and "Training day" in shown
    [audit] = await audits(session_factory, "agency.holiday_add")
    assert (audit.outcome, audit.actor_user_id) == ("success", demo_org.users["admin1"])
    assert audit.detail == {"before": {"day": tuesday.isoformat(), "closed": False},
                            "after": {"day": tuesday.isoformat(), "name": "Training day", "closed": True}}
    calendar = await _calendar(session_factory, demo_org.agency_id, datetime.now(UTC))
    assert tuesday.isoformat() in calendar.holidays

    deleted = await admin.post("/admin/holidays/delete", {"day": tuesday.isoformat()})
    assert deleted.status_code == 303 and await _rows(session_factory) == []
    [audit] = await audits(session_factory, "agency.holiday_delete")
    assert audit.detail["before"]["closed"] is True and audit.detail["after"]["closed"] is False


async def test_the_administrator_works_on_columbus_day_then_restores_it(browsers, session_factory, demo_org):
    async with session_factory() as session:
        today = await agency_today(session, demo_org.agency_id)
    columbus = weekday_on_or_after(date(today.year + 1, 10, 1), 0) + timedelta(days=7)  # second Monday of October
    admin = await browsers("admin1")

    removed = await admin.post("/admin/holidays/remove", {"day": columbus.isoformat()})

    assert removed.status_code == 303
    assert await _rows(session_factory) == [(columbus, "Columbus Day", "removed")]
    shown = html.unescape((await admin.get(removed.headers["location"])).text)
    assert "A business day: the agency works" in shown and "Restore holiday" in shown
    calendar = await _calendar(session_factory, demo_org.agency_id, datetime.now(UTC))
    assert columbus.isoformat() not in calendar.holidays
    [audit] = await audits(session_factory, "agency.holiday_remove")
    assert audit.detail == {"before": {"day": columbus.isoformat(), "name": "Columbus Day", "closed": True},
                            "after": {"day": columbus.isoformat(), "name": "Columbus Day", "closed": False}}

    restored = await admin.post("/admin/holidays/restore", {"day": columbus.isoformat()})
    assert restored.status_code == 303 and await _rows(session_factory) == []
    assert columbus.isoformat() in (await _calendar(session_factory, demo_org.agency_id, datetime.now(UTC))).holidays
    [audit] = await audits(session_factory, "agency.holiday_restore")
    assert audit.detail["before"]["closed"] is False and audit.detail["after"]["closed"] is True


async def test_a_closure_the_calendar_cannot_take_is_explained_and_the_typed_name_kept(
    browsers, session_factory, demo_org
):
    async with session_factory() as session:
        today = await agency_today(session, demo_org.agency_id)
    admin = await browsers("admin1")
    saturday = weekday_on_or_after(date(today.year + 1, 3, 2), 5)
    christmas = date(today.year + 1, 12, 25)

    bad_date = await admin.post("/admin/holidays", {"day": "next tuesday", "name": "Staff day"})
    assert bad_date.status_code == 200 and "Enter the date as year-month-day" in bad_date.text
    assert 'value="Staff day"' in bad_date.text
    no_name = await admin.post("/admin/holidays", {"day": "", "name": ""})
    assert "Enter a name for the closure" in no_name.text and "Enter the date" in no_name.text
    weekend = await admin.post("/admin/holidays", {"day": saturday.isoformat(), "name": "Staff day"})
    assert "is already a weekend day" in weekend.text
    if christmas.weekday() < 5:
        federal = await admin.post("/admin/holidays", {"day": christmas.isoformat(), "name": "Staff day"})
        assert "is already a federal holiday" in html.unescape(federal.text)
    past = await admin.post("/admin/holidays", {"day": (today - timedelta(days=1)).isoformat(), "name": "Staff day"})
    assert "Choose a day from" in past.text
    march_tuesday = weekday_on_or_after(date(today.year + 1, 3, 2), 1)
    not_federal = await admin.post("/admin/holidays/remove", {"day": march_tuesday.isoformat()})
    assert not_federal.status_code == 200 and "is not a federal holiday" in html.unescape(not_federal.text)
    not_worked = await admin.post("/admin/holidays/restore", {"day": christmas.isoformat()})
    assert "is not a federal holiday the agency works on" in html.unescape(not_worked.text)
    assert await _rows(session_factory) == [] and await audits(session_factory, "agency.holiday_add") == []


async def test_only_administrators_see_or_change_the_calendar(browsers, session_factory, demo_org):
    async with session_factory() as session:
        today = await agency_today(session, demo_org.agency_id)
    tuesday = weekday_on_or_after(date(today.year + 1, 3, 2), 1)
    for role in ("officer1", "sgt1", "coord1", "chief1"):
        browser = await browsers(role)
        page = await browser.get("/admin/holidays")
        assert page.status_code == 403 and "Christmas Day" not in page.text
        refused = await browser.post("/admin/holidays", {"day": tuesday.isoformat(), "name": "Mine"})
        assert refused.status_code == 403
    assert await _rows(session_factory) == []
    assert len(await audits(session_factory, "agency.holiday_add", "denied")) == 4
    anonymous = await browsers(None)
    assert (await anonymous.get("/admin/holidays")).status_code in (302, 303)


async def test_the_settings_page_links_to_the_holidays(browsers, demo_org):
    settings_page = await (await browsers("admin1")).get("/admin/settings")
    assert 'href="/admin/holidays"' in settings_page.text

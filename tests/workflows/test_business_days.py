"""Business days, on fixed dates counted from a calendar by hand (January 2027: Monday the 4th to Friday
the 8th, the weekend of the 9th and 10th, Monday the 11th onwards).

The rule (workflows/business_days.py, README "Business days skip Saturday and Sunday"): days are UTC
calendar dates; Saturday and Sunday are skipped; work that starts on a weekend counts from Monday at the
same time of day; a deadline keeps the time of day of its start. Public holidays are not modelled.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.business_days import add_business_days, business_days_text


def at(day: int, hour: int, minute: int = 0, *, month: int = 1, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (at(8, 9), 1, at(11, 9)),  # Friday + 1 = Monday
        (at(7, 9), 2, at(11, 9)),  # Thursday + 2 = Monday
        (at(4, 9), 5, at(11, 9)),  # Monday + 5 = the next Monday, across one weekend
        (at(6, 14, 30), 5, at(13, 14, 30)),  # Wednesday + 5 = the next Wednesday, same time of day
        (at(4, 9), 2, at(6, 9)),  # Monday + 2 = Wednesday: no weekend in between
        (at(8, 17), 10, at(22, 17)),  # Friday + 10 = Friday two weeks on, across two weekends
        (at(4, 9), 0, at(4, 9)),  # nothing to wait on a weekday: the start itself
    ],
    ids=["fri+1", "thu+2", "mon+5", "wed+5", "mon+2", "fri+10", "weekday+0"],
)
def test_business_days_from_a_weekday_skip_saturday_and_sunday(start, days, deadline):
    assert add_business_days(start, days) == deadline


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        (at(9, 10), 1, at(12, 10)),  # Saturday 10:00 counts as Monday 10:00; + 1 = Tuesday 10:00
        (at(10, 23), 1, at(12, 23)),  # Sunday 23:00 counts as Monday 23:00; + 1 = Tuesday 23:00
        (at(9, 10), 5, at(18, 10)),  # Saturday + 5 = Monday + 5 = the Monday after next
        (at(10, 8), 0, at(11, 8)),  # nothing to wait, but work does not start before Monday
    ],
    ids=["sat+1", "sun+1", "sat+5", "sun+0"],
)
def test_work_that_starts_on_a_weekend_counts_from_monday_at_the_same_time(start, days, deadline):
    assert add_business_days(start, days) == deadline


def test_days_are_utc_dates_so_a_friday_evening_in_minnesota_is_already_saturday():
    # Friday 8 January 20:00 in Minneapolis (UTC-6) is Saturday 02:00 UTC: a weekend start.
    assert add_business_days(at(9, 2), 1) == at(12, 2)


def test_public_holidays_count_as_business_days_for_now():
    # New Year's Day 2027 is a Friday. Holidays are not modelled (README), so it counts like any Friday.
    assert add_business_days(at(31, 9, month=12, year=2026), 1) == at(1, 9)
    assert add_business_days(at(31, 9, month=12, year=2026), 2) == at(4, 9)


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError):
        add_business_days(at(4, 9), -1)


def test_messages_name_the_waiting_period_in_business_days():
    assert business_days_text(1) == "1 business day"
    assert business_days_text(3) == "3 business days"


async def test_workflow_tests_start_the_clock_on_a_monday_morning_in_the_agency_zone(business_week):
    """The `business_week` fixture (tests/conftest.py) that workflow tests with business-day deadlines use."""
    now = await business_week.env.get_current_time()
    local = business_week.monday.astimezone(ZoneInfo("America/Chicago"))  # the test agency's zone
    assert (local.strftime("%A"), local.hour, local.minute) == ("Monday", 9, 0)
    assert business_week.monday <= now < business_week.monday + timedelta(minutes=1)

"""Business days on the agency's own calendar, on fixed dates counted by hand from a 2026 calendar.

America/Chicago: daylight time (UTC-5) ends on Sunday 1 November 2026, standard time (UTC-6) after.
November 2026: Thursday the 26th is Thanksgiving (a federal holiday); Friday the 27th is not. October
2026: Monday the 12th is Columbus Day. The holidays here are the calendar's input, written out; which
dates an agency's calendar holds is tested in tests/portal/test_agency_holidays.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():  # as the workflows import it (workflows/business_days.py)
    from workflows.business_days import BusinessCalendar, add_business_days

CHICAGO = ZoneInfo("America/Chicago")
FEDERAL_AUTUMN_2026 = ["2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"]
AGENCY = BusinessCalendar("America/Chicago", FEDERAL_AUTUMN_2026)


def chicago(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def test_a_weekend_is_skipped_in_the_agency_zone():
    # Friday 6 November 09:00 + 1 = Monday 9 November 09:00.
    assert add_business_days(chicago(11, 6, 9), 1, AGENCY) == chicago(11, 9, 9)


def test_thanksgiving_is_skipped_and_the_friday_after_is_a_business_day():
    # Wednesday 25 November + 1: Thursday is Thanksgiving, so Friday 27th; + 2: Monday 30th.
    assert add_business_days(chicago(11, 25, 9), 1, AGENCY) == chicago(11, 27, 9)
    assert add_business_days(chicago(11, 25, 9), 2, AGENCY) == chicago(11, 30, 9)


def test_a_closure_day_the_agency_added_is_skipped():
    closed_friday = BusinessCalendar("America/Chicago", [*FEDERAL_AUTUMN_2026, "2026-11-27"])
    # Wednesday 25th + 1: Thursday (Thanksgiving) and Friday (the agency's closure) are both skipped.
    assert add_business_days(chicago(11, 25, 9), 1, closed_friday) == chicago(11, 30, 9)


def test_a_default_holiday_the_agency_removed_is_a_business_day():
    # Friday 9 October + 1: Monday 12th is Columbus Day in the default calendar, so Tuesday 13th.
    assert add_business_days(chicago(10, 9, 9), 1, AGENCY) == chicago(10, 13, 9)
    works_columbus_day = BusinessCalendar("America/Chicago", [d for d in FEDERAL_AUTUMN_2026 if d != "2026-10-12"])
    assert add_business_days(chicago(10, 9, 9), 1, works_columbus_day) == chicago(10, 12, 9)


def test_a_deadline_across_the_end_of_daylight_time_keeps_its_local_time_of_day():
    # Friday 30 October 09:00 CDT is 14:00 UTC; + 1 = Monday 2 November 09:00 CST, which is 15:00 UTC.
    start = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)
    deadline = add_business_days(start, 1, AGENCY)
    assert deadline == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert deadline.tzinfo is UTC  # given in the start's own zone, as the workflows store it
    assert deadline.astimezone(CHICAGO).hour == 9


def test_work_starting_on_a_holiday_counts_from_the_next_business_day_at_the_same_time():
    # Thanksgiving 10:00 counts as Friday 27th 10:00: + 0 is then, + 1 is Monday 30th 10:00.
    assert add_business_days(chicago(11, 26, 10), 0, AGENCY) == chicago(11, 27, 10)
    assert add_business_days(chicago(11, 26, 10), 1, AGENCY) == chicago(11, 30, 10)


def test_days_are_the_agencys_dates_so_a_sunday_evening_in_chicago_is_not_yet_monday():
    # Sunday 10 January 2027 19:00 CST is Monday 01:00 UTC. In Chicago it is still the weekend: it counts
    # from Monday 19:00, so + 1 is Tuesday 12th 19:00 (counted on UTC dates it would be Monday 19:00).
    start = chicago(1, 10, 19, year=2027)
    assert add_business_days(start, 1, AGENCY) == chicago(1, 12, 19, year=2027)


def test_without_a_calendar_days_are_utc_dates_with_no_holidays_as_before():
    # What plans recorded before agencies had calendars decode to: the same deadlines as then.
    start = datetime(2027, 1, 11, 1, 0, tzinfo=UTC)  # Monday 01:00 UTC
    assert add_business_days(start, 1) == add_business_days(start, 1, BusinessCalendar())
    assert add_business_days(start, 1) == datetime(2027, 1, 12, 1, 0, tzinfo=UTC)


@workflow.defn(name="BusinessDaysProbe")
class BusinessDaysProbe:
    """Counts business days inside the workflow sandbox, as the three review workflows do."""

    @workflow.run
    async def run(self, calendar: BusinessCalendar) -> str:
        start = datetime(2026, 10, 30, 14, 0, tzinfo=UTC)  # Friday 09:00 CDT
        return add_business_days(start, 1, calendar).isoformat()


async def test_the_agency_zone_and_holidays_work_inside_the_workflow_sandbox(
    time_skipping_env: WorkflowEnvironment,
):
    queue = f"business-days-{uuid.uuid4().hex[:8]}"
    async with Worker(time_skipping_env.client, task_queue=queue, workflows=[BusinessDaysProbe]):
        result = await time_skipping_env.client.execute_workflow(
            BusinessDaysProbe.run, BusinessCalendar("America/Chicago", ["2026-11-02"]),
            id=f"probe-{uuid.uuid4().hex[:8]}", task_queue=queue, execution_timeout=timedelta(minutes=1),
        )
    # Monday 2 November is a closure day here, so Tuesday 3rd 09:00 CST = 15:00 UTC.
    assert result == "2026-11-03T15:00:00+00:00"

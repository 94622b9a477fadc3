"""Business-day arithmetic for reminder and escalation deadlines (pure: the same inputs, the same deadline).

Days are the agency's own calendar days, in its time zone, skipping Saturday, Sunday and its holidays
(services/business_calendar.py reads them for the plan activities). A deadline keeps the local time of
day of its start, so "2 business days" after Friday 09:00 is Tuesday 09:00 local time, even across a
daylight-saving change (the same wall-clock time, another UTC offset). Work that starts outside a
business day counts from the next business day at the same local time.

Workflows import this module through `workflow.unsafe.imports_passed_through()`: inside the sandbox
`zoneinfo.ZoneInfo` is a restricted proxy that `datetime.astimezone` refuses, so the arithmetic must run
on the real module (tests/workflows/test_agency_business_days.py proves it in a workflow). The plan types
take BusinessCalendar from workflows/business_days_types.py, so nothing loads this module in the sandbox
first. Replays stay deterministic: the holidays travel in the plan, and a zone's rules change only with a
tz database release.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from workflows.business_days_types import BusinessCalendar, is_business_day


def add_business_days(start: datetime, days: int, calendar: BusinessCalendar | None = None) -> datetime:
    """The moment `days` business days after `start` (an aware datetime), in `start`'s own tzinfo."""
    if days < 0:
        raise ValueError("days must not be negative")
    if start.tzinfo is None:
        raise ValueError("start must carry its time zone")
    calendar = calendar or BusinessCalendar()
    holidays = frozenset(calendar.holidays)
    local = start.astimezone(ZoneInfo(calendar.time_zone))
    day = local.date()
    while not is_business_day(day, holidays):
        day += timedelta(days=1)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    # Same wall-clock time on the deadline's day: the zone gives that day's UTC offset.
    deadline = datetime.combine(day, local.time(), tzinfo=local.tzinfo)
    return deadline.astimezone(start.tzinfo)


def business_days_text(count: int) -> str:
    """"1 business day", "3 business days": how messages name a waiting period."""
    return f"{count} business day{'' if count == 1 else 's'}"

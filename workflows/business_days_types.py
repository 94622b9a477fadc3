"""The agency calendar that plans carry for business-day deadlines (workflows/business_days.py counts with it).

Plain dataclasses only: imported inside the workflow sandbox by the plan types. Kept apart from the
arithmetic, which needs the real zoneinfo and so is imported through the sandbox's pass-through.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

_SATURDAY = 5


@dataclass
class BusinessCalendar:
    """An agency's working days: its IANA time zone and its holidays (ISO dates) for the months ahead.

    The defaults (UTC, no holidays) are how deadlines were counted before agencies had calendars, so a
    plan recorded then (in a running workflow's history) decodes and replays to the same deadlines.
    """

    time_zone: str = "UTC"
    holidays: list[str] = field(default_factory=list)

    def is_business_day(self, day: date) -> bool:
        return is_business_day(day, frozenset(self.holidays))


def is_business_day(day: date, holidays: frozenset[str]) -> bool:
    """Monday to Friday and not one of `holidays` (ISO dates)."""
    return day.weekday() < _SATURDAY and day.isoformat() not in holidays

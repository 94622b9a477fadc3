"""Business-day arithmetic for reminder and escalation deadlines (pure, safe inside workflows).

Days are counted on UTC calendar dates and skip Saturday and Sunday; public holidays are not
modelled yet. A deadline keeps the time of day of its start, so "2 business days" after Friday
09:00 is Tuesday 09:00.
"""

from __future__ import annotations

from datetime import datetime, timedelta

_SATURDAY = 5


def add_business_days(start: datetime, days: int) -> datetime:
    if days < 0:
        raise ValueError("days must not be negative")
    moment = start
    # Work starting on a weekend counts from Monday morning's equivalent time.
    while moment.weekday() >= _SATURDAY:
        moment += timedelta(days=1)
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < _SATURDAY:
            remaining -= 1
    return moment


def business_days_text(count: int) -> str:
    """"1 business day", "3 business days": how messages name a waiting period."""
    return f"{count} business day{'' if count == 1 else 's'}"

"""Date arithmetic for licensing cycles, fixed periods and rolling intervals.

Month arithmetic clamps to the end of the month, so a 29 February anchor lands on 28 February in
common years (and a 31st on the 30th), never on 1 March.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from compliance.rules import CycleRule

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DateRange:
    """Inclusive at both ends."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def months_touched(start: date, end: date) -> int:
    """Calendar months from start's month to end's month, both counted (Jan 15..Mar 1 is 3)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def fixed_period_containing(anchor: date, months: int, day: date) -> DateRange:
    """The period of `months` months, counted forwards or backwards from `anchor`, that contains `day`."""
    elapsed = (day.year - anchor.year) * 12 + day.month - anchor.month
    index = elapsed // months
    start = add_months(anchor, index * months)
    if start > day:  # same calendar month as the next start, but before its day
        index -= 1
        start = add_months(anchor, index * months)
    next_start = add_months(anchor, (index + 1) * months)
    if next_start <= day:
        start, next_start = next_start, add_months(anchor, (index + 2) * months)
    return DateRange(start, next_start - ONE_DAY)


def _cycle_end(rule: CycleRule, year: int) -> date:
    last = calendar.monthrange(year, rule.end_month)[1]
    return date(year, rule.end_month, min(rule.end_day, last))


def cycle_containing(rule: CycleRule, licence_date: date, day: date) -> DateRange:
    """The officer's licensing cycle on `day`.

    Licence-anchored: the first cycle runs from the licence date to `_first_cycle_end` (Minnesota: licensed
    15 March 2023, first renewal 30 June 2026); later cycles are `length_years` long and end on the same day
    of the year.
    """
    if day < licence_date:
        raise ValueError(f"{day.isoformat()} is before the licence date {licence_date.isoformat()}")
    if rule.kind == "fixed":
        assert rule.anchor is not None  # checked by CycleRule
        return fixed_period_containing(rule.anchor, rule.length_years * 12, day)
    first_end = _first_cycle_end(rule, licence_date)
    if day <= first_end:
        return DateRange(licence_date, first_end)
    cycles_after = -(-(day.year - first_end.year) // rule.length_years)  # ceiling division
    end = _cycle_end(rule, first_end.year + cycles_after * rule.length_years)
    if end < day:
        cycles_after += 1
        end = _cycle_end(rule, first_end.year + cycles_after * rule.length_years)
    start = _cycle_end(rule, end.year - rule.length_years) + ONE_DAY
    return DateRange(start, end)


def _first_cycle_end(rule: CycleRule, licence_date: date) -> date:
    """The cycle end day in the year `first_cycle_years_after` calendar years after the licence year, or
    (anniversary count) the first cycle end day on or after the `first_cycle_years_after`-th anniversary."""
    if rule.first_cycle_count == "calendar_years":
        return _cycle_end(rule, licence_date.year + rule.first_cycle_years_after)
    anniversary = add_years(licence_date, rule.first_cycle_years_after)
    end = _cycle_end(rule, anniversary.year)
    return end if end >= anniversary else _cycle_end(rule, anniversary.year + 1)


def cycle_before(rule: CycleRule, licence_date: date, cycle: DateRange) -> DateRange | None:
    """The cycle before `cycle`, or None when `cycle` is the officer's first."""
    if cycle.start <= licence_date:
        return None
    return cycle_containing(rule, licence_date, cycle.start - ONE_DAY)


def days_in(ranges: list[DateRange]) -> int:
    """Days covered by the union of `ranges` (overlapping leave is not counted twice)."""
    total = 0
    covered_until: date | None = None
    for current in sorted(ranges, key=lambda r: r.start):
        start = current.start if covered_until is None else max(current.start, covered_until + ONE_DAY)
        if current.end >= start:
            total += (current.end - start).days + 1
            covered_until = current.end
    return total

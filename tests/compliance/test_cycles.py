"""Cycle arithmetic: licence-anchored cycles, fixed statewide cycles, month steps over leap days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from compliance import load_pack
from compliance.cycles import DateRange, add_months, cycle_containing, days_in, fixed_period_containing

MN = load_pack("MN-POST").cycle
FL = load_pack("FL-CJSTC").cycle
CA = load_pack("CA-POST").cycle
TX = load_pack("TX-TCOLE").cycle


# Reading of "first renews June 30 of the third calendar year after initial licensure": count calendar years
# after the licence year (2023 -> 2024, 2025, 2026), whatever the month of licensing.
@pytest.mark.parametrize(
    ("licence", "on", "start", "end"),
    [
        (date(2023, 3, 15), date(2023, 3, 15), date(2023, 3, 15), date(2026, 6, 30)),  # licence day: first cycle
        (date(2023, 3, 15), date(2026, 6, 30), date(2023, 3, 15), date(2026, 6, 30)),  # last day still first cycle
        (date(2023, 3, 15), date(2026, 7, 1), date(2026, 7, 1), date(2029, 6, 30)),  # then 3-year cycles
        (date(2023, 8, 1), date(2024, 1, 1), date(2023, 8, 1), date(2026, 6, 30)),  # after June: still 2023+3
        (date(2023, 6, 30), date(2023, 7, 1), date(2023, 6, 30), date(2026, 6, 30)),
        (date(2020, 2, 29), date(2023, 6, 30), date(2020, 2, 29), date(2023, 6, 30)),  # leap-day licence
        (date(2020, 2, 29), date(2024, 2, 29), date(2023, 7, 1), date(2026, 6, 30)),
        (date(2010, 5, 1), date(2025, 12, 1), date(2025, 7, 1), date(2028, 6, 30)),  # 2013, 16, 19, 22, 25, 28
    ],
)
def test_minnesota_cycle_ends_june_30_of_third_calendar_year_then_every_three(licence, on, start, end):
    assert cycle_containing(MN, licence, on) == DateRange(start, end)


def test_florida_period_ends_june_30_of_fourth_year_after_certification():
    assert cycle_containing(FL, date(2021, 3, 1), date(2022, 1, 1)) == DateRange(date(2021, 3, 1), date(2025, 6, 30))
    assert cycle_containing(FL, date(2021, 3, 1), date(2025, 7, 1)) == DateRange(date(2025, 7, 1), date(2029, 6, 30))


# Fla. Admin. Code 11B-27.00212(1): "June 30th of the fourth year following the officer's certification", with
# the rule's example 21 November 1997 -> anniversary 21 November 2001 -> deadline 30 June 2002. By hand: the
# first June 30 on or after the fourth anniversary.
@pytest.mark.parametrize(
    ("certified", "first_deadline"),
    [
        (date(1997, 11, 21), date(2002, 6, 30)),  # the rule's own example
        (date(2021, 1, 1), date(2025, 6, 30)),  # anniversary 1 Jan 2025
        (date(2021, 6, 29), date(2025, 6, 30)),  # anniversary 29 June 2025, the next day is June 30
        (date(2021, 6, 30), date(2025, 6, 30)),  # anniversary is itself June 30
        (date(2021, 7, 1), date(2026, 6, 30)),  # anniversary 1 July 2025: June 30, 2025 has passed
        (date(2021, 12, 31), date(2026, 6, 30)),
        (date(2020, 2, 29), date(2024, 6, 30)),  # leap day: anniversary 29 February 2024
        (date(2019, 2, 28), date(2023, 6, 30)),
    ],
)
def test_florida_first_deadline_is_the_june_30_on_or_after_the_fourth_anniversary(certified, first_deadline):
    assert cycle_containing(FL, certified, certified) == DateRange(certified, first_deadline)
    # The day after the deadline starts a 4-year period to the June 30 four years on.
    after = first_deadline + timedelta(days=1)
    assert cycle_containing(FL, certified, after) == DateRange(after, date(first_deadline.year + 4, 6, 30))


def test_florida_officers_certified_either_side_of_july_first_are_a_year_apart():
    june = cycle_containing(FL, date(2021, 6, 30), date(2025, 6, 30))
    july = cycle_containing(FL, date(2021, 7, 1), date(2025, 6, 30))
    assert (june.end, july.end) == (date(2025, 6, 30), date(2026, 6, 30))


@pytest.mark.parametrize(
    ("rule", "on", "start", "end"),
    [
        (CA, date(2025, 1, 1), date(2025, 1, 1), date(2026, 12, 31)),
        (CA, date(2026, 12, 31), date(2025, 1, 1), date(2026, 12, 31)),
        (CA, date(2027, 1, 1), date(2027, 1, 1), date(2028, 12, 31)),
        (CA, date(2024, 6, 1), date(2023, 1, 1), date(2024, 12, 31)),  # before the anchor
        (TX, date(2025, 8, 31), date(2021, 9, 1), date(2025, 8, 31)),
        (TX, date(2025, 9, 1), date(2025, 9, 1), date(2029, 8, 31)),
    ],
)
def test_fixed_statewide_cycles_are_the_same_for_every_officer(rule, on, start, end):
    assert cycle_containing(rule, date(2000, 1, 1), on) == DateRange(start, end)


def test_texas_units_are_two_year_periods_from_september_first():
    unit = fixed_period_containing(date(2021, 9, 1), 24, date(2026, 3, 1))
    assert unit == DateRange(date(2025, 9, 1), date(2027, 8, 31))


def test_fixed_period_anchored_on_a_leap_day_clamps_to_february_28():
    assert fixed_period_containing(date(2020, 2, 29), 12, date(2021, 3, 1)) == DateRange(
        date(2021, 2, 28), date(2022, 2, 27)
    )


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2020, 2, 29), 48, date(2024, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 10), 60, date(2030, 5, 10)),
    ],
)
def test_month_steps_clamp_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def test_overlapping_leave_days_are_counted_once():
    spans = [DateRange(date(2026, 1, 1), date(2026, 1, 31)), DateRange(date(2026, 1, 20), date(2026, 2, 9))]
    assert days_in(spans) == 40  # 1 January .. 9 February


def test_a_date_before_the_licence_is_refused():
    with pytest.raises(ValueError, match="before the licence date"):
        cycle_containing(MN, date(2023, 3, 15), date(2023, 3, 14))

"""The eligibility rule at its edges, FY2026 (1 July 2025 - 30 June 2026). Months are counted by hand on a
calendar: a month counts when the officer was employed every day of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.reimbursement_eligibility import FiscalYear, OfficerFacts, Spell, assess, assess_all, fiscal_year_of

FY2026 = FiscalYear(2026)


def officer(*spells: Spell, credits: str = "20", licence: str | None = "L-1", claimed: bool = False) -> OfficerFacts:
    return OfficerFacts(person_id=1, name="Olly Officer", license_number=licence, spells=spells,
                        credits=Decimal(credits), claimed_elsewhere=claimed)


def test_fiscal_year_is_named_by_its_closing_year():
    assert FY2026.label == "FY2026 (1 July 2025 - 30 June 2026)"
    assert fiscal_year_of(date(2025, 7, 1)) == FY2026
    assert fiscal_year_of(date(2026, 6, 30)) == FY2026
    assert fiscal_year_of(date(2026, 7, 1)) == FiscalYear(2027)


def test_exactly_eight_whole_months_and_exactly_sixteen_credits_count():
    # Hired 1 November: November to June is 8 whole months.
    row = assess(officer(Spell(date(2025, 11, 1), None), credits="16"), FY2026)
    assert (row.months, row.extra_days, row.eligible, row.reason) == (8, 0, True, "")
    assert (row.first_day, row.last_day) == (date(2025, 11, 1), date(2026, 6, 30))


def test_seven_months_and_a_few_days_do_not_count():
    # Hired 25 November: 6 days of November (25-30), then December to June = 7 whole months.
    row = assess(officer(Spell(date(2025, 11, 25), None)), FY2026)
    assert (row.months, row.extra_days, row.eligible) == (7, 6, False)
    assert row.reason == "7 months and 6 days employed (8 whole months needed)"


def test_fifteen_and_a_half_credits_do_not_count():
    row = assess(officer(Spell(date(2019, 3, 1), None), credits="15.50"), FY2026)
    assert (row.months, row.eligible) == (12, False)
    assert row.reason == "15.5 credits (16 needed)"


def test_both_shortfalls_are_named():
    row = assess(officer(Spell(date(2025, 12, 1), None), credits="15.5"), FY2026)
    assert row.reason == "7 months employed (8 whole months needed); 15.5 credits (16 needed)"


def test_hired_mid_year():
    # Hired 15 January: 17 days of January, February to June = 5 whole months.
    row = assess(officer(Spell(date(2026, 1, 15), None)), FY2026)
    assert (row.months, row.extra_days, row.eligible) == (5, 17, False)


def test_separated_mid_year_after_eight_whole_months_counts():
    # Separated 28 February 2026 (its last day): July to February = 8 whole months.
    row = assess(officer(Spell(date(2015, 1, 5), date(2026, 2, 28))), FY2026)
    assert (row.months, row.eligible, row.last_day) == (8, True, date(2026, 2, 28))


def test_separated_a_day_before_the_month_ends_loses_that_month():
    row = assess(officer(Spell(date(2015, 1, 5), date(2026, 2, 27))), FY2026)
    assert (row.months, row.extra_days, row.eligible) == (7, 27, False)


def test_rehired_officers_months_in_both_spells_are_summed():
    # July-October (4 whole months), separated, re-hired 1 March: March-June (4 whole months) = 8.
    row = assess(officer(Spell(date(2020, 1, 1), date(2025, 10, 31)), Spell(date(2026, 3, 1), None)), FY2026)
    assert (row.months, row.extra_days, row.eligible) == (8, 0, True)


def test_spells_outside_the_year_do_not_count():
    row = assess(officer(Spell(date(2020, 1, 1), date(2025, 6, 30))), FY2026)
    assert (row.months, row.first_day, row.eligible) == (0, None, False)


def test_part_time_officer_is_flagged_and_counts_unless_claimed_elsewhere():
    counted = assess(officer(Spell(date(2024, 1, 1), None, part_time=True)), FY2026)
    assert (counted.part_time, counted.eligible) == (True, True)
    claimed = assess(officer(Spell(date(2024, 1, 1), None, part_time=True), claimed=True), FY2026)
    assert (claimed.part_time, claimed.eligible) == (True, False)
    assert claimed.reason == "part-time, claimed by another agency"


def test_an_officer_without_a_licence_number_cannot_be_listed():
    row = assess(officer(Spell(date(2020, 1, 1), None), licence=None), FY2026)
    assert (row.eligible, row.reason) == (False, "no licence number on the roster")


def test_a_year_still_running_counts_only_the_months_so_far():
    # FY2027 seen on 5 December 2026: July to November are whole (5); 5 days of December so far.
    [row] = assess_all([officer(Spell(date(2020, 1, 1), None))], FiscalYear(2027), as_of=date(2026, 12, 5))
    assert (row.months, row.extra_days, row.eligible) == (5, 5, False)
    assert row.last_day == date(2026, 12, 5)
    # Someone hired after the day it is seen on is not in the year yet.
    assert assess_all([officer(Spell(date(2027, 1, 4), None))], FiscalYear(2027), as_of=date(2026, 12, 5)) == []

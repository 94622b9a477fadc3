"""Licensees without an employer (measured as each pack's source says) and proration for officers who join
part-way through a period (Texas: from the first complete unit after licensing; elsewhere none by default)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from compliance import OfficerProfile, ProrationRule, evaluate, load_pack

from .factories import officer, record

MN, CA, TX, FL = (load_pack(code) for code in ("MN-POST", "CA-POST", "TX-TCOLE", "FL-CJSTC"))


def without_employer(licence: date) -> OfficerProfile:
    """An active licence whose holder has no current employer (a state-board install tracks them)."""
    return replace(officer(licence), employed=False)


def test_minnesota_licensee_without_employer_owes_48_general_credits_only():
    result = evaluate(MN, without_employer(date(2023, 3, 15)), [record(date(2024, 5, 1), 16, "autism")], [],
                      date(2026, 5, 1))
    assert [s.requirement.id for s in result.requirements] == ["mn-total"]  # no mandated topics, no in-service
    assert result.missing == ("32 more credits by 30 June 2026",)


def test_minnesota_active_employed_officer_still_owes_mandated_topics():
    result = evaluate(MN, officer(date(2023, 3, 15)), [], [], date(2026, 5, 1))
    owed = {s.requirement.id for s in result.requirements}
    assert {"mn-total", "mn-mandated", "mn-autism", "mn-use-of-force"} <= owed


@pytest.mark.parametrize("pack", [FL, CA], ids=["FL", "CA"])
def test_states_with_no_rule_for_the_unemployed_track_nothing_and_say_why(pack):
    result = evaluate(pack, without_employer(date(2021, 3, 1)), [], [], date(2025, 1, 1))
    assert (result.requirements, result.state) == ((), "compliant")
    assert result.notes == (f"{pack.name} sets no continuing education for a licensee without an employer"
                            f" ({pack.without_employer_source})",)


def test_texas_licensee_without_appointment_owes_the_unit_like_anyone():
    appointed = evaluate(TX, officer(date(2023, 9, 1)), [], [], date(2024, 6, 1))
    unappointed = evaluate(TX, without_employer(date(2023, 9, 1)), [], [], date(2024, 6, 1))
    assert unappointed.missing == appointed.missing


# 37 TAC 218.3: CE begins "in the first complete 24-month unit immediately following the date of licensing".
# Units start on 1 September of odd years; the cycle 2021-09-01..2025-08-31 holds units from 2021 and 2023.
@pytest.mark.parametrize(
    ("licence", "unit_owed", "cycle_courses_owed"),
    [
        (date(2023, 9, 1), True, True),  # licensed on the unit's first day: the whole unit is after licensing
        (date(2023, 9, 2), False, False),  # one day into the unit: first complete unit starts 2025-09-01
        (date(2022, 3, 1), True, True),  # the 2023 unit is complete after licensing, and it is in the cycle
        (date(2021, 9, 1), True, True),
    ],
)
def test_texas_requirements_start_with_the_first_complete_unit(licence, unit_owed, cycle_courses_owed):
    result = evaluate(TX, officer(licence), [], [], date(2024, 6, 1))
    ids = {s.requirement.id for s in result.requirements if not s.previous_period}
    assert ("tx-unit-hours" in ids, "tx-alerrt" in ids, "tx-legislative-update" in ids) == (unit_owed,) * 3
    assert ("tx-course-3939" in ids) == cycle_courses_owed


def test_texas_officer_licensed_mid_unit_is_not_overdue_for_the_unit_before():
    # Licensed 2022-03-01: the 2021-2023 unit began before licensing, so it is not owed (not overdue).
    result = evaluate(TX, officer(date(2022, 3, 1)), [], [], date(2024, 6, 1))
    assert not any(s.previous_period for s in result.requirements)
    assert result.state != "overdue"


def test_california_and_minnesota_default_to_no_proration_and_say_so():
    assert CA.proration.method == MN.proration.method == "none"
    assert "agency setting" in CA.proration.source


def test_california_agency_may_choose_to_wait_for_the_first_full_cycle():
    # An agency setting (not published by POST): appointed 2025-06-01, nothing owed until the 2027-2028 cycle.
    first_full = ProrationRule("first_full_unit", frozenset({"total_hours", "topic_hours"}), unit_months=24)
    result = evaluate(CA, officer(date(2025, 6, 1)), [], [], date(2026, 6, 1), proration=first_full)
    assert {s.requirement.kind for s in result.requirements} <= {"recurring"}


def test_proration_needs_unit_months_exactly_for_first_full_unit():
    with pytest.raises(ValueError, match="unit_months"):
        ProrationRule("first_full_unit")
    with pytest.raises(ValueError, match="unit_months"):
        ProrationRule("monthly", unit_months=24)

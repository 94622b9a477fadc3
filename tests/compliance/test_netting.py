"""What's missing adds up to what is owed: requirements that contain others state only the remainder.
Every expectation is counted by hand from the records in the test."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from compliance import ComplianceStatus, evaluate, load_pack

from .factories import officer, record

MN, CA, TX, FL = (load_pack(code) for code in ("MN-POST", "CA-POST", "TX-TCOLE", "FL-CJSTC"))
MN_ON = date(2026, 5, 1)  # licensed 2023-03-15: cycle to 2026-06-30


def hours_stated(result: ComplianceStatus, due: str) -> Decimal:
    """The sum of the numbers the sentences due on `due` ask for (what an officer adds up)."""
    amounts = [re.match(r"(\d+(?:\.\d+)?) more", sentence) for sentence in result.missing if due in sentence]
    return sum((Decimal(match.group(1)) for match in amounts if match), Decimal(0))


def mn_in_service() -> list:
    return [record(date(2025, 9, 1), 1, "use_of_force"), record(date(2025, 9, 1), 1, "firearms"),
            record(date(2024, 3, 1), 8, "evoc")]


def test_minnesota_officer_short_two_autism_credits_reads_two_owed_not_four():
    # 14 mandated (crisis 9, autism 2, conflict, bias, bias crimes 1 each) + 10 in-service + 24 = 48.
    records = [record(date(2024, 1, 10), 9, "crisis_intervention"), record(date(2024, 2, 10), 2, "autism"),
               record(date(2024, 3, 10), 1, "conflict_management"), record(date(2024, 3, 10), 1, "implicit_bias"),
               record(date(2024, 3, 10), 1, "bias_crimes"), *mn_in_service(), record(date(2025, 1, 20), 24)]
    result = evaluate(MN, officer(date(2023, 3, 15)), records, [], MN_ON)
    assert result.missing == (
        "16 mandated credits (five topics plus 3 electives): met once the other credits listed are done"
        " by 30 June 2026",
        "2 more autism credits by 30 June 2026",
    )
    assert hours_stated(result, "30 June 2026") == 2


def test_minnesota_new_officer_with_nothing_reads_48_owed_across_the_sentences():
    result = evaluate(MN, officer(date(2023, 3, 15)), mn_in_service(), [], MN_ON)
    # 10 in-service credits done: 38 owed, of which 6 + 4 + 1 + 1 + 1 topics and 3 electives: 22 in any topic.
    assert result.missing[:3] == (
        "22 more credits in any topic (besides those listed) by 30 June 2026",
        "3 more credits in crisis-intervention, autism, conflict-management, implicit-bias or bias-crimes"
        " (besides those listed) by 30 June 2026",
        "6 more crisis-intervention credits by 30 June 2026",
    )
    assert hours_stated(result, "30 June 2026") == 38


def test_minnesota_electives_remainder_is_stated_when_topics_are_met():
    # Every topic minimum met (13 credits): the group still needs 3 electives; the total needs 48 - 23 = 25,
    # of which the 3 electives: 22 in any topic.
    records = [record(date(2024, 1, 10), 6, "crisis_intervention"), record(date(2024, 2, 10), 4, "autism"),
               record(date(2024, 3, 10), 1, "conflict_management"), record(date(2024, 3, 10), 1, "implicit_bias"),
               record(date(2024, 3, 10), 1, "bias_crimes"), *mn_in_service()]
    result = evaluate(MN, officer(date(2023, 3, 15)), records, [], MN_ON)
    assert result.missing == (
        "22 more credits in any topic (besides those listed) by 30 June 2026",
        "3 more credits in crisis-intervention, autism, conflict-management, implicit-bias or bias-crimes"
        " by 30 June 2026",
    )
    assert hours_stated(result, "30 June 2026") == 25


def test_california_cpt_total_states_only_what_the_perishable_skills_leave():
    # 10 hours of other training: CPT 14 short, skills 18 short; the skills close the CPT, nothing beyond them.
    result = evaluate(CA, officer(date(2025, 1, 1)), [record(date(2025, 6, 1), 10)], [], date(2026, 6, 1))
    assert result.missing[0] == ("24 hours of Continuing Professional Training per cycle: met once the other"
                                 " hours listed are done by 31 December 2026")
    assert hours_stated(result, "31 December 2026") == 18  # 4 + 4 + 4 + 2 + 4, which also closes the 24


def test_texas_unit_total_states_what_alerrt_leaves():
    # 10 hours of other training in the unit, ALERRT 0 of 16: 30 short, 16 of them ALERRT, 14 in any topic.
    result = evaluate(TX, officer(date(2020, 1, 1), flags=("intermediate_certificate",)),
                      [record(date(2025, 10, 1), 10)], [], date(2026, 6, 1))
    assert "14 more hours in any topic (besides those listed) by 31 August 2027" in result.missing
    assert "16 more active-shooter hours by 31 August 2027" in result.missing
    assert hours_stated(result, "31 August 2027") == 30


def test_florida_has_no_hours_inside_the_total_so_nothing_is_netted():
    # The required topics carry no hours (one completion each), so the 40 hours are stated whole.
    result = evaluate(FL, officer(date(2021, 3, 1)), [record(date(2022, 1, 1), 10)], [], date(2025, 1, 1))
    assert result.missing[0] == "30 more hours by 30 June 2025"
    assert all(status.owed_beyond is None for status in result.requirements)


def test_every_unmet_requirement_keeps_one_sentence_in_order():
    result = evaluate(MN, officer(date(2023, 3, 15)), [], [], MN_ON)
    assert len(result.missing) == sum(1 for status in result.requirements if not status.met)

"""California, Texas and Florida cases worked by hand from the rule texts (sources in rulepacks/)."""

from __future__ import annotations

from datetime import date

import pytest

from compliance import ComplianceStatus, ProrationRule, RequirementStatus, evaluate, load_pack

from .factories import officer, record

CA = load_pack("CA-POST")
TX = load_pack("TX-TCOLE")
FL = load_pack("FL-CJSTC")


def status_of(result: ComplianceStatus, requirement_id: str) -> RequirementStatus:
    return next(s for s in result.requirements if s.requirement.id == requirement_id and not s.previous_period)


def ca_cycle_records():
    # Perishable skills 4 + 4 + 4 + 2 + 4 = 18, plus 6 other = 24 CPT hours in the 2025-2026 cycle.
    return [
        record(date(2025, 2, 1), 4, "firearms"),
        record(date(2025, 2, 2), 4, "evoc"),
        record(date(2025, 2, 3), 4, "arrest_control"),
        record(date(2025, 2, 4), 2, "strategic_communications"),
        record(date(2025, 2, 5), 4, "use_of_force"),
        record(date(2025, 3, 1), 2, "domestic_violence"),
        record(date(2025, 3, 1), 2, "first_aid"),
        record(date(2025, 9, 1), 2, "bloodborne_pathogens"),  # yearly: due again 2026-09-01
    ]


def test_california_officer_with_cpt_and_perishable_skills_is_compliant():
    result = evaluate(CA, officer(date(2025, 1, 1)), ca_cycle_records(), [], date(2026, 6, 1))
    assert (result.cycle_start, result.cycle_end) == (date(2025, 1, 1), date(2026, 12, 31))
    assert (result.total_done, result.total_required, result.state) == (24, 24, "compliant")


def test_california_perishable_skill_short_by_two_hours_is_named():
    records = [r for r in ca_cycle_records() if "arrest_control" not in r.topic_credits]
    records.append(record(date(2025, 4, 1), 2, "arrest_control"))
    result = evaluate(CA, officer(date(2025, 1, 1)), records, [], date(2026, 6, 1))
    assert "2 more arrest-control hours by 31 December 2026" in result.missing
    # 22 of 24 CPT hours: the 2 arrest-control hours close the CPT total too, so it asks for nothing more.
    assert ("24 hours of Continuing Professional Training per cycle: met once the other hours listed are done"
            " by 31 December 2026") in result.missing


def test_california_bloodborne_pathogens_refresher_lapses_after_a_year():
    result = evaluate(CA, officer(date(2025, 1, 1)), ca_cycle_records(), [], date(2026, 9, 2))
    assert status_of(result, "ca-bloodborne-pathogens").overdue
    assert result.state == "overdue"


@pytest.mark.parametrize(
    ("licence", "required"),
    [
        (date(2025, 1, 1), 24),  # whole cycle: 24 months of 24
        (date(2025, 7, 15), 18),  # July 2025 .. Dec 2026 = 18 months: 24 x 18 / 24 = 18
        (date(2026, 12, 31), 1),  # one month: 24 x 1 / 24 = 1
        (date(2025, 2, 10), 23),  # 23 months: 24 x 23 / 24 = 23
    ],
)
def test_monthly_proration_for_an_officer_appointed_mid_cycle(licence, required):
    result = evaluate(CA, officer(licence), [], [], date(2026, 12, 31), proration=ProrationRule("monthly"))
    assert status_of(result, "ca-cpt").required == required


def test_proration_rounds_up_to_whole_hours():
    # Texas unit 2025-09-01 .. 2027-08-31 (24 months); appointed 2026-02-10: Feb 2026 .. Aug 2027 = 19 months.
    # 40 x 19 / 24 = 31.67 -> 32 hours.
    result = evaluate(TX, officer(date(2026, 2, 10)), [], [], date(2026, 3, 1), proration=ProrationRule("monthly"))
    assert status_of(result, "tx-unit-hours").required == 32


def test_without_proration_a_mid_cycle_appointee_owes_the_full_hours():
    result = evaluate(CA, officer(date(2026, 6, 1)), [], [], date(2026, 7, 1))
    assert status_of(result, "ca-cpt").required == 24


def tx_unit_records():
    # Unit 2025-09-01 .. 2027-08-31: 4 legislative update + 16 ALERRT + 8 (3939) + 8 (3232) + 4 other = 40.
    return [
        record(date(2025, 10, 1), 4, "legal_update"),
        record(date(2025, 11, 1), 16, "active_shooter"),
        record(date(2026, 1, 5), 8, "cultural_diversity", course="3939"),
        record(date(2026, 2, 5), 8, "special_investigative_topics", course="3232"),
        record(date(2026, 3, 5), 4, "other"),
    ]


def test_texas_unit_hours_and_courses_per_cycle():
    # Licensed after the previous unit ended, so only the current unit and cycle are measured.
    result = evaluate(TX, officer(date(2025, 9, 1)), tx_unit_records(), [], date(2026, 6, 1))
    assert (result.cycle_start, result.cycle_end) == (date(2025, 9, 1), date(2029, 8, 31))
    unit = status_of(result, "tx-unit-hours")
    assert (unit.period_start, unit.due_on, unit.done, unit.met) == (date(2025, 9, 1), date(2027, 8, 31), 40, True)
    assert set(result.missing) == {
        "Course 3843 (Crisis Intervention) by 31 August 2029",
        "Course 1849 (De-escalation) by 31 August 2029",
    }


def test_texas_courses_do_not_apply_from_the_intermediate_certificate():
    result = evaluate(TX, officer(date(2025, 9, 1), flags=("intermediate_certificate",)), tx_unit_records(), [],
                      date(2026, 6, 1))
    assert result.state == "compliant"


def test_texas_unmet_previous_unit_is_overdue():
    # Previous unit 2023-09-01 .. 2025-08-31 had 30 of 40 hours.
    records = [*tx_unit_records(), record(date(2024, 1, 1), 30, "other")]
    result = evaluate(TX, officer(date(2020, 1, 1), flags=("intermediate_certificate",)), records, [],
                      date(2026, 6, 1))
    assert result.state == "overdue"
    # 10 hours short of 40, but the 16 ALERRT hours still owed cover them: the total asks for nothing more.
    assert "16 more active-shooter hours, overdue (was due by 31 August 2025)" in result.missing
    assert ("40 hours per 2-year training unit: met once the other hours listed are done, overdue"
            " (was due by 31 August 2025)") in result.missing


@pytest.mark.parametrize(
    ("topics", "missing"),
    [
        (("human_diversity", "use_of_force", "wellness"), set()),
        (("human_diversity", "use_of_force"), {"Officer health and wellness training by 30 June 2025"}),
    ],
)
def test_florida_forty_hours_in_four_years_with_required_topics(topics, missing):
    # Certified 2021-03-01: due 30 June 2025 (fourth year after). 3 topic courses of 4 hours + the rest other.
    records = [record(date(2023, 1, 1), 4, topic) for topic in topics]
    records.append(record(date(2024, 1, 1), 40 - 4 * len(topics), "other"))
    result = evaluate(FL, officer(date(2021, 3, 1)), records, [], date(2025, 1, 1))
    assert set(result.missing) == missing
    assert result.total_done == 40


def test_florida_wellness_not_required_for_periods_ending_before_july_2023():
    result = evaluate(FL, officer(date(2019, 3, 1)), [], [], date(2023, 1, 1))  # period ends 2023-06-30
    assert "fl-wellness" not in {s.requirement.id for s in result.requirements}

"""Minnesota POST cases worked by hand from the rule texts (see rulepacks/mn-post.toml for sources)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance import ComplianceStatus, CreditRecord, ProrationRule, RequirementStatus, evaluate, load_pack

from .factories import officer, record, waiver

MN = load_pack("MN-POST")
LICENSED = date(2023, 3, 15)  # first cycle 2023-03-15 .. 2026-06-30 (third calendar year after 2023)
ON = date(2026, 5, 1)


def complete_cycle() -> list[CreditRecord]:
    """Everything a first cycle ending 2026-06-30 needs: 48 credits, of which 16 mandated, plus the
    annual use-of-force and firearms training and 8 EVOC credits."""
    return [
        record(date(2024, 1, 10), 6, "crisis_intervention"),
        record(date(2024, 2, 10), 7, "autism"),  # 4 required + 3 electives taken as autism
        record(date(2024, 3, 10), 1, "conflict_management"),
        record(date(2024, 4, 10), 1, "implicit_bias"),
        record(date(2024, 5, 10), 1, "bias_crimes"),  # 6 + 7 + 1 + 1 + 1 = 16 mandated
        record(date(2025, 9, 1), 1, "use_of_force"),
        record(date(2025, 9, 1), 1, "firearms"),
        record(date(2024, 3, 1), 8, "evoc"),  # 16 + 1 + 1 + 8 = 26
        record(date(2025, 1, 20), 22, "investigations"),  # 26 + 22 = 48
    ]


def status_of(result: ComplianceStatus, requirement_id: str, previous: bool = False) -> RequirementStatus:
    return next(s for s in result.requirements if s.requirement.id == requirement_id and s.previous_period == previous)


def ids(result: ComplianceStatus) -> set[str]:
    return {s.requirement.id for s in result.requirements}


def test_officer_with_everything_done_is_compliant():
    result = evaluate(MN, officer(LICENSED), complete_cycle(), [], ON)
    assert (result.state, result.percent, result.missing) == ("compliant", 100, ())
    assert (result.cycle_start, result.cycle_end, result.days_left) == (LICENSED, date(2026, 6, 30), 60)
    assert (result.total_done, result.total_required) == (48, 48)


def test_one_crisis_record_counts_toward_total_topic_and_mandated_group():
    result = evaluate(MN, officer(LICENSED), [record(date(2024, 1, 10), 6, "crisis_intervention")], [], ON)
    assert [status_of(result, rid).done for rid in ("mn-total", "mn-crisis-intervention", "mn-mandated")] == [6, 6, 6]


@pytest.mark.parametrize(
    ("records", "group_met", "unmet_topics"),
    [
        # 6 crisis + 4 autism + 1 + 1 + 1 = 13, plus 3 electives as autism = 16: every minimum and the group met
        ([("crisis_intervention", 6), ("autism", 7), ("conflict_management", 1), ("implicit_bias", 1),
          ("bias_crimes", 1)], True, set()),
        # 16 crisis credits fill the group total, but autism 0/4, conflict 0/1, bias 0/1, bias crimes 0/1
        ([("crisis_intervention", 16)], True,
         {"mn-autism", "mn-conflict-management", "mn-implicit-bias", "mn-bias-crimes"}),
        # every minimum met (13) but no electives: group 13/16 short by 3
        ([("crisis_intervention", 6), ("autism", 4), ("conflict_management", 1), ("implicit_bias", 1),
          ("bias_crimes", 1)], False, set()),
    ],
)
def test_mandated_group_needs_sixteen_credits_and_each_topic_minimum(records, group_met, unmet_topics):
    credits = [record(date(2024, 6, 1), hours, topic) for topic, hours in records]
    result = evaluate(MN, officer(LICENSED), credits, [], ON)
    assert status_of(result, "mn-mandated").met is group_met
    topic_rules = {s.requirement.id for s in result.requirements if s.requirement.kind == "topic_hours" and not s.met}
    assert topic_rules == unmet_topics


def test_missing_work_is_described_in_plain_words():
    result = evaluate(MN, officer(LICENSED), [record(date(2024, 6, 1), 16, "autism")], [], ON)
    assert "6 more crisis-intervention credits by 30 June 2026" in result.missing
    assert "1 more bias-crimes credit by 30 June 2026" in result.missing
    # 48 - 16 = 32 owed, of which the topic minimums take 6 + 1 + 1 + 1 = 9: 23 in any topic beyond them.
    assert "23 more credits in any topic (besides those listed) by 30 June 2026" in result.missing
    assert "Use-of-force in-service training, overdue (was due by 15 March 2024)" in result.missing


def test_older_cycle_uses_four_topic_rule_without_bias_crimes():
    # Licensed 2020-02-29: first cycle ends 2023-06-30, before the five-topic rule (renewals from 2024-06-30).
    # 6 crisis + 4 autism + 1 conflict + 5 implicit bias (1 + 4 electives) = 16.
    credits = [record(date(2022, 1, 1), h, t) for t, h in
               [("crisis_intervention", 6), ("autism", 4), ("conflict_management", 1), ("implicit_bias", 5)]]
    result = evaluate(MN, officer(date(2020, 2, 29)), credits, [], date(2023, 1, 1))
    assert {"mn-mandated-2018"} <= ids(result)
    assert not {"mn-mandated", "mn-bias-crimes"} & ids(result)
    assert status_of(result, "mn-mandated-2018").met


def test_wellness_credit_applies_to_cycles_ending_from_2027():
    assert "mn-wellness" not in ids(evaluate(MN, officer(LICENSED), [], [], ON))  # ends 2026-06-30
    later = evaluate(MN, officer(LICENSED), [], [], date(2026, 7, 1))  # cycle 2026-07-01 .. 2029-06-30
    assert "mn-wellness" in ids(later)


def test_school_resource_officer_credit_only_for_officers_with_that_assignment():
    on = date(2027, 1, 1)
    assert "mn-school-resource-officer" not in ids(evaluate(MN, officer(LICENSED), [], [], on))
    sro = evaluate(MN, officer(LICENSED, flags=("school_resource_officer",)), [], [], on)
    assert "mn-school-resource-officer" in ids(sro)


def test_record_on_the_last_day_of_the_cycle_counts():
    credits = [record(date(2024, 1, 1), 47, "other"), record(date(2026, 6, 30), 1, "other")]
    result = evaluate(MN, officer(LICENSED, "inactive"), credits, [], date(2026, 6, 30))
    assert (result.total_done, result.state) == (48, "compliant")


def test_record_the_day_after_the_cycle_does_not_count_and_the_cycle_is_overdue():
    credits = [record(date(2024, 1, 1), 47, "other"), record(date(2026, 7, 1), 1, "other")]
    result = evaluate(MN, officer(LICENSED, "inactive"), credits, [], date(2026, 7, 1))
    closed = status_of(result, "mn-total", previous=True)
    assert (closed.done, closed.required, closed.overdue) == (47, 48, True)
    assert result.state == "overdue"
    assert "1 more credit, overdue (was due by 30 June 2026)" in result.missing
    assert status_of(result, "mn-total").done == 1  # the late record counts in the new cycle


def test_inactive_licence_needs_only_48_general_credits():
    result = evaluate(MN, officer(LICENSED, "inactive"), [record(date(2025, 1, 1), 48, "other")], [], ON)
    assert ids(result) == {"mn-total"}
    assert result.state == "compliant"


def test_evoc_exemption_on_the_profile_removes_the_requirement():
    records = [r for r in complete_cycle() if "evoc" not in r.topic_credits] + [record(date(2024, 3, 1), 8, "other")]
    result = evaluate(MN, officer(LICENSED, exemptions=("mn-evoc",)), records, [], ON)
    evoc = status_of(result, "mn-evoc")
    assert (evoc.met, evoc.required, evoc.waived, evoc.waived_reason) == (True, 0, 8, "exempt (officer profile)")
    assert result.state == "compliant"


def test_evoc_exemption_waiver_records_reason_and_who_granted_it():
    exemption = waiver("mn-evoc", "exemption", date(2024, 1, 1), reason="non-driving assignment")
    evoc = status_of(evaluate(MN, officer(LICENSED), [], [exemption], ON), "mn-evoc")
    assert evoc.met and evoc.waived_reason == "non-driving assignment (exemption granted by Lt. Example)"


def test_a_requirement_that_is_not_exemptible_ignores_an_exemption():
    result = evaluate(MN, officer(LICENSED, exemptions=("mn-crisis-intervention",)), [], [], ON)
    assert not status_of(result, "mn-crisis-intervention").met
    assert result.notes == ("mn-crisis-intervention cannot be exempted; the exemption on the officer's profile "
                            "is ignored",)


def test_hours_waiver_reduces_what_is_required_and_counts_as_done():
    reduction = waiver("mn-total", "waiver", date(2025, 1, 1), hours=8, reason="partial cycle")
    total = status_of(evaluate(MN, officer(LICENSED), [record(date(2025, 2, 1), 30, "other")], [reduction], ON),
                      "mn-total")
    assert (total.done, total.required, total.waived, total.met) == (30, 40, 8, False)  # 48 - 8 = 40 still owed


def test_medical_leave_moves_the_due_date_by_the_leave_days_in_the_cycle():
    # 60 days of leave (1 Jan .. 1 Mar 2026: 31 + 28 + 1) push 30 June 2026 to 29 August 2026.
    leave = waiver(None, "leave", date(2026, 1, 1), date(2026, 3, 1))
    credits = [record(date(2024, 1, 1), 40, "other"), record(date(2026, 8, 1), 8, "other")]
    during = evaluate(MN, officer(LICENSED, "inactive"), credits[:1], [leave], date(2026, 7, 15))
    closed = status_of(during, "mn-total", previous=True)
    assert (closed.due_on, closed.overdue, during.state) == (date(2026, 8, 29), False, "at_risk")
    assert "8 more credits by 29 August 2026" in during.missing
    # A record inside the extension completes the paused cycle.
    caught_up = evaluate(MN, officer(LICENSED, "inactive"), credits, [leave], date(2026, 8, 20))
    assert not any(s.previous_period for s in caught_up.requirements)


def test_ongoing_military_leave_counts_up_to_the_evaluation_date():
    leave = waiver("mn-total", "leave", date(2026, 6, 1), reason="military deployment")
    result = evaluate(MN, officer(LICENSED, "inactive"), [], [leave], date(2026, 6, 20))
    assert status_of(result, "mn-total").due_on == date(2026, 7, 20)  # 20 days so far (1..20 June)


@pytest.mark.parametrize(
    ("on", "met", "overdue"),
    [
        (date(2026, 5, 10), True, False),  # use of force on 2025-05-10: due again by 2026-05-10
        (date(2026, 5, 11), False, True),
    ],
)
def test_use_of_force_is_due_every_twelve_months_from_the_last_completion(on, met, overdue):
    result = evaluate(MN, officer(LICENSED), [record(date(2025, 5, 10), 2, "use_of_force")], [], on)
    status = status_of(result, "mn-use-of-force")
    assert (status.due_on, status.met, status.overdue) == (date(2026, 5, 10), met, overdue)


def test_annual_training_on_a_leap_day_is_due_on_february_28():
    result = evaluate(MN, officer(date(2020, 2, 29)), [record(date(2024, 2, 29), 1, "firearms")], [], date(2025, 1, 1))
    assert status_of(result, "mn-firearms").due_on == date(2025, 2, 28)


def test_evoc_needs_eight_credits_within_five_years():
    # 4 credits in 2020 and 4 in 2022: 8 reached with the 2020 record, so due 5 years after it.
    credits = [record(date(2020, 9, 1), 4, "evoc"), record(date(2022, 9, 1), 4, "evoc")]
    evoc = status_of(evaluate(MN, officer(date(2019, 1, 1)), credits, [], date(2025, 1, 1)), "mn-evoc")
    assert (evoc.met, evoc.due_on) == (True, date(2025, 9, 1))


def test_newly_licensed_officer_has_twelve_months_for_the_first_annual_training():
    status = status_of(evaluate(MN, officer(LICENSED), [], [], date(2023, 6, 1)), "mn-use-of-force")
    assert (status.due_on, status.overdue) == (date(2024, 3, 15), False)


def test_proration_is_off_for_minnesota_because_the_first_cycle_starts_at_the_licence():
    monthly = ProrationRule("monthly")
    result = evaluate(MN, officer(LICENSED, "inactive"), [], [], ON, proration=monthly)
    assert status_of(result, "mn-total").required == Decimal(48)


def test_agency_requirement_is_evaluated_alongside_the_pack():
    from compliance import PeriodRule, Requirement

    qualification = Requirement(
        id="agency-firearms-qualification", title="Annual firearms qualification", kind="recurring",
        source="Agency policy 4.12", effective_from=date(2020, 1, 1), course_numbers=("AGY-QUAL",),
        period=PeriodRule("rolling", months=12),
    )
    credits = [*complete_cycle(), record(date(2025, 12, 1), 2, course="AGY-QUAL")]
    result = evaluate(MN, officer(LICENSED), credits, [], ON, extra_requirements=[qualification])
    assert status_of(result, "agency-firearms-qualification").due_on == date(2026, 12, 1)
    assert result.state == "compliant"

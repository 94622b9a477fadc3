"""Whether a requested course meets what its officer still owes, from the stored gaps' words (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.approval_context import moment_in_words, waited_for
from services.approval_coverage import NOTHING_OWED, Course, OwedRequirement, coverage, owed_amount
from services.approval_decisions import comment_problem
from services.compliance import rule_pack
from workflows.training_request_types import DecisionAction

MN = {requirement.id: requirement for requirement in rule_pack("MN-POST").requirements}
NAMES = {"crisis_intervention": "Crisis intervention", "use_of_force": "Use of force", "autism": "Autism"}
DUE = date(2027, 6, 30)
CRISIS = OwedRequirement(MN["mn-crisis-intervention"], DUE, False, "6 more crisis-intervention credits by 30 June 2027")


def course(hours: str, *topics: str, ends_on: date = date(2027, 3, 5)) -> Course:
    return Course(Decimal(hours), frozenset(topics), ends_on)


def test_a_course_with_enough_topic_hours_covers_all_the_officer_still_needs():
    assert coverage(course("8", "crisis_intervention"), [CRISIS], NAMES, "credits") == [
        "Covers all 6 crisis intervention credits this officer still needs by 30 June 2027"]


def test_a_shorter_course_covers_part_of_it():
    assert coverage(course("4", "crisis_intervention"), [CRISIS], NAMES, "credits") == [
        "Covers 4 of the 6 crisis intervention credits this officer still needs by 30 June 2027"]


def test_a_course_in_other_topics_counts_toward_nothing_owed():
    assert coverage(course("8", "use_of_force"), [CRISIS], NAMES, "credits") == [NOTHING_OWED]
    assert coverage(course("8", "crisis_intervention"), [], NAMES, "credits") == [NOTHING_OWED]


def test_a_course_ending_after_the_deadline_does_not_count_toward_that_period():
    late = course("8", "crisis_intervention", ends_on=date(2027, 7, 1))
    assert coverage(late, [CRISIS], NAMES, "credits") == [NOTHING_OWED]


def test_hours_go_to_the_contained_requirements_before_the_ones_that_contain_them():
    # As compliance.netting words them: the mandated 16 and the 48 state only what is owed beyond the rest.
    mandated = OwedRequirement(MN["mn-mandated"], DUE, False,
                               "3 more credits in crisis-intervention, autism, conflict-management, implicit-bias "
                               "or bias-crimes (besides those listed) by 30 June 2027")
    total = OwedRequirement(MN["mn-total"], DUE, False, "20 more credits in any topic (besides those listed) by 30 "
                                                        "June 2027")
    assert coverage(course("10", "crisis_intervention"), [total, mandated, CRISIS], NAMES, "credits") == [
        "Covers all 6 crisis intervention credits this officer still needs by 30 June 2027",
        "Covers all 3 credits of 16 mandated credits (five topics plus 3 electives) this officer still needs by "
        "30 June 2027",
        "Covers 1 of the 20 credits of 48 continuing-education credits per licensing cycle this officer still "
        "needs by 30 June 2027",
    ]


def test_a_yearly_completion_overdue_is_covered_by_any_course_in_its_topic():
    use_of_force = OwedRequirement(MN["mn-use-of-force"], date(2026, 11, 1), True,
                                   "Use-of-force in-service training, overdue (was due by 1 November 2026)")
    assert coverage(course("2", "use_of_force"), [use_of_force], NAMES, "credits") == [
        "Covers the use-of-force in-service training this officer still needs (overdue since 1 November 2026)"]


def test_the_amount_is_read_from_the_stored_sentence_only_where_it_names_one():
    assert owed_amount("6 more crisis-intervention credits by 30 June 2027") == Decimal(6)
    assert owed_amount("2.5 more hours by 30 June 2027") == Decimal("2.5")
    assert owed_amount("16 mandated credits: met once the other credits listed are done by 30 June 2027") is None
    assert owed_amount("Course 1234 (Legal update) by 30 June 2027") is None


def test_escalation_moments_are_said_in_the_agencys_zone_with_the_weekday():
    chicago = ZoneInfo("America/Chicago")
    now = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    # 06:03 UTC on 7 December is three minutes past midnight in Minnesota.
    assert moment_in_words(datetime(2026, 12, 7, 6, 3, tzinfo=UTC), chicago, now) == "Monday 7 December, 00:03"
    assert moment_in_words(datetime(2027, 1, 4, 15, 0, tzinfo=UTC), chicago, now) == "Monday 4 January 2027, 09:00"


def test_waiting_is_said_in_the_largest_whole_unit():
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert waited_for(now - timedelta(days=3, hours=5), now) == "3 days"
    assert waited_for(now - timedelta(days=1), now) == "1 day"
    assert waited_for(now - timedelta(hours=5, minutes=59), now) == "5 hours"
    assert waited_for(now - timedelta(minutes=20), now) == "less than an hour"


def test_deny_and_request_changes_need_a_comment_and_approve_does_not():
    assert comment_problem(DecisionAction.APPROVE, "") is None
    assert comment_problem(DecisionAction.DENY, "  ") is not None
    assert comment_problem(DecisionAction.REQUEST_CHANGES, "") is not None
    assert comment_problem(DecisionAction.DENY, "Budget is spent for the year.") is None

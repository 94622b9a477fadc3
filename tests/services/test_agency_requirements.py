"""Agency requirements as the engine sees them, and the form that is checked by the engine's own rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compliance import PeriodRule
from models import AgencyRequirement
from services.agency_requirements import (
    RequirementForm,
    describe_period,
    describe_what,
    requirement_from_row,
    validate_requirement_form,
)

TOPICS = {"firearms", "use_of_force"}
GOOD = {"title": "Annual firearms qualification", "code": "firearms-qualification", "kind": "recurring",
        "hours": "", "course_numbers": "", "period_kind": "rolling", "period_months": "12", "period_anchor": "",
        "effective_from": "2025-01-01", "effective_to": "", "source": "Lakeview PD policy 300.4"}


def test_a_row_becomes_the_engines_requirement_with_its_period_and_source():
    row = AgencyRequirement(code="range-day", title="Range day", kind="topic_hours", hours=Decimal(4),
                            topics=["firearms"], course_numbers=[], period_kind="fixed", period_months=6,
                            period_anchor=date(2026, 1, 1), effective_from=date(2026, 1, 1), effective_to=None,
                            source="Policy 300.4")
    requirement = requirement_from_row(row)
    assert requirement.id == "agency:range-day" and requirement.source == "Policy 300.4"
    assert requirement.period == PeriodRule("fixed", 6, date(2026, 1, 1))
    assert describe_what(requirement, {"firearms": "Firearms"}, "credits") == "4 credits in Firearms"
    assert describe_period(requirement) == "Periods of 6 months from 1 January 2026"


def test_a_valid_form_builds_the_requirement():
    form = validate_requirement_form(GOOD, ["firearms"], TOPICS)
    assert isinstance(form, RequirementForm) and form.code == "firearms-qualification"
    assert form.requirement.period == PeriodRule("rolling", 12)
    assert form.requirement.topics == ("firearms",) and form.requirement.hours is None


@pytest.mark.parametrize(("change", "topics", "field", "message"), [
    ({"kind": "everything"}, ["firearms"], "kind", "Choose what the requirement counts."),
    ({"hours": "four"}, ["firearms"], "hours", "Enter the hours as a number, e.g. 4 or 1.5."),
    ({"hours": "0"}, ["firearms"], "hours", "Hours must be positive."),
    ({"kind": "topic_hours"}, ["firearms"], "hours", "“Hours in one topic” needs hours."),
    ({"kind": "topic_hours", "hours": "2"}, ["firearms", "use_of_force"], "topics",
     "“Hours in one topic” names exactly one topic."),
    ({}, [], "topics", "“Recurring completion (topic or course)” needs topics or course numbers."),
    ({"kind": "course"}, [], "course_numbers", "“A specific course” needs course numbers."),
    ({"period_months": "0"}, ["firearms"], "period_months", "Enter a whole number of months from 1 to 120."),
    ({"period_kind": "fixed"}, ["firearms"], "period_anchor",
     "A fixed period needs an anchor date (the start of any one period)."),
    ({"period_kind": "monthly"}, ["firearms"], "period_kind", "Choose when the requirement falls due."),
    ({"effective_from": "01/01/2025"}, ["firearms"], "effective_from", "Enter the start date as a date (YYYY-MM-DD)."),
    ({"effective_to": "2024-12-31"}, ["firearms"], "effective_to", "The end date is before the start date."),
    ({}, ["archery"], "topics", "Choose topics from the list."),
])
def test_bad_input_gets_a_message_on_its_field(change, topics, field, message):
    errors = validate_requirement_form({**GOOD, **change}, topics, TOPICS)
    assert errors == {field: message}

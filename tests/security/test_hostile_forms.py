"""Hostile input to the remaining form validators: waivers, agency requirements, notification preferences,
record reports (the request, record and agency-settings forms are in test_hostile_input.py, whose
strategies these share).

For any text in any field, and fields left out as a hand-made POST may, each validator answers with a
message per field or a clean value, and never raises; a clean value meets the domain's constraints, read
from the rules and the columns it is stored in, not from the validator.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from models import Person, ReportKind, WaiverKind
from services.agency_requirements import RequirementForm, validate_requirement_form
from services.agency_settings import check_agency_settings
from services.notification_preferences import Preferences, validate_preferences
from services.record_reports import ReportDraft, validate_report
from services.waivers import WaiverForm, validate_waiver_form
from tests.record_reports.support import add_record
from tests.security.test_hostile_input import (
    VALID_SETTINGS,
    assert_messages,
    hostile_date,
    hostile_number,
    hostile_text,
)

CENT = Decimal("0.01")
TODAY = date(2026, 6, 1)


def storable(value: str, *, multiline: bool = False) -> bool:
    """Free text the project stores: no control characters (NUL, escapes), line breaks only where allowed."""
    allowed = "\t\n\r" if multiline else ""
    return not any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def forms(valid: dict[str, str], **fields: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, str]]:
    """A valid form with some fields made hostile and some left out."""
    changes = st.fixed_dictionaries({}, optional={name: st.one_of(strategy, st.none())
                                                  for name, strategy in fields.items()})
    return changes.map(lambda c: {k: v for k, v in {**valid, **c}.items() if v is not None})


def either(*good: str) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(good), hostile_text)


# --- Waivers ---------------------------------------------------------------------------------------

REQUIREMENTS = {"mn:firearms": "Firearms qualification", "mn:evoc": "Emergency vehicle operation"}
EXEMPTIBLE = {"mn:evoc"}
VALID_WAIVER = {"kind": "waiver", "requirement_id": "mn:firearms", "starts_on": "2026-01-01", "ends_on": "",
                "hours_reduction": "4", "reason": "Board decision 2026-14"}
waiver_forms = forms(
    VALID_WAIVER, kind=either("exemption", "waiver", "leave"), requirement_id=either(*REQUIREMENTS, ""),
    starts_on=hostile_date, ends_on=st.one_of(st.just(""), hostile_date),
    hours_reduction=st.one_of(st.just(""), st.sampled_from(["0.5", "0.001", "12.345", "200", "200.01"]),
                              hostile_number),
    reason=hostile_text,
)


@settings(max_examples=300, deadline=None)
@given(form=waiver_forms)
@example(form={**VALID_WAIVER, "hours_reduction": "0.001"})  # was accepted, and stored as a 0-hour waiver
@example(form={**VALID_WAIVER, "hours_reduction": "12.345"})  # was accepted, and stored as 12.35
def test_waiver_form_validator_answers_with_messages_or_a_clean_waiver(form):
    result = validate_waiver_form(form, REQUIREMENTS, EXEMPTIBLE)
    if isinstance(result, dict):
        assert_messages(result)
        return
    assert isinstance(result, WaiverForm) and result.kind in set(WaiverKind)
    if result.requirement_id is None:
        assert result.kind == WaiverKind.LEAVE  # only leave applies to every requirement
    else:
        assert result.requirement_id in REQUIREMENTS
    if result.kind == WaiverKind.EXEMPTION:
        assert result.requirement_id in EXEMPTIBLE
    assert result.ends_on is None or result.starts_on <= result.ends_on
    if result.hours_reduction is not None:
        # A waiver of some hours, stored in a NUMERIC(6, 2) column exactly as accepted: more than 0, up to 200.
        assert result.kind == WaiverKind.WAIVER
        hours = result.hours_reduction
        assert Decimal(0) < hours <= 200 and hours == hours.quantize(CENT)
    assert 0 < len(result.reason) <= 2000 and result.reason == result.reason.strip()
    assert storable(result.reason, multiline=True)


# --- Agency requirements ---------------------------------------------------------------------------

TOPICS = {"firearms", "use_of_force"}
CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
VALID_REQUIREMENT = {"title": "Annual firearms qualification", "code": "firearms-qualification",
                     "kind": "recurring", "hours": "", "course_numbers": "", "period_kind": "rolling",
                     "period_months": "12", "period_anchor": "", "effective_from": "2025-01-01", "effective_to": "",
                     "source": "Lakeview PD policy 300.4"}
requirement_forms = forms(
    VALID_REQUIREMENT, title=hostile_text, code=either("range-day", "a", "Range Day", "-x", "a--b", ""),
    kind=either("total_hours", "topic_hours", "course", "recurring", "topic_group_hours"),
    hours=st.one_of(st.just(""), st.sampled_from(["4", "0", "-1", "1000", "1000.01", "0.125"]), hostile_number),
    course_numbers=st.one_of(st.just(""), st.sampled_from(["CIT-1, CIT-2", " , ,", "x" * 41]), hostile_text),
    period_kind=either("cycle", "rolling", "fixed"), period_months=st.one_of(st.just("12"), hostile_number),
    period_anchor=hostile_date, effective_from=hostile_date, effective_to=st.one_of(st.just(""), hostile_date),
    source=hostile_text,
)


@settings(max_examples=300, deadline=None)
@given(form=requirement_forms, topics=st.lists(st.one_of(st.sampled_from(sorted(TOPICS)), hostile_text), max_size=3))
@example(form={**VALID_REQUIREMENT, "hours": "1e30"}, topics=["firearms"])  # raised InvalidOperation (a 500)
@example(form={**VALID_REQUIREMENT, "hours": "-1e30"}, topics=["firearms"])
@example(form={**VALID_REQUIREMENT, "period_months": "9" * 5000}, topics=["firearms"])  # int() raised ValueError
@example(form={**VALID_REQUIREMENT, "title": "Range\x1b[2J day"}, topics=["firearms"])  # control characters were kept
@example(form={**VALID_REQUIREMENT, "source": "Policy\x08 300"}, topics=["firearms"])
@example(form={**VALID_REQUIREMENT, "course_numbers": "CIT\x07-1"}, topics=[])
def test_requirement_form_validator_answers_with_messages_or_a_clean_requirement(form, topics):
    result = validate_requirement_form(form, topics, TOPICS)
    if isinstance(result, dict):
        assert_messages(result)
        return
    assert isinstance(result, RequirementForm)
    requirement = result.requirement
    # The code names the requirement in URLs and in the engine ("agency:<code>"): a short slug.
    assert CODE.fullmatch(result.code) and len(result.code) <= 60 and requirement.id == f"agency:{result.code}"
    assert 0 < len(requirement.title) <= 200 and storable(requirement.title)
    assert 0 < len(requirement.source) <= 500 and storable(requirement.source)
    assert requirement.kind in {"total_hours", "topic_hours", "course", "recurring"}
    if requirement.hours is not None:  # a NUMERIC(6, 2) column
        assert Decimal(0) < requirement.hours <= 1000 and requirement.hours == requirement.hours.quantize(CENT)
    assert set(requirement.topics) <= TOPICS
    assert all(0 < len(number) <= 40 and storable(number) for number in requirement.course_numbers)
    period = requirement.period
    assert period.kind in {"cycle", "rolling", "fixed"}
    if period.kind != "cycle":
        assert 1 <= period.months <= 120
    assert (period.anchor is not None) == (period.kind == "fixed")
    assert 1950 <= requirement.effective_from.year <= 2200
    assert requirement.effective_to is None or requirement.effective_from <= requirement.effective_to


# --- Notification preferences ----------------------------------------------------------------------

OFFERED_DAYS = ["180", "90", "60", "30", "10"]  # the reminder days the settings page lists
MANDATORY_DAYS = {30, 10}  # always sent, whatever is ticked


@settings(max_examples=300, deadline=None)
@given(email=st.booleans(), in_app=st.booleans(), delivery=either("immediate", "digest"),
       reminder_days=st.lists(st.one_of(st.sampled_from(OFFERED_DAYS), hostile_number, hostile_text), max_size=6))
def test_notification_preferences_validator_answers_with_messages_or_clean_preferences(
    email, in_app, delivery, reminder_days
):
    result = validate_preferences(email=email, in_app=in_app, delivery=delivery, reminder_days=reminder_days)
    if isinstance(result, dict):
        assert_messages(result)
        return
    assert isinstance(result, Preferences)
    assert result.email or result.in_app  # nobody can switch Muster off entirely
    assert (result.email, result.in_app, result.weekly_digest) == (email, in_app, delivery == "digest")
    days = list(result.reminder_offsets)
    assert days == sorted(set(days), reverse=True) and set(days) >= MANDATORY_DAYS
    assert set(days) == {int(day) for day in reminder_days} | MANDATORY_DAYS
    assert {str(day) for day in days} <= set(OFFERED_DAYS)


# --- Record reports (the officer's own records are looked up in the database) ----------------------

report_forms = forms(
    {"kind": "hours_wrong", "record": "OWN", "description": "The course was 12 hours, not 8."},
    kind=either(*(kind.value for kind in ReportKind)), record=either("OWN", "OTHERS", "", "0", "-1", "9" * 12),
    description=hostile_text, course_title=hostile_text, provider=hostile_text,
    completed_on=st.one_of(st.just(""), st.sampled_from(["2026-06-01", "2026-06-02"]), hostile_date),
    hours=st.one_of(st.just(""), hostile_number),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=report_forms)
async def test_record_report_validator_answers_with_messages_or_a_clean_report(session_factory, demo_org, form):
    own = await add_record(session_factory, demo_org, demo_org.officer1)
    others = await add_record(session_factory, demo_org, demo_org.officer2)
    values = {**form, "record": form.get("record", "").replace("OWN", str(own)).replace("OTHERS", str(others))}
    async with session_factory() as session:
        officer = await session.get_one(Person, demo_org.officer1)
        result = await validate_report(session, officer, values, TODAY)
    if isinstance(result, dict):
        assert_messages(result)
        return
    assert isinstance(result, ReportDraft) and result.kind in set(ReportKind)
    # Only the officer's own record can be reported; a missing course points at none.
    assert result.record_id == (own if result.kind != ReportKind.MISSING_COURSE else None)
    text = values["description"].strip()
    assert 0 < len(text) <= 2000 and result.description.startswith(text)
    assert storable(result.description, multiline=True)
    if result.kind == ReportKind.MISSING_COURSE:  # the course details the officer gave, each checked
        for name in ("course_title", "provider"):
            detail = values.get(name, "").strip()
            assert len(detail) <= 200 and storable(detail)
        completed = values.get("completed_on", "").strip()
        assert not completed or date.fromisoformat(completed) <= TODAY
        hours = values.get("hours", "").strip()
        assert not hours or Decimal(0) < Decimal(hours) <= 1000
    else:
        assert result.description == text  # course details belong to a missing course only


def test_the_valid_forms_the_properties_start_from_are_accepted():
    """Otherwise every example would be refused and the clean branch above never checked."""
    assert isinstance(validate_waiver_form(VALID_WAIVER, REQUIREMENTS, EXEMPTIBLE), WaiverForm)
    assert isinstance(validate_requirement_form(VALID_REQUIREMENT, ["firearms"], TOPICS), RequirementForm)
    assert isinstance(validate_preferences(email=True, in_app=True, delivery="digest", reminder_days=OFFERED_DAYS),
                      Preferences)
    assert check_agency_settings(VALID_SETTINGS).errors == {}

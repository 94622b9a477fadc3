"""Hostile input: every form validator answers with messages, never an exception; the portal never 500s.

Hostile means very long, any Unicode, control characters including NUL (which PostgreSQL cannot store),
HTML and JavaScript, SQL fragments, negative and huge numbers, and dates in the wrong order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from models import OutboxMessage, TrainingRecord, TrainingRequest
from services.agency_settings import check_agency_settings
from services.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from services.training_records import MAX_HOURS, TEXT_LIMITS, validate_record_form
from services.training_requests import MAX_COST, validate_request_form
from tests.portal.helpers import FORM

NASTY = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'; DROP TABLE training_request; --",
    "1 OR 1=1",
    "\x00",
    "a\x00b",
    "\x1b[31mred",
    "\u202eevil",
    "𝕿𝖗𝖆𝖎𝖓𝖎𝖓𝖌 🚓",
    "‮",
    "${7*7}{{7*7}}",
    "",
    " ",
    "x" * 100_000,
]
NUMBERS = ["-1", "0", "-0", "1e30", "-1e30", "1e999999", "9" * 5000, "NaN", "Infinity", "-Infinity", "0.001",
           "1,000,000,000", "$-5", "٣", "²", "0x10", "1_000", " 12 "]
DATES = ["2027-03-05", "2027-03-01", "0001-01-01", "9999-12-31", "2027-02-30", "03/01/2027", "-2027-01-01",
         "2027-03-01T00:00", ""]

hostile_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=300), st.text(min_size=190, max_size=6000))
hostile_number = st.one_of(st.sampled_from(NUMBERS), st.decimals(allow_nan=True).map(str), st.integers().map(str),
                           st.text(max_size=20))
hostile_date = st.one_of(st.sampled_from(DATES), st.dates().map(date.isoformat), st.text(max_size=12))

VALID_RECORD = {"course_title": "Refresher", "provider": "Academy", "course_number": "", "started_on": "",
                "completed_on": "2024-05-01", "hours": "4"}
# Each example changes some fields of a valid form, so both outcomes (messages, a clean form) are explored.
request_forms = st.fixed_dictionaries({}, optional={
    "title": hostile_text, "provider": hostile_text, "location": hostile_text, "justification": hostile_text,
    "start_date": hostile_date, "end_date": hostile_date, "hours": hostile_number,
    "cost_tuition": hostile_number, "cost_travel": hostile_number, "cost_lodging": hostile_number,
    "cost_other": hostile_number, "overnight_travel": hostile_text,
}).map(lambda changes: {**FORM, **changes})
record_forms = st.fixed_dictionaries({}, optional={
    "course_title": hostile_text, "provider": hostile_text, "course_number": hostile_text,
    "started_on": hostile_date, "completed_on": hostile_date, "hours": hostile_number,
}).map(lambda changes: {**VALID_RECORD, **changes})
STORABLE_CONTROLS = "\t\n\r"


def _no_controls(value: str, allowed: str = "") -> bool:
    return not any(ord(ch) < 32 and ch not in allowed for ch in value) and "\x7f" not in value


def assert_messages(errors: dict[str, str]) -> None:
    assert errors, "an invalid form must say what is wrong"
    for field, message in errors.items():
        assert isinstance(field, str) and isinstance(message, str) and 0 < len(message) < 200
        assert "<" not in message and "\x00" not in message  # a message never echoes the input


@settings(max_examples=300, deadline=None)
@given(form=request_forms, topics=st.lists(st.one_of(st.sampled_from(["crisis_intervention"]), hostile_text),
                                           max_size=4))
def test_request_form_validator_answers_with_messages_or_a_clean_form(form, topics):
    result = validate_request_form(form, topics, {"crisis_intervention", "use_of_force"})
    if isinstance(result, dict):
        assert_messages(result)
        return
    # What comes out is storable as is: bounded, no control characters, dates in order, sane numbers.
    for name in ("title", "provider", "location"):
        value = getattr(result, name)
        assert value and len(value) <= 200 and _no_controls(value)
    assert result.justification and _no_controls(result.justification, STORABLE_CONTROLS)
    assert result.start_date <= result.end_date
    assert Decimal(0) < result.hours <= 1000
    assert all(0 <= cents <= MAX_COST * 100 for cents in result.costs_cents.values())
    assert set(result.topic_codes) <= {"crisis_intervention", "use_of_force"}


@settings(max_examples=300, deadline=None)
@given(form=record_forms, credits=st.dictionaries(st.sampled_from(["use_of_force", "crisis_intervention"]),
                                                  hostile_number, max_size=2))
def test_record_form_validator_answers_with_messages_or_a_clean_form(form, credits):
    today = date(2026, 6, 1)
    result = validate_record_form(form, credits, today)
    if isinstance(result, dict):
        assert_messages(result)
        return
    for name, limit in TEXT_LIMITS.items():
        value = getattr(result, name) or ""
        assert len(value) <= limit and _no_controls(value)
    assert result.completed_on <= today and (result.started_on is None or result.started_on <= result.completed_on)
    assert Decimal(0) < result.hours <= MAX_HOURS
    assert all(Decimal(0) < amount <= result.hours for amount in result.credits.values())


# Small whole numbers often enough that every field is valid in some examples and the clean branch runs.
settings_number = st.one_of(st.integers(min_value=-2, max_value=70).map(str), hostile_number)


VALID_SETTINGS = {"threshold": "500", "reminder_days": "2", "escalation_days": "5", "certificate_reminder_days": "3",
                  "certificate_escalation_days": "7", "timezone": "America/Chicago"}
time_zones = st.one_of(st.sampled_from(["America/Chicago", " Europe/Berlin ", "UTC", "america/chicago", "Mars/Olympus",
                                        "../../etc/passwd", "/etc/localtime", "America/", ""]), hostile_text)


@settings(max_examples=300, deadline=None)
@given(values=st.fixed_dictionaries({}, optional={
    "threshold": hostile_number, "reminder_days": settings_number, "escalation_days": settings_number,
    "certificate_reminder_days": settings_number, "certificate_escalation_days": settings_number,
    "timezone": time_zones,
}).map(lambda changes: {**VALID_SETTINGS, **changes}))
def test_agency_settings_validator_answers_with_messages_or_values_in_range(values):
    result = check_agency_settings(values)
    if result.errors:
        assert_messages(result.errors)
        assert result.values == {}  # nothing is stored half-way
        return
    cleaned = result.values
    assert 0 <= int(cleaned["approval_cost_threshold_cents"]) <= 100_000_000
    assert 1 <= int(cleaned["approval_reminder_business_days"]) <= 60
    assert 1 <= int(cleaned["approval_escalation_business_days"]) <= 60
    reminder = int(cleaned["certificate_reminder_business_days"])
    escalation = int(cleaned["certificate_escalation_business_days"])
    assert 1 <= reminder <= 30 and 2 <= escalation <= 60 and reminder < escalation
    # A workflow can use the zone: it is an IANA name the time-zone database loads.
    assert cleaned["timezone"] == values["timezone"].strip() and ZoneInfo(str(cleaned["timezone"]))


@settings(max_examples=300, deadline=None)
@given(password=st.one_of(hostile_text, st.text(min_size=MIN_LENGTH, max_size=MAX_LENGTH + 5)),
       username=st.one_of(st.just("officer1"), hostile_text))
def test_password_policy_answers_with_a_reason_or_accepts_only_what_the_policy_allows(password, username):
    problem = password_problem(password, username)
    if problem is not None:
        assert isinstance(problem, str) and 0 < len(problem) < 200
        return
    assert MIN_LENGTH <= len(password) <= MAX_LENGTH and password.isprintable()


# --- Through HTTP ----------------------------------------------------------------------------------

http_forms = st.fixed_dictionaries({
    "title": hostile_text, "provider": st.sampled_from(NASTY), "location": st.sampled_from(["St. Paul", *NASTY]),
    "justification": hostile_text, "start_date": hostile_date, "end_date": hostile_date,
    "hours": st.sampled_from(["40", *NUMBERS]), "cost_tuition": st.sampled_from(["200", *NUMBERS]),
})


async def _counts(session_factory) -> tuple[int, int]:
    async with session_factory() as session:
        requests = await session.scalar(select(func.count(TrainingRequest.id)))
        outbox = await session.scalar(select(func.count(OutboxMessage.id)))
        return requests or 0, outbox or 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=http_forms)
async def test_request_form_over_http_answers_200_with_errors_or_303_and_escapes_what_it_echoes(
    browsers, demo_org, session_factory, changes
):
    browser = await browsers("officer1")
    before = await _counts(session_factory)
    response = await browser.post("/requests", {**FORM, **changes})
    after = await _counts(session_factory)

    # NUL is refused for the whole request (400) before any handler runs: see portal/security.py.
    has_nul = any("\x00" in value for value in changes.values())
    assert response.status_code in ({400} if has_nul else {200, 303}), response.status_code
    if response.status_code == 303:
        assert after == (before[0] + 1, before[1] + 1)  # the request and its outbox row, together
        detail = await browser.get(response.headers["location"])
        assert detail.status_code == 200
        body = detail.text
    else:
        assert after == before  # nothing stored half-way
        assert has_nul or "error" in response.text
        body = response.text
    assert "<script>alert(1)</script>" not in body and "<img src=x" not in body
    assert "Traceback" not in body


async def test_record_form_over_http_refuses_huge_numbers_and_nul_without_storing(
    browsers, demo_org, session_factory
):
    coordinator = await browsers("coord1")
    form = {**VALID_RECORD, "credit_use_of_force": ""}
    for changes in ({"hours": "1e30"}, {"credit_use_of_force": "9" * 5000}, {"course_title": "a\x00b"},
                    {"provider": "<script>alert(1)</script>" * 20}, {"started_on": "2024-06-01"}):
        response = await coordinator.post(f"/officers/{demo_org.officer1}/records/new", {**form, **changes})
        expected = 400 if any("\x00" in value for value in changes.values()) else 200
        assert response.status_code == expected, (changes, response.status_code)
        assert "<script>alert(1)</script>" not in response.text
    async with session_factory() as session:
        assert await session.scalar(select(func.count(TrainingRecord.id))) == 0


async def test_agency_settings_over_http_refuse_a_number_with_thousands_of_digits(browsers, demo_org):
    admin = await browsers("admin1")
    response = await admin.post("/admin/settings", {"threshold": "500", "reminder_days": "1" * 5000,
                                                    "escalation_days": "5"})
    assert response.status_code == 200 and "business days" in response.text


async def test_nul_in_any_free_text_field_is_refused_cleanly(browsers, demo_org):
    """PostgreSQL cannot store NUL: it must be refused at the door, not fail deep in a query or an activity."""
    officer = await browsers("officer1")
    coordinator = await browsers("coord1")
    for browser, method, url, data in (
        (officer, "POST", "/login", {"username": "officer1\x00", "password": "x"}),
        (officer, "POST", "/login/forgot", {"username": "a\x00"}),
        (coordinator, "GET", "/officers?q=a%00b", None),
        (coordinator, "GET", "/audit?actor=a%00b", None),
        (coordinator, "GET", "/audit?before=" + "9" * 30, None),
        (coordinator, "GET", "/audit?before=" + "9" * 5000, None),
        (coordinator, "POST", "/escalations/cases/1/resolve", {"note": "done\x00"}),
    ):
        response = await (browser.get(url) if method == "GET" else browser.post(url, data))
        assert response.status_code < 500, (url, response.status_code)
        assert "Traceback" not in response.text


@pytest.mark.parametrize("path", ["/requests/99999999999999999999", "/officers/99999999999999999999/dashboard",
                                  "/records/99999999999999999999/edit"])
async def test_ids_out_of_range_are_not_found_not_a_server_error(browsers, demo_org, path):
    browser = await browsers("coord1")
    response = await browser.get(path)
    assert response.status_code in {400, 404}, response.status_code

"""Validation of coordinators' record entry, and text that the PDF core fonts can draw."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.training_records import RecordForm, parse_history_filters, validate_record_form
from services.transcripts import latin1

TODAY = date(2026, 11, 28)
VALID = {"course_title": "CIT", "provider": "NAMI Minnesota", "course_number": "", "started_on": "2026-11-24",
         "completed_on": "2026-11-28", "hours": "40"}


def test_valid_form_keeps_only_positive_credits():
    form = validate_record_form(VALID, {"crisis_intervention": "6", "autism": "", "implicit_bias": "0"}, TODAY)
    assert form == RecordForm("CIT", "NAMI Minnesota", None, date(2026, 11, 24), TODAY, Decimal(40),
                              {"crisis_intervention": Decimal(6)})


def test_dates_cannot_be_in_the_future_or_out_of_order():
    errors = validate_record_form({**VALID, "completed_on": "2026-11-29"}, {}, TODAY)
    assert errors == {"completed_on": "The completion date cannot be in the future."}
    errors = validate_record_form({**VALID, "started_on": "2026-11-28", "completed_on": "2026-11-27"}, {}, TODAY)
    assert errors == {"completed_on": "The completion date cannot be before the start date."}
    assert "completed_on" in validate_record_form({**VALID, "completed_on": ""}, {}, TODAY)


def test_hours_must_be_above_zero_and_at_most_200():
    for hours in ("0", "-1", "200.01", "abc", "NaN", "Infinity", "1.234"):
        assert "hours" in validate_record_form({**VALID, "hours": hours}, {}, TODAY), hours
    assert isinstance(validate_record_form({**VALID, "hours": "200"}, {}, TODAY), RecordForm)


def test_topic_credits_cannot_be_negative_or_exceed_the_hours():
    assert validate_record_form(VALID, {"autism": "-1"}, TODAY) == {"credit_autism": "Credits cannot be negative."}
    errors = validate_record_form({**VALID, "hours": "4"}, {"autism": "3", "crisis_intervention": "1.5"}, TODAY)
    assert errors == {"credits": "The topic credits add up to more than the hours of the course."}


def test_history_filters_drop_bad_values_with_a_message():
    filters, page, _, errors = parse_history_filters(
        {"from": "2026-02-30", "to": "2026-01-01", "topic": "autism", "source": "seed", "page": "x"}, {"autism"}
    )
    assert filters.date_from is None and filters.date_to == date(2026, 1, 1)
    assert filters.topic == "autism" and filters.source == "seed" and page == 1
    assert set(errors) == {"from", "page"}
    filters, _, _, errors = parse_history_filters({"from": "2026-02-01", "to": "2026-01-01"}, ())
    assert filters.date_to is None and "to" in errors


def test_latin1_keeps_accents_and_replaces_the_rest():
    assert latin1("José “Pepe” Nguyễn – 😀") == 'José "Pepe" Nguyen - ?'
    latin1("Ωμέγα ✓").encode("latin-1")  # never raises

"""Prefilling the certificate form from a PDF's text: right facts from real PDFs, never an error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from storage.prefill import CertificateFacts, facts_from_text, prefill_from_pdf
from tests.storage.files import encrypted_pdf, jpeg, pdf_with_text


def test_facts_are_read_from_a_typical_post_certificate() -> None:
    pdf = pdf_with_text([
        "Certificate of Completion",
        "This certifies that",
        "Officer Jane Doe",
        "has successfully completed",
        "Crisis Intervention Team (CIT) Training",
        "on March 14, 2026",
        "8 hours of continuing education credit",
        "POST Course Number: 1234-5678",
        "Provider: Hennepin Technical College",
    ])

    assert prefill_from_pdf(pdf) == CertificateFacts(
        hours=Decimal("8"),
        hours_unit="hours",
        completed_on=date(2026, 3, 14),
        course_number="1234-5678",
        course_title="Crisis Intervention Team (CIT) Training",
        provider="Hennepin Technical College",
    )


def test_labelled_facts_on_one_line_are_read() -> None:
    pdf = pdf_with_text(["Course #12345    Credits: 4", "Date of completion: 03/14/2026", "Course Title: Use of Force"])
    facts = prefill_from_pdf(pdf)
    assert (facts.course_number, facts.hours, facts.hours_unit) == ("12345", Decimal("4"), "credits")
    assert facts.completed_on == date(2026, 3, 14)
    assert facts.course_title == "Use of Force"


@pytest.mark.parametrize(
    ("text", "hours", "unit"),
    [
        ("8.0 credit hours", Decimal("8.0"), "hours"),
        ("Credits: 4", Decimal("4"), "credits"),
        ("2.5 CEUs awarded", Decimal("2.5"), "CEUs"),
        ("Total Hours: 16", Decimal("16"), "hours"),
        ("Hours awarded 3.5", Decimal("3.5"), "hours"),
        ("valid for 2026 hours", None, None),  # beyond any plausible course length
    ],
)
def test_hours_and_credits(text: str, hours: Decimal | None, unit: str | None) -> None:
    facts = facts_from_text(text)
    assert (facts.hours, facts.hours_unit) == (hours, unit)


@pytest.mark.parametrize(
    "text",
    ["Completed 03/14/2026", "Completed 2026-03-14", "Completed March 14, 2026", "Completed 14 March 2026",
     "Completed Mar. 14th, 2026", "Given this 14th day of March, 2026", "Completed 14/03/2026", "Completed 3/14/26"],
)
def test_completion_date_formats(text: str) -> None:
    assert facts_from_text(text).completed_on == date(2026, 3, 14)


def test_the_completion_date_wins_over_other_dates() -> None:
    text = "Printed 01/02/2027\nCourse held at HQ\nDate of completion: 2026-03-14"
    assert facts_from_text(text).completed_on == date(2026, 3, 14)


@pytest.mark.parametrize(
    ("text", "number"),
    [("Course #12345", "12345"), ("POST Course Number: 1234-5678", "1234-5678"), ("Course No. ABC123", "ABC123"),
     ("course no. abc123", "ABC123"), ("Course No. TBD", None)],
)
def test_course_numbers(text: str, number: str | None) -> None:
    assert facts_from_text(text).course_number == number


def test_title_on_the_same_line_drops_the_date_after_it() -> None:
    assert facts_from_text("for completing Use of Force Update on 14 March 2026").course_title == "Use of Force Update"


@pytest.mark.parametrize(
    "data",
    [b"", b"not a pdf", b"%PDF-1.4\ngarbage\n%%EOF", pdf_with_text([])[:200], encrypted_pdf(), jpeg(),
     pdf_with_text(["\x00\x01\x02 \\ ( ) odd bytes"]), b"%PDF-" + bytes(range(256)) * 40],
)
def test_odd_or_hostile_pdfs_give_empty_facts_and_never_raise(data: bytes) -> None:
    facts = prefill_from_pdf(data)
    assert facts.course_number is None and facts.hours is None


def test_a_pdf_without_recognisable_text_gives_empty_facts() -> None:
    assert prefill_from_pdf(pdf_with_text(["Thank you"])) == CertificateFacts()


@pytest.mark.parametrize(("text", "title"), [
    ("has completed the course\nCourse: Crisis Intervention Team Training\nHours: 8",
     "Crisis Intervention Team Training"),
    ("This certifies that J. Smith has successfully completed Course: Crisis Intervention on March 4, 2026",
     "Crisis Intervention"),
    ("Course: Crisis Intervention (POST # 12345) 8 hours", "Crisis Intervention"),
    ("Course Title: Use of Force Course number: MN-1234", "Use of Force"),
])
def test_the_title_never_keeps_its_label_or_the_course_number(text: str, title: str) -> None:
    assert facts_from_text(text).course_title == title

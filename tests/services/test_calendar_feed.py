"""iCalendar text rules (RFC 5545): escaping of TEXT values and folding at 75 octets."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.calendar_feed import CalendarEvent, escape_text, fold, render_calendar


def test_text_values_escape_backslash_semicolon_comma_and_newlines() -> None:
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert escape_text("bell\x07 tab\tkept") == "bell tab\tkept"


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "Überprüfung der Einsatzkräfte – crisis intervention, 6 credits. " * 5

    folded = fold(line)

    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line
    assert fold("SHORT:line") == "SHORT:line"


def test_calendar_has_crlf_lines_and_all_day_events() -> None:
    event = CalendarEvent(uid="abc@muster", day=date(2027, 7, 31), summary="Training due: 6 more credits, soon",
                          description="Line one\nLine two")

    text = render_calendar([event], datetime(2026, 11, 28, 13, 30, tzinfo=UTC))

    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert "DTSTART;VALUE=DATE:20270731" in lines and "DTEND;VALUE=DATE:20270801" in lines
    assert "DTSTAMP:20261128T133000Z" in lines
    assert "SUMMARY:Training due: 6 more credits\\, soon" in lines
    assert "DESCRIPTION:Line one\\nLine two" in lines

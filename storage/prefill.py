"""Best-effort reading of a certificate PDF's text, to prefill the form the officer then confirms.

Nothing here is trusted: every fact is a suggestion, any may be missing, and an odd PDF gives empty
facts rather than an error. Scanned certificates (images only) have no text and give empty facts.
A PDF too large or complex to read within bounded work (storage.pdf_reading) raises `TooComplexToRead`,
whose message tells the officer to fill the details in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from storage.pdf_reading import read_text

log = logging.getLogger(__name__)

HoursUnit = Literal["hours", "credits", "CEUs"]
_MAX_PAGES = 3
_MAX_TEXT = 20_000
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}


class TooComplexToRead(Exception):
    message = "This PDF is too large or complex for us to read its details. Please fill them in yourself."


@dataclass(frozen=True)
class CertificateFacts:
    hours: Decimal | None = None
    hours_unit: HoursUnit | None = None  # as printed; 1 CEU is usually 10 contact hours, so the officer confirms
    completed_on: date | None = None
    course_number: str | None = None
    course_title: str | None = None
    provider: str | None = None


def prefill_from_pdf(data: bytes) -> CertificateFacts:
    """The facts of the first pages' text; empty for a damaged or encrypted PDF. Blocks for the
    child process that reads the PDF: call it off the event loop."""
    read = read_text(data, _MAX_PAGES)
    if read == "pdf_too_complex":
        raise TooComplexToRead(TooComplexToRead.message)
    if isinstance(read, str):  # damaged or encrypted: nothing to prefill
        log.debug("no text could be read from an uploaded PDF: %s", read)
        return CertificateFacts()
    return facts_from_text(read.text)


def facts_from_text(text: str) -> CertificateFacts:
    lines = [" ".join(line.split()) for line in text[:_MAX_TEXT].splitlines()]
    lines = [line for line in lines if line]
    hours, unit = _hours(lines)
    return CertificateFacts(
        hours=hours,
        hours_unit=unit,
        completed_on=_completion_date(lines),
        course_number=_course_number(lines),
        course_title=_course_title(lines),
        provider=_provider(lines),
    )


# Hours --------------------------------------------------------------------------------------------

_NUMBER = r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)"
_UNIT_AFTER = re.compile(
    _NUMBER + r"\s*(?:\(\w+\)\s*)?(?:(?:post|contact|credit|training|clock|ce|cle)\s+)*"
    r"(hours?|hrs?\b|credits?|ceus?)\b",
    re.IGNORECASE,
)
_LABEL_BEFORE = re.compile(
    r"\b(?:(?:total|contact|credit|training|post|ce)\s+)*(hours|hrs|credits?|ceus?)\s*(?:awarded|earned)?\s*[:#-]?\s*"
    + _NUMBER + r"\b",
    re.IGNORECASE,
)


def _hours(lines: list[str]) -> tuple[Decimal | None, HoursUnit | None]:
    for line in lines:
        for number, word in _hours_candidates(line):
            try:
                value = Decimal(number)
            except InvalidOperation:
                continue
            if Decimal(0) < value <= Decimal(200):
                return value, _unit(word)
    return None, None


def _hours_candidates(line: str) -> list[tuple[str, str]]:
    """(number, unit word) pairs in the order they appear: "8 hours" and "Credits: 4" alike."""
    found = [(m.start(), m.group(1), m.group(2)) for m in _UNIT_AFTER.finditer(line)]
    found += [(m.start(), m.group(2), m.group(1)) for m in _LABEL_BEFORE.finditer(line)]
    return [(number, word) for _, number, word in sorted(found)]


def _unit(word: str) -> HoursUnit:
    word = word.lower()
    if word.startswith("ceu"):
        return "CEUs"
    if word.startswith("credit"):
        return "credits"
    return "hours"


# Dates --------------------------------------------------------------------------------------------

_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b"), "mdy_numeric"),
    (re.compile(r"\b" + _MONTH_NAME + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.IGNORECASE), "month_day_year"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?" + _MONTH_NAME + r",?\s+(\d{4})\b", re.IGNORECASE),
     "day_month_year"),
]
_COMPLETION_WORDS = re.compile(r"complet|date|awarded|issued|conferred|given this|on this", re.IGNORECASE)


def _completion_date(lines: list[str]) -> date | None:
    first_found: date | None = None
    for index, line in enumerate(lines):
        found = _dates_in(line)
        if not found:
            continue
        first_found = first_found or found[0]
        previous = lines[index - 1] if index else ""
        if _COMPLETION_WORDS.search(line) or (_COMPLETION_WORDS.search(previous) and not _dates_in(previous)):
            return found[0]
    return first_found


def _dates_in(line: str) -> list[date]:
    found: list[tuple[int, date]] = []
    for pattern, shape in _DATE_PATTERNS:
        for match in pattern.finditer(line):
            parsed = _to_date(match.groups(), shape)
            if parsed:
                found.append((match.start(), parsed))
    return [parsed for _, parsed in sorted(found, key=lambda item: item[0])]


def _to_date(groups: tuple[str, ...], shape: str) -> date | None:
    try:
        if shape == "ymd":
            year, month, day = (int(part) for part in groups)
        elif shape == "mdy_numeric":
            month, day, year = (int(part) for part in groups)
            if month > 12:  # 14/03/2026 can only be day first
                month, day = day, month
            year += 2000 if year < 100 else 0
        elif shape == "month_day_year":
            month, day, year = _MONTHS[groups[0].lower()], int(groups[1]), int(groups[2])
        else:
            day, month, year = int(groups[0]), _MONTHS[groups[1].lower()], int(groups[2])
        if not 1990 <= year <= 2100:
            return None
        return date(year, month, day)
    except (ValueError, KeyError):
        return None


# Course number, title, provider -----------------------------------------------------------------------

_COURSE_NUMBER = re.compile(
    r"\b(?:post\s+)?course\s*(?:number|num\.?|no\.?|#|id|code)\s*[:#.]?\s*#?\s*([a-z0-9][a-z0-9-]{1,24})"
    r"|\bpost\s*(?:number|no\.?|#|id)\s*[:#.]?\s*#?\s*([a-z0-9][a-z0-9-]{1,24})",
    re.IGNORECASE,
)
_TITLE_AFTER = re.compile(
    r"\b(?:has\s+(?:successfully\s+)?completed(?:\s+the(?:\s+course)?)?|for\s+(?:successfully\s+)?completing(?:\s+the)?"
    r"|for\s+(?:the\s+)?successful\s+completion\s+of(?:\s+the)?|in\s+recognition\s+of\s+completing(?:\s+the)?)"
    r"\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_TITLE_LABEL = re.compile(r"^\s*(?:course\s+title|course\s+name|course|title)\s*:\s*(.+)$", re.IGNORECASE)
# A title read from the line after "has completed the course" may still carry its own label.
_LEADING_LABEL = re.compile(r"^\s*(?:course\s+title|course\s+name|course|title)\s*:\s*", re.IGNORECASE)
_PROVIDER_LABEL = re.compile(
    r"^\s*(?:training\s+provider|provider|sponsor(?:ing\s+agency)?|presented\s+by|sponsored\s+by|hosted\s+by"
    r"|issued\s+by|offered\s+by)\s*:?\s+(.+)$",
    re.IGNORECASE,
)
_TRAILING_CLUTTER = re.compile(r"\s*(?:,?\s+on\s+.*|,?\s+\(?(?:course\s*#|post\s*#).*)$", re.IGNORECASE)


def _course_number(lines: list[str]) -> str | None:
    for line in lines:
        for match in _COURSE_NUMBER.finditer(line):
            candidate = (match.group(1) or match.group(2)).strip("-").upper()
            if any(char.isdigit() for char in candidate) and len(candidate) >= 3:
                return candidate
    return None


def _course_title(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        labelled = _TITLE_LABEL.match(line)
        if labelled:
            # "Course: Crisis Intervention (POST # 12345)": the title is what comes before the number.
            number = _COURSE_NUMBER.search(labelled.group(1))
            title = _clean_title(labelled.group(1)[:number.start()] if number else labelled.group(1))
            if title:
                return title
        after = _TITLE_AFTER.search(line)
        if after:
            rest = _clean_title(after.group(1))
            if rest:
                return rest
            if index + 1 < len(lines):
                return _clean_title(lines[index + 1])
    return None


def _clean_title(raw: str) -> str | None:
    title = _TRAILING_CLUTTER.sub("", _LEADING_LABEL.sub("", raw)).strip(" \"'“”‘’.,:;()")
    return title[:200] or None


def _provider(lines: list[str]) -> str | None:
    for line in lines:
        match = _PROVIDER_LABEL.match(line)
        if match:
            return match.group(1).strip(" .,:;")[:200] or None
    return None

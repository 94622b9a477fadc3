"""Reading exports back as a person's spreadsheet or PDF reader would, and what the hand-counted agency
(tests/services/agency_support.py) should show in them."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from pypdf import PdfReader

from services.compliance_report_rows import APPENDIX_HEADINGS

# Every tracked officer of the agency, by unit name then name, with the state they are counted under.
AGENCY_OFFICERS = [
    ("Chief", "Carla", "Department", "Compliant"),
    ("Lieutenant", "Lena", "Patrol A", "On track"),
    ("Officer", "Olly", "Patrol A", "Overdue"),
    ("Sergeant", "Sam", "Patrol A", "At risk"),
    ("Other", "Omar", "Patrol B", "On track"),
    ("Second", "Sue", "Patrol B", "Compliant"),
    ("Tarmac", "Ted", "Traffic", "On leave"),
    ("Traffic", "Tina", "Traffic", "Overdue"),
    ("Turner", "Tom", "Traffic", "Compliant"),
]
# Patrol A with Traffic below it.
PATROL_A_OFFICERS = [officer for officer in AGENCY_OFFICERS if officer[2] in ("Patrol A", "Traffic")]
# Compliant, on track, at risk, overdue, on leave, total, % compliant (3 of the 8 not on leave).
AGENCY_COUNTS = ["3", "2", "1", "2", "1", "9", "37"]


def csv_rows(text: str) -> list[dict[str, str]]:
    """The per-officer CSV as one dict per officer, keyed by its headings."""
    reader = csv.reader(io.StringIO(text))
    assert tuple(next(reader)) == APPENDIX_HEADINGS
    return [dict(zip(APPENDIX_HEADINGS, row, strict=True)) for row in reader]


def csv_blocks(text: str) -> dict[str, list[list[str]]]:
    """The summary CSV's blocks (split at blank lines), keyed by each block's first cell."""
    blocks: dict[str, list[list[str]]] = {}
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        rows = list(csv.reader(io.StringIO(chunk)))
        if rows:
            blocks[rows[0][0]] = rows
    return blocks


def officers_of(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(row["Last name"], row["First name"], row["Unit"], row["State"]) for row in rows]


def workbook(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

"""Reading a roster CSV file (a state board's or HR's export): which column is which, what each row says.

Pure (no database), so it runs off the event loop in a thread. Decoding, delimiter sniffing, header
folding and dates are the training-record import's (services.record_import_csv), so both imports accept
the same files. Matching people, units, ranks and supervisors is the staging step's job
(services.roster_import).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from services.form_text import control_character_problem
from services.record_import_csv import (
    CELL_LIMIT,
    LINE_LIMIT,
    FileRefusal,
    decode,
    header_key,
    parse_csv_date,
    sniff_delimiter,
)
from services.roster_people import FULL_TIME, PART_TIME

MAX_ROSTER_ROWS = 20_000  # a large state agency's roster fits; anything longer is not one agency's roster

# Header names accepted for each column, compared lower-case with punctuation folded to spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    "last_name": ("last name", "surname", "family name", "lastname"),
    "first_name": ("first name", "given name", "firstname"),
    "badge_number": ("badge number", "badge", "badge no", "badge id"),
    "license_number": ("license number", "licence number", "license", "licence", "license no", "licence no",
                       "post license number", "post licence number", "peace officer license number"),
    "license_date": ("license date", "licence date", "licensed on", "date licensed", "license issued",
                     "licence issued", "license issue date", "licence issue date"),
    "rank": ("rank", "grade"),
    "unit": ("unit", "unit name", "unit path", "division", "assignment"),
    "supervisor_badge": ("supervisor badge number", "supervisor badge", "supervisor badge no", "supervisor"),
    "email": ("email", "email address", "e mail", "work email"),
    "employment_type": ("employment type", "employment", "full time part time", "ft pt"),
    "hired_on": ("hire date", "hired on", "date hired", "date of hire", "start date"),
}
LABELS = {
    "last_name": "Last name", "first_name": "First name", "badge_number": "Badge number",
    "license_number": "Licence number", "license_date": "Licence date", "rank": "Rank", "unit": "Unit",
    "supervisor_badge": "Supervisor badge number", "email": "Email", "employment_type": "Employment type",
    "hired_on": "Hire date",
}
TEMPLATE_HEADER = list(LABELS)
REQUIRED = ("last_name", "first_name", "badge_number", "rank", "unit", "email", "employment_type", "hired_on")
DATES = ("license_date", "hired_on")

_HEADER_KEYS = {alias: name for name, aliases in ALIASES.items() for alias in (name.replace("_", " "), *aliases)}
_EMPLOYMENT = {"full time": FULL_TIME, "fulltime": FULL_TIME, "ft": FULL_TIME, "f": FULL_TIME,
               "part time": PART_TIME, "parttime": PART_TIME, "pt": PART_TIME, "p": PART_TIME}


@dataclass
class RosterCsvRow:
    """One person's line: the cells by column name, the values the cells alone give, and what is wrong."""

    row_number: int  # the line in the file where the person starts
    raw: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)  # dates as YYYY-MM-DD, employment type as a code
    errors: list[str] = field(default_factory=list)

    def cell(self, name: str) -> str:
        return self.raw.get(name, "").strip()


@dataclass(frozen=True)
class RosterCsvFile:
    rows: list[RosterCsvRow]
    ignored_columns: list[str]


def map_columns(header: list[str]) -> tuple[dict[str, int], list[str]] | FileRefusal:
    """Where each known column is, and the names of the columns ignored; or why the header is unusable."""
    index: dict[str, int] = {}
    ignored: list[str] = []
    for position, name in enumerate(header):
        key = _HEADER_KEYS.get(header_key(name))
        if key is None:
            if name.strip():
                ignored.append(name.strip()[:60])
            continue
        if key in index:
            return FileRefusal(f"Two columns mean the same thing ({name.strip()[:60]}). Remove one and upload again.")
        index[key] = position
    missing = [LABELS[name] for name in REQUIRED if name not in index]
    if missing:
        return FileRefusal(f"The first line must name the columns; missing: {', '.join(missing)}. "
                           "Download the template to see the column names.")
    return index, ignored


def read_roster(data: bytes, max_rows: int = MAX_ROSTER_ROWS) -> RosterCsvFile | FileRefusal:
    """Every person line of the file with its own checks done; or why the file cannot be read at all."""
    text = decode(data)
    if isinstance(text, FileRefusal):
        return text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    try:
        mapped = map_columns(next(reader, []))
        if isinstance(mapped, FileRefusal):
            return mapped
        columns, ignored = mapped
        rows: list[RosterCsvRow] = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == max_rows:
                    return FileRefusal(f"The file has more than {max_rows:,} people. Split it into smaller files.")
                if max(map(len, cells)) > LINE_LIMIT:
                    return FileRefusal(f"Line {start} has a cell far too long to be part of a roster.")
                rows.append(check_row(start, cells, columns))
            start = reader.line_num + 1
    except csv.Error as error:
        return FileRefusal(f"Line {reader.line_num} cannot be read as CSV ({error}). Check its quotes.")
    if not rows:
        return FileRefusal("The file has a header line but no people.")
    return RosterCsvFile(rows, ignored)


def employment_code(raw: str) -> str | None:
    """full_time or part_time from how exports write it (Full-time, FT, part time, PT)."""
    return _EMPLOYMENT.get(header_key(raw))


def check_row(row_number: int, cells: list[str], columns: dict[str, int]) -> RosterCsvRow:
    """What a line says, with the problems its cells alone show (dates, employment type, control characters)."""
    named = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
    row = RosterCsvRow(row_number, {name: value[:CELL_LIMIT] for name, value in named.items()})
    for name, value in named.items():
        if problem := control_character_problem(value):
            row.errors.append(f"{LABELS[name]}: {problem}")
        row.values[name] = value.strip()
    for name in DATES:
        raw = row.values.get(name, "")
        parsed = parse_csv_date(raw)
        if raw and parsed is None:
            row.errors.append(f"{LABELS[name]}: write the date as YYYY-MM-DD or MM/DD/YYYY (not “{raw[:20]}”).")
        row.values[name] = parsed.isoformat() if parsed else ""
    employment = employment_code(row.values.get("employment_type", ""))
    if employment is None:
        shown = row.values.get("employment_type", "")[:20]
        row.errors.append(f"Employment type: write full-time or part-time (not “{shown}”)." if shown
                          else "Employment type: write full-time or part-time.")
    row.values["employment_type"] = employment or ""
    return row

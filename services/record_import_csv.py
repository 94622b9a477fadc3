"""Reading a CSV file of training records: is it text, which column is which, what each row says.

Pure (no database), so it runs off the event loop in a thread. Looking officers up and finding
duplicates is the staging step's job (services.record_import), done for a chunk of rows at a time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from services.form_text import control_character_problem, parse_date
from services.training_records import RecordForm, validate_record_form

MAX_IMPORT_ROWS = 50_000
CELL_LIMIT = 300  # characters of a cell kept for the preview; longer values fail their own length check first
LINE_LIMIT = 64 * 1024  # a cell longer than this is not a training record

IDENTIFIERS = ("license_number", "badge_number")
REQUIRED = ("course_title", "provider", "completed_on", "hours")
# Header names accepted for each column, compared lower-case with punctuation folded to spaces.
ALIASES: dict[str, tuple[str, ...]] = {
    "badge_number": ("badge number", "badge", "badge no", "badge id"),
    "license_number": ("license number", "licence number", "license", "licence", "license no", "licence no",
                       "post license number", "post licence number", "peace officer license number"),
    "course_title": ("course title", "course", "course name", "title", "class title", "training title"),
    "provider": ("provider", "training provider", "course provider", "sponsor", "presenter"),
    "course_number": ("course number", "course no", "course id", "course code", "post course number"),
    "started_on": ("started on", "start date", "started", "date started", "course start date"),
    "completed_on": ("completed on", "completion date", "completed", "date completed", "end date",
                     "course end date", "date of completion"),
    "hours": ("hours", "credit hours", "training hours", "total hours", "contact hours", "ce hours"),
    "topics": ("topics", "topic credits"),
}
LABELS = {
    "badge_number": "Badge number", "license_number": "Licence number", "course_title": "Course title",
    "provider": "Provider", "course_number": "Course number", "started_on": "Start date",
    "completed_on": "Completion date", "hours": "Hours", "topics": "Topics", "credits": "Credits",
}
TEMPLATE_HEADER = ["license_number", "badge_number", "course_title", "provider", "course_number", "started_on",
                   "completed_on", "hours", "topics"]

_HEADER_KEYS = {alias: name for name, aliases in ALIASES.items() for alias in (name.replace("_", " "), *aliases)}
_CREDIT_HEADER = re.compile(r"\s*credits?\s*:\s*(.+)", re.IGNORECASE)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TOPIC_PAIR = re.compile(r"\s*([A-Za-z0-9_\- ]+?)\s*=\s*([^=]*?)\s*")
# Files that are certainly not text: asked for CSV, people send the workbook or the printout.
_BINARY = (
    (b"%PDF-", "This is a PDF. Export the records as a CSV file and upload that."),
    (b"PK\x03\x04", "This is a ZIP archive or an Excel workbook. In Excel choose Save As, CSV UTF-8, and upload that."),
    (b"\xd0\xcf\x11\xe0", "This is an Excel 97-2003 workbook. In Excel choose Save As, CSV UTF-8, and upload that."),
    (b"\xff\xfe", "This file is UTF-16 text. Save it as CSV UTF-8 and upload that."),
    (b"\xfe\xff", "This file is UTF-16 text. Save it as CSV UTF-8 and upload that."),
)
NOT_TEXT = "This is not a CSV text file. Export the records as CSV (UTF-8) and upload that."


@dataclass(frozen=True)
class FileRefusal:
    """Why the whole file cannot be read, in one sentence that says what to do."""

    message: str


@dataclass(frozen=True)
class Columns:
    """Where each known column is in the file; other columns are ignored."""

    index: dict[str, int]
    credits: dict[str, int]  # topic code -> column
    ignored: list[str]


@dataclass
class CsvRow:
    """One record line: its cells by column name, and what the cells alone show to be wrong."""

    row_number: int  # the line in the file where the record starts
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    form: RecordForm | None = None  # set exactly when the cells alone show nothing wrong

    @property
    def badge_number(self) -> str:
        return self.raw.get("badge_number", "").strip()

    @property
    def license_number(self) -> str:
        return self.raw.get("license_number", "").strip()


@dataclass(frozen=True)
class CsvFile:
    rows: list[CsvRow]
    ignored_columns: list[str]


def decode(data: bytes) -> str | FileRefusal:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252 (Excel's "CSV")."""
    if not data.strip():
        return FileRefusal("The file is empty. Choose the CSV file again.")
    for signature, message in _BINARY:
        if data.startswith(signature):
            return FileRefusal(message)
    if b"\x00" in data:
        return FileRefusal(NOT_TEXT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # five bytes have no cp1252 character: binary after all
        return FileRefusal(NOT_TEXT)


def header_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def topic_key(code: str) -> str:
    return "_".join(re.sub(r"[^a-z0-9]+", " ", code.lower()).split())


def map_columns(header: list[str]) -> Columns | FileRefusal:
    index: dict[str, int] = {}
    credits: dict[str, int] = {}
    ignored: list[str] = []
    for position, name in enumerate(header):
        credit = _CREDIT_HEADER.fullmatch(name)
        key = f"credit:{topic_key(credit.group(1))}" if credit else _HEADER_KEYS.get(header_key(name))
        if key is None:
            if name.strip():
                ignored.append(name.strip()[:60])
            continue
        if key in index or key.removeprefix("credit:") in credits:
            return FileRefusal(f"Two columns mean the same thing ({name.strip()[:60]}). Remove one and upload again.")
        if credit:
            credits[key.removeprefix("credit:")] = position
        else:
            index[key] = position
    missing = [LABELS[name] for name in REQUIRED if name not in index]
    if not any(name in index for name in IDENTIFIERS):
        missing.insert(0, "Licence number or Badge number")
    if missing:
        return FileRefusal(f"The first line must name the columns; missing: {', '.join(missing)}. "
                           "Download the template to see the column names.")
    return Columns(index, credits, ignored)


def sniff_delimiter(first_line: str) -> str:
    """Comma, unless the header line clearly uses semicolons or tabs (European Excel, tab exports)."""
    return max((",", ";", "\t"), key=lambda candidate: (first_line.count(candidate), candidate == ","))


def read_rows(data: bytes, today: date, topic_codes: set[str], max_rows: int = MAX_IMPORT_ROWS
              ) -> CsvFile | FileRefusal:
    """Every record line of the file with its own checks done; or why the file cannot be read at all."""
    text = decode(data)
    if isinstance(text, FileRefusal):
        return text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    try:
        header = next(reader, None)
        columns = map_columns(header or [])
        if isinstance(columns, FileRefusal):
            return columns
        rows: list[CsvRow] = []
        start = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(rows) == max_rows:
                    return FileRefusal(f"The file has more than {max_rows:,} records. Split it into smaller files.")
                if max(map(len, cells)) > LINE_LIMIT:
                    return FileRefusal(f"Line {start} has a cell far too long to be a training record.")
                rows.append(check_row(start, cells, columns, today, topic_codes))
            start = reader.line_num + 1
    except csv.Error as error:
        return FileRefusal(f"Line {reader.line_num} cannot be read as CSV ({error}). Check its quotes.")
    if not rows:
        return FileRefusal("The file has a header line but no records.")
    return CsvFile(rows, columns.ignored)


def parse_csv_date(raw: str) -> date | None:
    """YYYY-MM-DD, or MM/DD/YYYY as US exports write it."""
    if match := _US_DATE.fullmatch(raw.strip()):
        month, day, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return parse_date(raw)


def _topics_cell(raw: str, errors: list[str]) -> dict[str, str]:
    credits: dict[str, str] = {}
    for part in filter(None, (piece.strip() for piece in raw.split(";"))):
        match = _TOPIC_PAIR.fullmatch(part)
        if match is None:
            errors.append("Topics: write each topic as CODE=credits, separated by semicolons (autism=2;firearms=4).")
            return {}
        code = topic_key(match.group(1))
        if code in credits:
            errors.append(f"Topics: {code} is given twice.")
        credits[code] = match.group(2)
    return credits


def _credits(cells: dict[str, str], credit_cells: dict[str, str], topic_codes: set[str], errors: list[str]
             ) -> dict[str, str]:
    credits = _topics_cell(cells.get("topics", ""), errors)
    for code, value in credit_cells.items():
        if value.strip() and code in credits:
            errors.append(f"Credits for {code} are given both in a credit column and in Topics.")
        elif value.strip():
            credits[code] = value
    for code in sorted(code for code, value in credits.items() if value.strip() and code not in topic_codes):
        errors.append(f"Unknown topic {code[:40]}: use one of this agency's topic codes, listed on the upload page.")
    return {code: value for code, value in credits.items() if code in topic_codes}


def _message(key: str, text: str) -> str:
    label = f"Credits for {key.removeprefix('credit_')}" if key.startswith("credit_") else LABELS.get(key, key)
    return f"{label}: {text}"


def check_row(row_number: int, cells: list[str], columns: Columns, today: date, topic_codes: set[str]) -> CsvRow:
    """The record one line describes, by the same rules as a coordinator's form (validate_record_form)."""
    named = {name: cells[i] if i < len(cells) else "" for name, i in columns.index.items()}
    credit_cells = {code: cells[i] if i < len(cells) else "" for code, i in columns.credits.items()}
    row = CsvRow(row_number, {name: value[:CELL_LIMIT] for name, value in named.items()})
    row.raw.update({f"credit:{code}": value[:CELL_LIMIT] for code, value in credit_cells.items() if value.strip()})
    if not row.badge_number and not row.license_number:
        row.errors.append("No licence number or badge number: say whose record it is.")
    for name in IDENTIFIERS:
        if problem := control_character_problem(named.get(name, "")):
            row.errors.append(_message(name, problem))
    if problem := control_character_problem(named.get("topics", "") + "".join(credit_cells.values())):
        row.errors.append(_message("credits", problem))
    credits = _credits(named, credit_cells, topic_codes, row.errors)
    values = {name: named.get(name, "") for name in ("course_title", "provider", "course_number", "hours")}
    date_errors: dict[str, str] = {}
    for name, label in (("started_on", "start date"), ("completed_on", "completion date")):
        raw = named.get(name, "").strip()
        parsed = parse_csv_date(raw)
        if raw and parsed is None:
            date_errors[name] = f"Write the {label} as YYYY-MM-DD or MM/DD/YYYY (not “{raw[:20]}”)."
        values[name] = parsed.isoformat() if parsed else raw
    result = validate_record_form(values, credits, today)
    if isinstance(result, dict):
        row.errors += [_message(key, date_errors.get(key, text)) for key, text in result.items()]
    elif not row.errors:
        row.form = result
    return row

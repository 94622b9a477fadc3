"""Reading a CSV file of training records: encodings, header names, and each row's own checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.record_import_csv import FileRefusal, read_rows

TODAY = date(2026, 6, 1)
TOPICS = {"autism", "firearms", "use_of_force"}
HEADER = "license_number,course_title,provider,completed_on,hours,topics"


def read(text: str | bytes, max_rows: int = 50_000):  # type: ignore[no-untyped-def]
    data = text.encode() if isinstance(text, str) else text
    return read_rows(data, TODAY, TOPICS, max_rows)


def test_common_header_names_are_recognised_whatever_their_case_and_dates_in_us_form():
    result = read("License Number,Course Title,Training Provider,Completion Date,Credit Hours,Course No,Start Date\n"
                  "MN-1,Autism Awareness,Autism Society,01/10/2026,4,A-12,1/9/2026\n")

    assert not isinstance(result, FileRefusal), result
    [row] = result.rows
    assert row.errors == []
    assert row.form is not None
    assert (row.form.course_title, row.form.provider, row.form.course_number) == ("Autism Awareness",
                                                                                   "Autism Society", "A-12")
    assert (row.form.started_on, row.form.completed_on, row.form.hours) == (date(2026, 1, 9), date(2026, 1, 10),
                                                                           Decimal(4))
    assert row.license_number == "MN-1"


def test_a_utf8_byte_order_mark_does_not_hide_the_first_column():
    result = read("\ufeffBadge Number,Course,Provider,Date Completed,Hours\nB100,Firearms,Range,2026-05-01,2\n"
                  .encode("utf-8"))

    assert not isinstance(result, FileRefusal), result
    assert result.rows[0].badge_number == "B100" and result.rows[0].errors == []


def test_windows_1252_text_is_read_when_the_file_is_not_utf8():
    data = f"{HEADER}\nMN-1,Café de-escalation – refresher,Académie,2026-05-01,2,\n".encode("cp1252")

    result = read(data)

    assert not isinstance(result, FileRefusal), result
    assert result.rows[0].form is not None
    assert result.rows[0].form.course_title == "Café de-escalation – refresher"


def test_semicolon_separated_files_are_read_too():
    result = read("license_number;course_title;provider;completed_on;hours\nMN-1;Course;Academy;2026-05-01;4,5\n")

    assert not isinstance(result, FileRefusal), result
    # "4,5" is not a number Muster reads: the row says so rather than guessing 45 or 4.5.
    assert any(error.startswith("Hours:") for error in result.rows[0].errors)


def test_binary_files_are_refused_by_their_content_with_what_to_do():
    pdf = read(b"%PDF-1.7\n%binary")
    workbook = read(b"PK\x03\x04\x14\x00\x06\x00")
    binary = read(b"license_number,course\x00\x01\x02")

    assert isinstance(pdf, FileRefusal) and "PDF" in pdf.message
    assert isinstance(workbook, FileRefusal) and "CSV UTF-8" in workbook.message
    assert isinstance(binary, FileRefusal) and "not a CSV text file" in binary.message


def test_missing_required_columns_are_named():
    result = read("name,course_title,hours\nJo,Course,4\n")

    assert isinstance(result, FileRefusal)
    assert "Licence number or Badge number" in result.message
    assert "Provider" in result.message and "Completion date" in result.message


def test_two_columns_meaning_the_same_thing_are_refused():
    result = read("badge,badge number,course,provider,completed,hours\n")

    assert isinstance(result, FileRefusal) and "mean the same thing" in result.message


def test_more_rows_than_the_cap_is_refused_with_a_clear_message():
    rows = "".join(f"MN-{n},Course,Academy,2026-05-01,1,\n" for n in range(4))

    result = read(f"{HEADER}\n{rows}", max_rows=3)

    assert isinstance(result, FileRefusal) and "more than 3 records" in result.message


def test_line_numbers_are_the_files_own_even_with_blank_lines_and_multi_line_cells():
    result = read(f'{HEADER}\n\nMN-1,"Two\nlines",Academy,2026-05-01,1,\nMN-2,Course,Academy,2026-05-01,1,\n')

    assert not isinstance(result, FileRefusal), result
    assert [row.row_number for row in result.rows] == [3, 5]


def test_every_kind_of_bad_cell_is_reported_on_its_row():
    result = read(
        f"{HEADER},credit:firearms\n"
        "MN-1,Course,Academy,2026-13-45,4,,\n"  # not a date
        "MN-1,Course,Academy,2026-06-02,4,,\n"  # the future
        "MN-1,Course,Academy,2026-05-01,250,,\n"  # too many hours
        "MN-1,Course,Academy,2026-05-01,4,astrology=2,\n"  # unknown topic
        "MN-1,Course,Academy,2026-05-01,4,autism=3,2\n"  # credits above the hours
        "MN-1,Course\x1b[31m,Academy,2026-05-01,4,,\n"  # control characters
        ",Course,Academy,2026-05-01,4,,\n"  # nobody
        "MN-1,Course,Academy,2026-05-01,4,autism:2,\n"  # a topics cell that is not CODE=credits
    )

    assert not isinstance(result, FileRefusal), result
    errors = [" ".join(row.errors) for row in result.rows]
    assert "Write the completion date as YYYY-MM-DD or MM/DD/YYYY" in errors[0]
    assert "cannot be in the future" in errors[1]
    assert "Hours must be more than 0 and at most 200" in errors[2]
    assert "Unknown topic astrology" in errors[3]
    assert "add up to more than the hours" in errors[4]
    assert "control characters" in errors[5]
    assert "say whose record it is" in errors[6]
    assert "CODE=credits" in errors[7]
    assert all(row.form is None for row in result.rows)


def test_credits_come_from_the_topics_cell_and_from_credit_columns():
    result = read(f"{HEADER},Credit: Use of Force\nMN-1,Course,Academy,2026-05-01,6,AUTISM=2; firearms=1,3\n")

    assert not isinstance(result, FileRefusal), result
    form = result.rows[0].form
    assert form is not None
    assert form.credits == {"autism": Decimal(2), "firearms": Decimal(1), "use_of_force": Decimal(3)}


def test_cells_that_look_like_spreadsheet_formulas_are_kept_as_plain_text():
    result = read(f'{HEADER}\nMN-1,"=HYPERLINK(""http://x.example"",""go"")",@SUM(A1),2026-05-01,4,\n')

    assert not isinstance(result, FileRefusal), result
    form = result.rows[0].form
    assert form is not None
    assert form.course_title == '=HYPERLINK("http://x.example","go")' and form.provider == "@SUM(A1)"

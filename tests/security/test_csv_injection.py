"""Audit CSV export: no cell reaches a spreadsheet as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest

from services.audit import _csv_line, csv_safe


@pytest.mark.parametrize(
    "cell",
    [
        "=HYPERLINK(\"http://evil.example\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "\n=1+1",
        "\r\n@SUM(A1)",
        "\n+1",
        "\n-1",
        "  =1+1",
        " \t @SUM(A1)",
        "\u00a0=1+1",  # a no-break space
        "\tplain text after a tab",
        "\nplain text after a line break",
    ],
)
def test_cell_that_a_spreadsheet_could_run_is_prefixed_with_a_quote(cell: str) -> None:
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("officer1", "officer1"),
        ("a = b", "a = b"),
        ("mail@example.org", "mail@example.org"),
        ("2026-11-03", "2026-11-03"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("first line\n=second", "first line\n=second"),  # a formula only at the start counts
    ],
)
def test_ordinary_cells_are_left_as_they_are(value: object, cell: str) -> None:
    assert csv_safe(value) == cell


def test_a_line_reads_back_with_every_formula_quoted() -> None:
    line = _csv_line(["login", "\n=cmd|' /C calc'!A0", "10.0.0.1"])
    assert next(csv.reader(io.StringIO(line))) == ["login", "'\n=cmd|' /C calc'!A0", "10.0.0.1"]

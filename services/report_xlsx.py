"""An XLSX workbook of a compliance report: a sheet for what it states and its summary, one per table, and
the per-officer appendix.

openpyxl's write-only mode writes each row to the sheet's temporary file as it is appended (strings go
inline, not into a shared table), so the appendix streams through with flat memory whatever its length.
Text cells go through services.audit.csv_safe: openpyxl would store "=..." as a formula.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from services.audit import csv_safe
from services.compliance_report import ComplianceReport, Table
from services.compliance_report_rows import APPENDIX_HEADINGS, OfficerLine

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Character widths of the appendix's columns, in APPENDIX_HEADINGS order.
APPENDIX_WIDTHS = (18, 14, 10, 14, 22, 12, 7, 10, 10, 10, 10, 13, 60, 13, 12)


def _cell(value: object) -> object:
    """Numbers and dates as themselves (a spreadsheet sums and sorts them); text made safe."""
    if value is None or isinstance(value, int | Decimal | date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", csv_safe(value))


def _append(sheet: WriteOnlyWorksheet, values: Sequence[object]) -> None:
    sheet.append([_cell(value) for value in values])


def _widths(sheet: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width


def _table_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(table.name)
    _widths(sheet, (36, *([12] * (len(table.headings) - 1))))
    _append(sheet, [table.caption])
    _append(sheet, table.headings)
    for index, row in enumerate(table.rows):
        # The unit tree reads as a tree: each level indented two spaces more (the Level column says it too).
        first = "  " * table.levels[index] + str(row[0]) if table.levels else row[0]
        _append(sheet, (first, *row[1:]))


async def write_xlsx(path: Path, report: ComplianceReport, lines: AsyncIterator[OfficerLine]) -> int:
    """Write the workbook to `path`; the number of officers in its appendix."""
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("Report")
    _widths(about, (16, 100))
    _append(about, [report.header.title])
    for fact in report.header.facts():
        _append(about, fact)
    _append(about, [])
    for sentence in report.summary:
        _append(about, ["Summary", sentence])
    for table in report.tables:
        _table_sheet(workbook, table)
    officers = workbook.create_sheet("Officers")
    _widths(officers, APPENDIX_WIDTHS)
    _append(officers, APPENDIX_HEADINGS)
    written = 0
    async for line in lines:
        _append(officers, line.cells())
        written += 1
    workbook.save(path)
    return written

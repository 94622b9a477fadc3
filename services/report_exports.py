"""Making a compliance report's files: the formats, whether one is made now or by a workflow, and writing it.

Small exports are made while the person waits: a CSV streams straight into the response, a PDF or workbook
is written to a temporary file and sent. A PDF or workbook of more officers than the background threshold
takes longer than a page should wait (and a PDF's memory grows with its pages), so it becomes a job
(services/report_export_jobs.py) that a workflow writes to the file store. Both paths write with
`write_export`, reading the appendix through one streamed statement in a session of its own.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.compliance_report import ComplianceReport
from services.compliance_report_rows import OfficerLine, officer_lines
from services.report_csv import officers_csv, summary_csv
from services.report_pdf import MEDIA_TYPE as PDF_MEDIA_TYPE
from services.report_pdf import write_pdf
from services.report_xlsx import MEDIA_TYPE as XLSX_MEDIA_TYPE
from services.report_xlsx import write_xlsx

# A PDF or workbook of more officers than this is made by a workflow: it takes more than a few seconds.
BACKGROUND_FROM_OFFICERS = 2_000
# How often, in officers written, a background export reports its progress.
PROGRESS_EVERY = 500
CSV_MEDIA_TYPE = "text/csv"  # the portal adds "; charset=utf-8"

Progress = Callable[[int], Awaitable[None]]


class ExportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"
    CSV = "csv"  # the per-officer appendix
    SUMMARY_CSV = "summary_csv"  # what the report states and its tables


@dataclass(frozen=True)
class FormatInfo:
    label: str
    extension: str
    part: str  # added to the file name, so the two CSV files of one report differ
    media_type: str


FORMATS = {
    ExportFormat.PDF: FormatInfo("PDF: summary, charts, tables and every officer", "pdf", "", PDF_MEDIA_TYPE),
    ExportFormat.XLSX: FormatInfo("Excel workbook: a sheet per section and one of every officer", "xlsx", "",
                                  XLSX_MEDIA_TYPE),
    ExportFormat.CSV: FormatInfo("CSV of every officer", "csv", "officers", CSV_MEDIA_TYPE),
    ExportFormat.SUMMARY_CSV: FormatInfo("CSV of the summary and tables", "csv", "summary", CSV_MEDIA_TYPE),
}
AGENCY_FORMATS = tuple(ExportFormat)
TEAM_FORMATS = (ExportFormat.CSV, ExportFormat.XLSX)


def parse_format(raw: str, allowed: tuple[ExportFormat, ...]) -> ExportFormat | None:
    return next((fmt for fmt in allowed if fmt.value == raw), None)


def file_name(report: ComplianceReport, fmt: ExportFormat) -> str:
    info = FORMATS[fmt]
    return report.file_name(info.extension, info.part)


def runs_in_background(fmt: ExportFormat, officers: int, threshold: int = BACKGROUND_FROM_OFFICERS) -> bool:
    """Whether the export is made by a workflow. A CSV never is: it streams, starting at once, with flat
    memory; a PDF or workbook is when it lists more than `threshold` officers."""
    return fmt in (ExportFormat.PDF, ExportFormat.XLSX) and officers > threshold


class _Tally:
    """Counts the officers passing through to a writer, reporting progress every PROGRESS_EVERY."""

    def __init__(self, progress: Progress | None) -> None:
        self.count = 0
        self._progress = progress

    async def through(self, lines: AsyncIterator[OfficerLine]) -> AsyncIterator[OfficerLine]:
        async for line in lines:
            yield line
            self.count += 1
            if self._progress is not None and self.count % PROGRESS_EVERY == 0:
                await self._progress(self.count)


async def write_export(factory: async_sessionmaker[AsyncSession], report: ComplianceReport, fmt: ExportFormat,
                       path: Path, progress: Progress | None = None) -> int:
    """Write the export to `path`; the number of officers it lists (0 for the summary CSV)."""
    if fmt == ExportFormat.SUMMARY_CSV:
        await asyncio.to_thread(path.write_text, summary_csv(report), encoding="utf-8", newline="")
        return 0
    tally = _Tally(progress)
    async with factory() as session:
        lines = tally.through(officer_lines(session, report.scope))
        if fmt == ExportFormat.PDF:
            await write_pdf(path, report, lines)
        elif fmt == ExportFormat.XLSX:
            await write_xlsx(path, report, lines)
        else:
            with path.open("w", encoding="utf-8", newline="") as out:
                async for chunk in officers_csv(lines):
                    out.write(chunk)
    return tally.count


async def csv_stream(factory: async_sessionmaker[AsyncSession], report: ComplianceReport) -> AsyncIterator[str]:
    """The appendix as CSV chunks for a streamed response, read in a session of its own (the request's has
    closed by the time the response is sent)."""
    async with factory() as session:
        async for chunk in officers_csv(officer_lines(session, report.scope)):
            yield chunk


async def export_to_temporary_file(factory: async_sessionmaker[AsyncSession], report: ComplianceReport,
                                   fmt: ExportFormat) -> Path:
    """Write the export to a new private temporary file; the caller deletes it once it is sent."""
    descriptor, name = tempfile.mkstemp(prefix="muster-report-")
    os.close(descriptor)
    path = Path(name)
    try:
        await write_export(factory, report, fmt, path)
    except BaseException:
        await asyncio.to_thread(path.unlink, missing_ok=True)
        raise
    return path

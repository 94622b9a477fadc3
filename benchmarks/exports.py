"""`make bench` rows for the agency compliance report: the whole agency's CSV and workbook against the
same appendix rows by hand (one raw SELECT into csv.writer), with the peak of Python memory each took.

The memory is the point of the rows: the appendix is one streamed statement written as it arrives, so
the peak stays at the writers' buffers however many officers the agency has (benchmarks/report_export.py
measures it at several sizes). The PDF is left to that script: fpdf2 holds its pages until it writes.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.dataset import DatasetSummary
from benchmarks.report_export import RAW_APPENDIX, NullSink, seconds_and_peak
from benchmarks.timing import Result, median_ms
from services.compliance_report import agency_report
from services.report_exports import ExportFormat, csv_stream, write_export

CSV_ROW = "Agency report, whole agency: officer appendix as CSV"
XLSX_ROW = "Agency report, whole agency: workbook (XLSX)"


async def export_benchmarks(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, repeat: int
                            ) -> tuple[list[Result], dict[str, float]]:
    """The rows, and the peak MB of Python memory of the baseline and each export (one traced run each)."""
    async with factory() as session:
        report = await agency_report(session, data.agency_id, None, datetime.now().astimezone())
    sink = NullSink()

    async def by_hand() -> None:
        async with factory() as session:
            writer = csv.writer(sink)
            async for row in await session.stream(RAW_APPENDIX.execution_options(yield_per=500)):
                writer.writerow(row)

    async def streamed_csv() -> None:
        async for chunk in csv_stream(factory, report):
            sink.write(chunk)

    with tempfile.TemporaryDirectory(prefix="muster-bench-export-") as folder:
        path = Path(folder) / "report.xlsx"

        async def workbook() -> None:
            await write_export(factory, report, ExportFormat.XLSX, path)

        runs = max(3, repeat // 10)  # each run reads every officer of the agency
        baseline_ms = await median_ms(by_hand, runs)
        rows = [
            Result(CSV_ROW, "services.report_exports.csv_stream (formatting, quoting, streaming)",
                   "raw SELECT of the same rows into csv.writer", await median_ms(streamed_csv, runs), baseline_ms),
            Result(XLSX_ROW, "write_export XLSX (openpyxl write-only, a sheet per section)",
                   "raw SELECT of the same rows into csv.writer", await median_ms(workbook, runs), baseline_ms),
        ]
        peaks = {name: (await seconds_and_peak(action))[1]
                 for name, action in (("baseline", by_hand), ("csv", streamed_csv), ("xlsx", workbook))}
    return rows, peaks


def exports_reading(peaks: dict[str, float], data: DatasetSummary) -> list[str]:
    return [
        f"- **Agency report exports** ({data.compliance.officers:,} officers in the appendix): peak Python memory",
        f"  (tracemalloc) {peaks['csv']:.1f} MB for the CSV and {peaks['xlsx']:.1f} MB for the workbook, against "
        f"{peaks['baseline']:.1f} MB for the rows by hand.",
        "  Both stream the appendix from one statement, so the peak is the writers' buffers whatever the agency's",
        "  size; `python -m benchmarks.report_export` shows it flat from 5,000 to 40,000 officers, and the PDF's",
        "  growth (fpdf2 keeps every page until it writes the file, so large PDFs are written by the worker).",
    ]

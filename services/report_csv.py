"""CSV exports of a compliance report: the per-officer appendix, streamed as its lines are read, and the
summary (what the report states, then each of its tables).

Every cell goes through services.audit.csv_safe, so a name or a requirement title that looks like a
formula is never run by the spreadsheet that opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable

from services.audit import csv_safe
from services.compliance_report import ComplianceReport
from services.compliance_report_rows import APPENDIX_HEADINGS, OfficerLine

# Lines joined into one chunk of the response: fewer, larger writes, still a bounded buffer.
LINES_PER_CHUNK = 200


def csv_line(values: Iterable[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_safe(value) for value in values])
    return buffer.getvalue()


async def officers_csv(lines: AsyncIterator[OfficerLine]) -> AsyncIterator[str]:
    """The appendix: a heading line, then one line per officer (each states its evaluation date and rule
    pack, so the file says what its data is as of even when read without the summary)."""
    yield csv_line(APPENDIX_HEADINGS)
    chunk: list[str] = []
    async for line in lines:
        chunk.append(csv_line(line.cells()))
        if len(chunk) == LINES_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def summary_csv(report: ComplianceReport) -> str:
    """What the report states, its summary sentences, then each table under its caption, a blank line apart."""
    lines = [csv_line([report.header.title])]
    lines += [csv_line(fact) for fact in report.header.facts()]
    lines += [csv_line(["Summary", sentence]) for sentence in report.summary]
    for table in report.tables:
        lines += ["\r\n", csv_line([table.caption]), csv_line(table.headings)]
        lines += [csv_line(row) for row in table.rows]
    return "".join(lines)

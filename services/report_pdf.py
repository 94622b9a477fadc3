"""A compliance report as a PDF (fpdf2): what it states, its summary, charts and tables, and the per-officer
appendix, landscape Letter so the appendix's columns fit.

Core fonts only, so every string goes through services.transcripts.latin1. The appendix is drawn line by
line as officers are read from the stream, but fpdf2 keeps every finished page in memory until it writes
the file (it fills in "page n of N" only then): a PDF's memory grows with its page count, which is why a
large one is made by a workflow in the worker, never in the portal (services/report_exports.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from compliance.wording import MONTHS, format_amount, format_date
from portal import charts
from services.agency_compliance import STATE_LABELS, STATES
from services.compliance_report import AgencyFigures, ComplianceReport, Table
from services.compliance_report_rows import OfficerLine
from services.report_pdf_charts import bar_chart, fit, line_chart
from services.transcripts import latin1

MEDIA_TYPE = "application/pdf"
MARGIN = 12.0
LINE = 3.4  # mm per line of the appendix
PAD = 1.0  # mm between an appendix column's edge and its text
APPENDIX_FONT = 7
# The appendix's columns: heading, width in mm (0: what is left of the page), alignment.
APPENDIX_COLUMNS = (
    ("Name", 40, "L"), ("Badge", 14, "L"), ("Rank", 20, "L"), ("Unit", 30, "L"), ("State", 17, "L"),
    ("%", 9, "R"), ("Hours done / req.", 23, "R"), ("Met / total", 14, "R"), ("Next deadline", 23, "L"),
    ("Outstanding requirements", 0, "L"),
)
# The unit chart shows the scope and the units directly below it, at most this many bars; the table below
# it lists the whole tree.
MAX_CHART_UNITS = 30
PAGE_COUNT = "{pages}"
GAP_LABELS = {"overdue": "Past due", "owing": "Not yet due"}


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_amount(value)
    return latin1(str(value))


class _ReportPDF(FPDF):
    def __init__(self, report: ComplianceReport) -> None:
        super().__init__(orientation="L", unit="mm", format="Letter")
        self.report = report
        self.in_appendix = False  # each new page of the appendix starts with its column headings
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(latin1(f"{report.header.title} - {report.header.agency_name}"))
        self.set_creator("Muster")
        # The page count is filled in at the end; its alias reserves room for a count of five digits.
        self.alias_nb_pages(PAGE_COUNT)
        fixed = sum(width for _, width, _ in APPENDIX_COLUMNS)
        self.widths = [width or self.epw - fixed for _, width, _ in APPENDIX_COLUMNS]

    def header(self) -> None:
        if not self.in_appendix:
            return
        self.set_font("Helvetica", style="B", size=9)
        self.cell(0, 5, "Appendix: every officer, by unit and name", new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", style="B", size=APPENDIX_FONT)
        y = self.get_y()
        self.columns([heading for heading, _, _ in APPENDIX_COLUMNS], y + LINE * 0.72)
        self.set_y(y + LINE + 0.5)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.ln(0.8)

    def columns(self, values: list[str], baseline: float) -> float:
        """Write one line of appendix cells on `baseline`; the x where the columns written end."""
        x = self.l_margin
        for (_, _, align), width, value in zip(APPENDIX_COLUMNS, self.widths, values, strict=False):
            text = fit(self, value, width - 2 * PAD)
            self.text(x + width - PAD - self.get_string_width(text) if align == "R" else x + PAD, baseline, text)
            x += width
        return x

    def footer(self) -> None:
        header = self.report.header
        self.set_y(-10)
        self.set_font("Helvetica", size=7)
        about = latin1(f"{header.agency_name} - {header.title} - {header.scope_label} - data as of "
                       f"{header.data_as_of}")
        self.cell(0, 4, f"{fit(self, about, self.epw - 30)}    Page {self.page_no()} of {PAGE_COUNT}", align="C")

    # --- The report's first pages --------------------------------------------------------------------

    def heading(self, text: str, room: float = 30) -> None:
        """A section heading, on a new page when fewer than `room` mm are left under it."""
        if self.will_page_break(room):
            self.add_page()
        self.ln(3)
        self.set_font("Helvetica", style="B", size=12)
        self.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def caption(self, text: str) -> None:
        self.set_font("Helvetica", style="I", size=8)
        self.multi_cell(0, 4, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def front(self) -> None:
        header = self.report.header
        self.set_font("Helvetica", style="B", size=16)
        self.cell(0, 9, latin1(header.title), new_x="LMARGIN", new_y="NEXT")
        for label, value in header.facts():
            self.set_font("Helvetica", style="B", size=10)
            self.cell(30, 5.5, latin1(label))
            self.set_font("Helvetica", size=10)
            self.multi_cell(0, 5.5, latin1(value), new_x="LMARGIN", new_y="NEXT")
        self.heading("Summary")
        for sentence in self.report.summary:
            self.multi_cell(0, 5, latin1(sentence), new_x="LMARGIN", new_y="NEXT")

    def table_section(self, table: Table) -> None:
        """A table of numbers; fpdf2 repeats its headings on every page it runs onto."""
        if not table.rows:
            self.cell(0, 6, "Nothing to show.", new_x="LMARGIN", new_y="NEXT")
            return
        columns = len(table.headings)
        first = 70.0 if columns > 3 else 130.0
        other = min(26.0 if columns > 3 else 40.0, (self.epw - first) / max(columns - 1, 1))
        self.caption(table.caption)
        self.set_font("Helvetica", size=8)
        with self.table(col_widths=(first, *([other] * (columns - 1))), width=first + other * (columns - 1),
                        align="LEFT", text_align=("LEFT", *(["RIGHT"] * (columns - 1))), line_height=4.2,
                        headings_style=FontFace(emphasis="BOLD", fill_color=(225, 229, 234)),
                        cell_fill_color=(244, 246, 248), cell_fill_mode="ROWS") as pdf_table:
            pdf_table.row([latin1(heading) for heading in table.headings])
            for index, row in enumerate(table.rows):
                indent = ". " * table.levels[index] if table.levels else ""
                pdf_table.row([indent + _text(row[0]), *(_text(value) for value in row[1:])])
        self.set_font("Helvetica", size=9)

    def chart_room(self, height: float) -> None:
        if self.will_page_break(height):
            self.add_page()

    def figures(self, figures: AgencyFigures, tables: dict[str, Table]) -> None:
        self.heading("By unit", 60)
        shown = [unit for unit in figures.units if unit.depth <= 1][:MAX_CHART_UNITS]
        if shown:
            chart = charts.stacked_bars([unit.counts() for unit in shown], STATES, relative=True)
            self.chart_room(chart.height * self.epw / chart.width)
            bar_chart(self, chart, [unit.name for unit in shown], [unit.depth for unit in shown], STATE_LABELS,
                      percent=True, width=self.epw)
            self.caption("Officers by state as shares of each unit, for the scope and the units directly below it; "
                         "the numbers of every unit are in the table.")
        self.table_section(tables["Units"])
        self.heading("By rank")
        self.table_section(tables["Ranks"])
        self.heading("Requirements most often outstanding", 60)
        if figures.gaps:
            gaps = figures.gaps
            chart = charts.stacked_bars([(gap.overdue, gap.officers - gap.overdue) for gap in gaps],
                                        ("overdue", "owing"), relative=False)
            self.chart_room(chart.height * self.epw / chart.width)
            bar_chart(self, chart, [gap.title for gap in gaps], [0] * len(gaps), GAP_LABELS, percent=False,
                      width=self.epw)
        self.table_section(tables["Requirements"])
        self.heading("Trend", 80)
        trend_table = tables["Trend"]
        if figures.trend:
            trend = charts.line([point.percent_compliant or 0 for point in figures.trend])
            self.chart_room(trend.height * self.epw / trend.width)
            line_chart(self, trend, ["-" if p.percent_compliant is None else f"{p.percent_compliant}%"
                                     for p in figures.trend],
                       [f"{MONTHS[p.day.month - 1]} {p.day.year}" for p in figures.trend], width=self.epw)
            self.caption("Share of officers (not on leave) compliant at the last snapshot of each month.")
        else:
            self.cell(0, 6, "No snapshots yet: the first is taken at the next daily refresh.",
                      new_x="LMARGIN", new_y="NEXT")
            return
        self.table_section(trend_table)

    # --- The appendix --------------------------------------------------------------------------------

    def wrap(self, text: str, width: float) -> list[str]:
        """`text` in lines of at most `width` mm (a word longer than a line is cut)."""
        lines: list[str] = []
        current = ""
        for word in latin1(text).split():
            candidate = f"{current} {word}" if current else word
            if current and self.get_string_width(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
        return [fit(self, line, width) for line in lines]

    def officer(self, line: OfficerLine) -> None:
        self.set_font("Helvetica", size=APPENDIX_FONT)
        outstanding = self.wrap("; ".join(line.outstanding) or "None", self.widths[-1] - 2 * PAD)
        height = LINE * len(outstanding)
        if self.will_page_break(height + 0.6):
            self.add_page()
            self.set_font("Helvetica", size=APPENDIX_FONT)
        hours = "-" if line.hours_done is None else (
            f"{format_amount(line.hours_done)} / {format_amount(line.hours_required or Decimal(0))}")
        met = "-" if line.requirements_met is None else f"{line.requirements_met} / {line.requirements_total}"
        values = [line.name, line.badge, line.rank, line.unit or "-", line.state_label,
                  "-" if line.percent is None else str(line.percent), hours, met,
                  format_date(line.next_due_on) if line.next_due_on else "-"]
        y = self.get_y()
        baseline = y + LINE * 0.72
        x = self.columns(values, baseline)
        for index, text in enumerate(outstanding):
            self.text(x + PAD, baseline + LINE * index, text)
        self.set_y(y + height + 0.3)
        self.set_draw_color(220, 223, 228)
        self.line(self.l_margin, self.get_y(), self.l_margin + self.epw, self.get_y())
        self.set_draw_color(0, 0, 0)
        self.set_y(self.get_y() + 0.3)


async def write_pdf(path: Path, report: ComplianceReport, lines: AsyncIterator[OfficerLine]) -> int:
    """Write the report to `path`; the number of officers in its appendix."""
    pdf = _ReportPDF(report)
    pdf.add_page()
    pdf.front()
    tables = {table.name: table for table in report.tables}
    pdf.heading("Officers by state")
    pdf.table_section(tables["Summary"])
    if report.figures is not None:
        pdf.figures(report.figures, tables)
    pdf.in_appendix = True
    pdf.add_page()
    written = 0
    async for line in lines:
        pdf.officer(line)
        written += 1
    if not written:
        pdf.set_font("Helvetica", size=9)
        pdf.cell(0, 6, "No officers in this scope.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return written

"""The claim as the POST Board's application asks for it (Minn. R. 6700.1800 subp. 4 and 5: the eligible
officers with their licence numbers, the agency's continuing-education costs, the chief's signed statement),
as CSV and PDF (fpdf2 core fonts, like services/report_pdf.py).

The export is final only while the chief's signature holds (services/reimbursement_claims.ClaimView);
before that every page and the CSV's first lines say DRAFT and no signature is shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from fpdf import FPDF
from fpdf.fonts import FontFace

from compliance.wording import format_amount, format_date
from services.audit import csv_safe
from services.reimbursement_claims import ClaimView
from services.reimbursement_costs import dollars
from services.reimbursement_eligibility import Eligibility, describe_months
from services.transcripts import latin1

TITLE = "Minnesota POST continuing education reimbursement application"
DRAFT = "DRAFT - not signed by the chief law enforcement officer"
FINAL = "Final - signed by the chief law enforcement officer"
OFFICER_HEADINGS = ["Name", "Licence number", "Employed from", "Employed to", "Whole months employed",
                    "Credits earned", "Part-time"]
OTHER_HEADINGS = ["Name", "Licence number", "Employed in the year", "Credits earned", "Part-time", "Why not counted"]
LINE_HEADINGS = ["Category", "Description", "Amount"]
MEDIA_TYPES = {"csv": "text/csv", "pdf": "application/pdf"}  # the portal adds "; charset=utf-8" to text


def file_name(view: ClaimView, extension: str) -> str:
    state = "final" if view.signature_holds else "draft"
    return f"post-reimbursement-fy{view.year.closing_year}-{state}.{extension}"


def facts(view: ClaimView) -> list[tuple[str, str]]:
    """The application's heading facts, in the order the export states them."""
    return [("Status", FINAL if view.signature_holds else DRAFT), ("Agency", view.agency_name),
            ("Fiscal year", view.year.label), ("Application due", format_date(view.year.application_due)),
            ("Eligible officers", str(len(view.eligible))),
            ("Total continuing education costs", dollars(view.totals.total))]


def officer_row(row: Eligibility) -> list[str]:
    return [row.name, row.license_number or "", format_date(row.first_day) if row.first_day else "",
            format_date(row.last_day) if row.last_day else "", str(row.months), format_amount(row.credits),
            "yes" if row.part_time else "no"]


def other_row(row: Eligibility) -> list[str]:
    return [row.name, row.license_number or "", describe_months(row.months, row.extra_days),
            format_amount(row.credits), "yes" if row.part_time else "no", row.reason]


def cost_rows(view: ClaimView) -> list[list[str]]:
    return [[line.category_enum.label, line.description, dollars(line.amount_cents)]
            for line in view.lines if not line.excluded]


def total_rows(view: ClaimView) -> list[list[str]]:
    rows = [[category.label, dollars(cents)] for category, cents in view.totals.by_category.items()]
    return [*rows, ["Total", dollars(view.totals.total)]]


def signature_rows(view: ClaimView) -> list[list[str]]:
    if not view.signature_holds or view.claim is None:
        return [["Signature", "Not signed: the chief signs off in Muster before the final export."]]
    return [["Statement", view.claim.signed_statement or ""], ["Signed by", view.signed_by or ""],
            ["Signed at", view.signed_moment or ""]]


def render_csv(view: ClaimView) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def write(rows: Iterable[list[str]]) -> None:
        writer.writerows([[csv_safe(value) for value in row] for row in rows])

    write([[TITLE], *[[label, value] for label, value in facts(view)], []])
    write([["Eligible officers"], OFFICER_HEADINGS, *[officer_row(row) for row in view.eligible], []])
    write([["Officers not counted"], OTHER_HEADINGS,
           *[other_row(row) for row in view.officers if not row.eligible], []])
    write([["Continuing education costs"], LINE_HEADINGS, *cost_rows(view), []])
    write([["Totals per category"], *total_rows(view), []])
    write([["Chief law enforcement officer's statement"], *signature_rows(view)])
    return buffer.getvalue()


class _ClaimPDF(FPDF):
    def __init__(self, view: ClaimView) -> None:
        super().__init__(orientation="L", unit="mm", format="Letter")
        self.view = view
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_title(latin1(f"{TITLE} - {view.agency_name} - FY{view.year.closing_year}"))
        self.set_creator("Muster")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("Helvetica", size=7)
        state = "FINAL" if self.view.signature_holds else "DRAFT"
        self.cell(0, 4, latin1(f"{state} - {self.view.agency_name} - {self.view.year.label} - page "
                               f"{self.page_no()}"), align="C")

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font("Helvetica", style="B", size=12)
        self.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=9)

    def rows(self, headings: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        if not rows:
            self.cell(0, 6, "None.", new_x="LMARGIN", new_y="NEXT")
            return
        with self.table(col_widths=widths, headings_style=FontFace(emphasis="BOLD")) as table:
            table.row(headings)
            for row in rows:
                table.row([latin1(value) for value in row])


def render_pdf(view: ClaimView) -> bytes:
    pdf = _ClaimPDF(view)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=15)
    pdf.cell(0, 9, latin1(TITLE), new_x="LMARGIN", new_y="NEXT")
    for label, value in facts(view):
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(62, 6, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.heading("Eligible officers")
    pdf.rows(OFFICER_HEADINGS, [officer_row(row) for row in view.eligible], (60, 30, 32, 32, 30, 26, 20))
    pdf.heading("Officers not counted")
    pdf.rows(OTHER_HEADINGS, [other_row(row) for row in view.officers if not row.eligible],
             (50, 28, 40, 22, 18, 96))
    pdf.heading("Continuing education costs")
    pdf.rows(LINE_HEADINGS, cost_rows(view), (40, 180, 34))
    pdf.heading("Totals per category")
    pdf.rows(["Category", "Amount"], total_rows(view), (60, 40))
    pdf.heading("Chief law enforcement officer's statement")
    for label, value in signature_rows(view):
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(30, 6, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

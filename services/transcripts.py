"""A printable training transcript (PDF): the officer, the period, credits per topic and every record.

Built with fpdf2's core fonts, which only know latin-1: every string goes through `latin1` first, so a
name like "Nguyễn" or a course title with an emoji prints as close as it can instead of failing.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance.wording import format_amount, format_date
from models import Agency, Person, Topic, TrainingRecord
from services.compliance import officer_status
from services.training_records import STATE_LABELS, source_label

# Typographic characters people paste from word processors, and their plain equivalents.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u2026": "...", "\u2022": "*", "\u00a0": " ", "\u2212": "-"})


def latin1(text: str) -> str:
    """`text` in characters the PDF core fonts can draw: accents kept where latin-1 has them, otherwise
    dropped (e.g. "ễ" becomes "e"), and anything else replaced by "?"."""
    text = text.translate(_PLAIN)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in base if ord(c) < 256 and not unicodedata.combining(c))
        out.append(kept or "?")
    return "".join(out)


@dataclass(frozen=True)
class TranscriptLine:
    completed_on: date
    started_on: date | None
    course_title: str
    provider: str
    course_number: str | None
    hours: Decimal
    credits: tuple[tuple[str, Decimal], ...]  # (topic name, credits)
    source: str


@dataclass(frozen=True)
class Transcript:
    officer_name: str
    badge_number: str
    licence_number: str | None
    agency_name: str
    period_label: str  # "Licensing cycle", "Chosen dates" or "All records"
    period_start: date | None
    period_end: date | None
    generated_on: date
    standing: str | None  # "62% - On track" for the current cycle, else None
    lines: tuple[TranscriptLine, ...]

    @property
    def total_hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def topic_totals(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines:
            for name, credits in line.credits:
                totals[name] += credits
        return sorted(totals.items())

    @property
    def filename(self) -> str:
        name = "".join(c if c.isascii() and c.isalnum() else "-" for c in self.officer_name.lower()).strip("-")
        return f"transcript-{name or 'officer'}-{self.generated_on.isoformat()}.pdf"


async def build_transcript(
    session: AsyncSession, person: Person, on: date, date_from: date | None = None, date_to: date | None = None
) -> Transcript:
    """The officer's records in the chosen dates, or else in the current licensing cycle (all records
    for someone Muster does not track)."""
    agency = await session.get_one(Agency, person.agency_id)
    standing = None
    if date_from is None and date_to is None:
        status = await officer_status(session, person.id, on)
        if status is not None:
            label, date_from, date_to = "Licensing cycle", status.cycle_start, status.cycle_end
            standing = f"{status.percent}% - {STATE_LABELS[status.state]} on {format_date(on)}"
        else:
            label = "All records"
    else:
        label = "Chosen dates"
    stmt = select(TrainingRecord).where(TrainingRecord.officer_id == person.id)
    if date_from is not None:
        stmt = stmt.where(TrainingRecord.completed_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(TrainingRecord.completed_on <= date_to)
    records = await session.scalars(
        stmt.options(selectinload(TrainingRecord.credits)).order_by(TrainingRecord.completed_on, TrainingRecord.id)
    )
    names = {code: name for code, name in await session.execute(select(Topic.code, Topic.name))}
    lines = tuple(
        TranscriptLine(record.completed_on, record.started_on, record.course_title, record.provider,
                       record.course_number, record.hours,
                       tuple((names.get(c.topic_code, c.topic_code), c.credits) for c in record.credits if c.credits),
                       source_label(record.source))
        for record in records
    )
    return Transcript(person.display_name, person.badge_number, person.license_number, agency.name, label,
                      date_from, date_to, on, standing, lines)


class _TranscriptPDF(FPDF):
    def __init__(self, transcript: Transcript) -> None:
        super().__init__(orientation="P", unit="mm", format="Letter")
        self.transcript = transcript
        self.set_title(latin1(f"Training transcript - {transcript.officer_name}"))
        self.set_creator("Muster")
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        who = latin1(f"{self.transcript.officer_name} - generated {format_date(self.transcript.generated_on)}")
        self.cell(0, 5, f"{who}    Page {self.page_no()} of {{nb}}", align="C")


def _period(transcript: Transcript) -> str:
    if transcript.period_start and transcript.period_end:
        dates = f"{format_date(transcript.period_start)} to {format_date(transcript.period_end)}"
    elif transcript.period_start:
        dates = f"from {format_date(transcript.period_start)}"
    elif transcript.period_end:
        dates = f"up to {format_date(transcript.period_end)}"
    else:
        dates = "every record on file"
    return f"{transcript.period_label}: {dates}"


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)


def render_pdf(transcript: Transcript) -> bytes:
    pdf = _TranscriptPDF(transcript)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 9, "Training transcript", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    facts = [
        ("Name", f"{transcript.officer_name} (badge {transcript.badge_number})"),
        ("Licence number", transcript.licence_number or "none recorded"),
        ("Agency", transcript.agency_name),
        ("Period", _period(transcript)),
        ("Total", f"{format_amount(transcript.total_hours)} hours in {len(transcript.lines)} records"),
    ]
    if transcript.standing:
        facts.append(("Standing", transcript.standing))
    for label, value in facts:
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(32, 6, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, latin1(value), new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "Credits per topic")
    if transcript.topic_totals:
        with pdf.table(col_widths=(120, 30), width=150, align="LEFT", text_align=("LEFT", "RIGHT"),
                       headings_style=FontFace(emphasis="BOLD")) as table:
            table.row(["Topic", "Credits"])
            for name, credits in transcript.topic_totals:
                table.row([latin1(name), format_amount(credits)])
    else:
        pdf.cell(0, 6, "No topic credits in this period.", new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, "Records")
    if not transcript.lines:
        pdf.cell(0, 6, "No records in this period.", new_x="LMARGIN", new_y="NEXT")
    else:
        with pdf.table(col_widths=(24, 86, 16, 60), text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
                       headings_style=FontFace(emphasis="BOLD")) as table:
            table.row(["Completed", "Course", "Hours", "Topic credits"])
            for line in transcript.lines:
                table.row([line.completed_on.isoformat(), latin1(_course(line)), format_amount(line.hours),
                           latin1("; ".join(f"{name} {format_amount(c)}" for name, c in line.credits) or "-")])
    return bytes(pdf.output())


def _course(line: TranscriptLine) -> str:
    parts = [line.course_title, line.provider]
    if line.course_number:
        parts.append(f"POST course {line.course_number}")
    if line.started_on and line.started_on != line.completed_on:
        parts.append(f"started {line.started_on.isoformat()}")
    parts.append(f"source: {line.source}")
    return "\n".join(parts)

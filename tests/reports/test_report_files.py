"""The report's files, written by the services and read back as a spreadsheet or PDF reader would: every
number is a hand count of tests/services/agency_support.py's rows, and equals what the agency dashboard's own
functions return."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update

from models import OfficerComplianceGap, Person, Unit, utcnow
from services import agency_compliance as dashboard
from services.compliance_report import agency_report
from services.report_exports import ExportFormat, write_export
from tests.reports.support import (
    AGENCY_COUNTS,
    AGENCY_OFFICERS,
    PATROL_A_OFFICERS,
    csv_blocks,
    csv_rows,
    officers_of,
    pdf_text,
    workbook,
)


async def write(session_factory, tmp_path: Path, fmt: ExportFormat, agency_id: int, unit_id: int | None = None
                ) -> tuple[bytes, int]:
    async with session_factory() as session:
        unit = await session.get(Unit, unit_id) if unit_id else None
        report = await agency_report(session, agency_id, unit, utcnow())
    path = tmp_path / f"report.{fmt.value}"
    written = await write_export(session_factory, report, fmt, path)
    return path.read_bytes(), written


async def test_officer_csv_lists_every_tracked_officer_of_the_agency_by_unit_then_name(
    session_factory, agency, tmp_path
):
    data, written = await write(session_factory, tmp_path, ExportFormat.CSV, agency.org.agency_id)
    rows = csv_rows(data.decode())
    assert officers_of(rows) == AGENCY_OFFICERS  # Elsewhere's officer is not in it
    assert written == 9
    olly = rows[2]
    assert (olly["Badge"], olly["Rank"], olly["% done"], olly["Hours done"], olly["Hours required"]) == (
        "B104", "Officer", "10", "24.00", "48.00")
    assert (olly["Requirements met"], olly["Requirements total"], olly["Next deadline"]) == ("1", "4", "2026-06-30")
    # Crisis intervention is owed in two periods: named once, before use of force (same due date, added first).
    assert olly["Outstanding requirements"] == "Crisis intervention; Use of force"
    assert (olly["Evaluated on"], olly["Rule pack"]) == ("2026-12-01", "MN-POST")
    assert rows[0]["Outstanding requirements"] == ""


async def test_officer_csv_counts_equal_the_dashboards(session_factory, agency, tmp_path):
    rows = csv_rows((await write(session_factory, tmp_path, ExportFormat.CSV, agency.org.agency_id))[0].decode())
    async with session_factory() as session:
        totals = dashboard.sum_counts(await dashboard.rank_rows(session, agency.org.agency_id))
    for state in dashboard.STATES:
        assert sum(row["State"] == dashboard.STATE_LABELS[state] for row in rows) == totals.count(state), state


async def test_a_unit_report_covers_the_unit_and_every_unit_below_it(session_factory, agency, tmp_path):
    data, written = await write(session_factory, tmp_path, ExportFormat.CSV, agency.org.agency_id, agency.patrol_a)
    assert officers_of(csv_rows(data.decode())) == PATROL_A_OFFICERS
    assert written == 6
    summary = csv_blocks((await write(session_factory, tmp_path, ExportFormat.SUMMARY_CSV, agency.org.agency_id,
                                   agency.patrol_a))[0]
                         .decode())
    report = summary["Agency compliance report"]
    assert ["Scope", "Patrol A and the units below it"] in report
    assert ["Officers", "6"] in report
    units = summary["Officers by state in each unit (each unit with every unit below it)"]
    # Patrol A: lt1 on track, sgt1 at risk, officer1 overdue, and Traffic's three (Tom compliant, Tina
    # overdue, Ted on leave); 1 of the 5 not on leave is compliant.
    assert units[2:] == [["Patrol A", "1", "1", "1", "1", "2", "1", "6", "20"],
                         ["Traffic", "2", "1", "0", "0", "1", "1", "3", "50"]]


async def test_summary_csv_states_the_rule_pack_and_date_and_holds_the_dashboards_numbers(
    session_factory, agency, tmp_path
):
    summary, _ = await write(session_factory, tmp_path, ExportFormat.SUMMARY_CSV, agency.org.agency_id)
    blocks = csv_blocks(summary.decode())
    report = blocks["Agency compliance report"]
    assert ["Rule pack", "MN-POST: Minnesota POST peace officer licence (version 2025.1)"] in report
    assert ["Data as of", "1 December 2026"] in report
    # Made now, in the agency's time zone (the demo agency is in Chicago).
    assert any(row[0] == "Made" and row[1].endswith(("(CST)", "(CDT)")) for row in report)
    assert ["Summary", "9 officers tracked in the whole agency: 37% compliant (of the 8 not on leave)."] in report
    assert blocks["Officers by state, the whole agency"][2] == AGENCY_COUNTS
    async with session_factory() as session:
        units = await dashboard.unit_rows(session, agency.org.agency_id)
        gaps = await dashboard.top_gaps(session, agency.org.agency_id)
    unit_table = blocks["Officers by state in each unit (each unit with every unit below it)"][2:]
    assert [row[0] for row in unit_table] == ["Department", "Patrol A", "Traffic", "Patrol B"]
    assert [[int(cell) for cell in row[2:8]] for row in unit_table] == [[*u.counts(), u.total] for u in units]
    gap_table = blocks["The 3 requirements the most officers owe"][2:]
    assert gap_table == [["Crisis intervention", "4", "2"], ["Use of force", "3", "1"],
                         ["Firearms qualification", "1", "1"]]
    assert [(g.title, g.officers, g.overdue) for g in gaps] == [(r[0], int(r[1]), int(r[2])) for r in gap_table]


async def test_workbook_has_a_sheet_per_section_and_every_officer_with_numbers_as_numbers(
    session_factory, agency, tmp_path
):
    data, written = await write(session_factory, tmp_path, ExportFormat.XLSX, agency.org.agency_id)
    book = workbook(data)
    assert book.sheetnames == ["Report", "Summary", "Units", "Ranks", "Requirements", "Trend", "Officers"]
    about = {row[0]: row[1] for row in book["Report"].iter_rows(values_only=True) if row and row[0]}
    assert about["Data as of"] == "1 December 2026"
    assert about["Rule pack"].startswith("MN-POST")
    assert [str(v) for v in list(book["Summary"].iter_rows(values_only=True))[2]] == AGENCY_COUNTS
    officers = list(book["Officers"].iter_rows(values_only=True))
    assert [(r[0], r[1], r[4], r[5]) for r in officers[1:]] == AGENCY_OFFICERS
    olly = officers[3]
    assert olly[6] == 10 and olly[7] == Decimal("24") and olly[9] == 1
    assert olly[11] == datetime(2026, 6, 30)  # a date cell, which a spreadsheet sorts as a date
    assert written == 9


async def test_pdf_states_what_it_is_and_lists_every_officer(session_factory, agency, tmp_path):
    data, written = await write(session_factory, tmp_path, ExportFormat.PDF, agency.org.agency_id)
    text = pdf_text(data)
    for expected in ("Agency compliance report", "Test Police Department", "Rule pack",
                     "MN-POST: Minnesota POST peace officer licence (version 2025.1)", "Data as of 1 December 2026",
                     "9 officers tracked in the whole agency: 37% compliant (of the 8 not on leave).",
                     "3 compliant, 2 on track, 1 at risk, 2 overdue, 1 on leave.",
                     "Most often outstanding: Crisis intervention (4 officers, 2 past due)",
                     "Appendix: every officer, by unit and name"):
        assert expected in text, expected
    for last, first, _unit, _state in AGENCY_OFFICERS:
        assert f"{last}, {first}" in text
    assert "Stranger" not in text
    assert "Officer, Olly B104 Officer Patrol A Overdue 10 24 / 48 1 / 4 30 June 2026" in text
    assert written == 9


async def test_formula_looking_text_is_quoted_in_the_csv_and_the_workbook(session_factory, agency, tmp_path):
    async with session_factory() as session, session.begin():
        await session.execute(update(Person).where(Person.id == agency.tina)
                              .values(last_name='=HYPERLINK("http://evil.example","x")'))
        await session.execute(update(OfficerComplianceGap).where(OfficerComplianceGap.officer_id == agency.tina)
                              .values(title="+SUM(A1:A9)"))
    rows = csv_rows((await write(session_factory, tmp_path, ExportFormat.CSV, agency.org.agency_id))[0].decode())
    tina = next(row for row in rows if row["First name"] == "Tina")
    assert tina["Last name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert tina["Outstanding requirements"] == "'+SUM(A1:A9)"
    data, _ = await write(session_factory, tmp_path, ExportFormat.XLSX, agency.org.agency_id)
    sheet = workbook(data)["Officers"]
    cells = next(row for row in sheet.iter_rows() if row[1].value == "Tina")
    assert (cells[0].value, cells[0].data_type) == ('\'=HYPERLINK("http://evil.example","x")', "s")
    assert (cells[12].value, cells[12].data_type) == ("'+SUM(A1:A9)", "s")


async def test_no_officer_evaluated_yet_still_makes_a_report_that_says_so(session_factory, demo_org, tmp_path):
    summary, _ = await write(session_factory, tmp_path, ExportFormat.SUMMARY_CSV, demo_org.agency_id)
    blocks = csv_blocks(summary.decode())
    assert ["Data as of", "no officer's compliance has been evaluated yet"] in blocks["Agency compliance report"]
    text = pdf_text((await write(session_factory, tmp_path, ExportFormat.PDF, demo_org.agency_id))[0])
    assert "No officers in this scope." in text

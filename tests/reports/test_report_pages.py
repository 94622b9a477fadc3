"""The report pages as people use them: command staff and coordinators download the agency report, a
supervisor their team's roster; everyone else is refused, and every export and refusal is audited.

Numbers are hand counts of tests/services/agency_support.py's rows (tests/reports/support.py lists them).
"""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent
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
from tests.team.support import add_person, license_people


async def audit_rows(session_factory, action: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.id)))


async def test_the_chief_downloads_the_council_report_as_pdf_from_the_dashboards_link(browsers, agency,
                                                                                         session_factory):
    chief = await browsers("chief1")
    dashboard = await chief.get("/agency")
    assert 'href="/reports/agency"' in dashboard.text
    form = await chief.get("/reports/agency")
    assert form.status_code == 200
    assert 'name="format" type="radio" value="pdf" checked' in form.text
    response = await chief.post("/reports/agency/export", {"format": "pdf", "unit": ""})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'attachment; filename="compliance-report-agency-' in response.headers["content-disposition"]
    text = pdf_text(response.content)
    assert "9 officers tracked in the whole agency: 37% compliant (of the 8 not on leave)." in text
    assert all(f"{last}, {first}" in text for last, first, _, _ in AGENCY_OFFICERS)
    [row] = await audit_rows(session_factory, "report.export")
    assert (row.outcome, row.object_type, row.object_id) == ("success", "agency", str(agency.org.agency_id))
    assert row.detail == {"format": "pdf", "scope": "agency", "rows": 9}


async def test_a_coordinator_gets_a_unit_as_workbook_and_csv(browsers, agency, session_factory):
    coordinator = await browsers("coord1")
    form = await coordinator.get(f"/reports/agency?unit={agency.patrol_a}")
    assert f'<option value="{agency.patrol_a}" selected>' in form.text
    sheet = await coordinator.post("/reports/agency/export", {"format": "xlsx", "unit": str(agency.patrol_a)})
    assert sheet.status_code == 200
    officers = list(workbook(sheet.content)["Officers"].iter_rows(values_only=True))[1:]
    assert [(row[0], row[1], row[4], row[5]) for row in officers] == PATROL_A_OFFICERS
    streamed = await coordinator.post("/reports/agency/export", {"format": "csv", "unit": str(agency.patrol_a)})
    assert streamed.headers["content-type"] == "text/csv; charset=utf-8"
    assert officers_of(csv_rows(streamed.text)) == PATROL_A_OFFICERS
    summary = await coordinator.post("/reports/agency/export", {"format": "summary_csv", "unit": ""})
    assert csv_blocks(summary.text)["Officers by state, the whole agency"][2] == AGENCY_COUNTS
    details = [row.detail for row in await audit_rows(session_factory, "report.export")]
    assert details == [{"format": "xlsx", "scope": "unit", "unit_id": agency.patrol_a, "rows": 6},
                       {"format": "csv", "scope": "unit", "unit_id": agency.patrol_a, "rows": 6},
                       {"format": "summary_csv", "scope": "agency", "rows": 9}]


async def test_a_bad_format_or_another_agencys_unit_is_not_exported(browsers, agency, session_factory):
    coordinator = await browsers("coord1")
    page = await coordinator.post("/reports/agency/export", {"format": "docx", "unit": ""})
    assert page.status_code == 200
    assert "Choose a format from the list." in page.text
    elsewhere = await coordinator.post("/reports/agency/export", {"format": "csv", "unit": str(agency.other_unit)})
    assert elsewhere.status_code == 404
    [refusal] = await audit_rows(session_factory, "report.export")
    assert (refusal.outcome, refusal.object_type, refusal.object_id) == ("denied", "unit", str(agency.other_unit))


async def test_officers_and_sergeants_are_refused_the_agency_report_and_it_is_audited(browsers, agency,
                                                                                      session_factory):
    for username in ("officer1", "sgt1"):
        browser = await browsers(username)
        assert (await browser.get("/reports/agency")).status_code == 403
        response = await browser.post("/reports/agency/export", {"format": "csv"})
        assert response.status_code == 403
        assert "Tina" not in response.text
    refusals = await audit_rows(session_factory, "report.export")
    assert [row.outcome for row in refusals] == ["denied"] * 4


async def test_a_sergeant_exports_only_their_team_and_others_have_no_roster(browsers, agency, session_factory):
    org = agency.org
    await license_people(session_factory, org.officer1, org.officer2, org.sgt1, org.sgt2, agency.tina)
    # A licensed officer under sgt1 whose status is not written yet, and one without a licence (not tracked).
    await add_person(session_factory, org.agency_id, org.sgt1, "Nora", "Newcomer")
    await add_person(session_factory, org.agency_id, org.sgt1, "Una", "Unlicensed", licensed=False)
    sergeant = await browsers("sgt1")
    assert 'href="/reports/team"' in (await sergeant.get("/team")).text
    assert (await sergeant.get("/reports/team")).status_code == 200
    rows = csv_rows((await sergeant.post("/reports/team/export", {"format": "csv"})).text)
    assert officers_of(rows) == [("Newcomer", "Nora", "Patrol A", "Not evaluated yet"),
                                 ("Officer", "Olly", "Patrol A", "Overdue")]
    assert rows[0]["% done"] == "" and rows[1]["Outstanding requirements"] == "Crisis intervention; Use of force"
    book = workbook((await sergeant.post("/reports/team/export", {"format": "xlsx"})).content)
    assert book.sheetnames == ["Report", "Summary", "Officers"]
    counts = dict(list(book["Summary"].iter_rows(values_only=True))[2:])
    assert (counts["Overdue"], counts["Not evaluated yet"], counts["Not tracked (no licence on file, or separated)"]
            ) == (1, 1, 1)
    assert [row[0] for row in list(book["Officers"].iter_rows(values_only=True))[1:]] == ["Newcomer", "Officer"]
    assert "Choose a format from the list." in (await sergeant.post("/reports/team/export", {"format": "pdf"})).text
    for username in ("officer1", "coord1"):
        browser = await browsers(username)
        assert (await browser.get("/reports/team")).status_code == 403
        assert (await browser.post("/reports/team/export", {"format": "csv"})).status_code == 403
    exports = await audit_rows(session_factory, "report.export")
    assert [(row.outcome, row.detail.get("scope")) for row in exports] == [
        ("success", "team"), ("success", "team"), ("denied", None), ("denied", None), ("denied", None),
        ("denied", None)]
    assert exports[0].detail == {"format": "csv", "scope": "team", "supervisor_id": org.sgt1, "rows": 2}

"""A PDF or workbook of more officers than the threshold is made by the ReportExport workflow: its page shows
the progress, then a download link that works for the person who asked and nobody else. The threshold is
set low here (the app state's `report_background_officers`) so the hand-counted agency of 9 is "large"."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from sqlalchemy import select
from temporalio.client import Client

from models import AuditEvent, ExportStatus, ReportExport, report_export_workflow_id, utcnow
from services.compliance_report import agency_report
from services.report_exports import PROGRESS_EVERY, ExportFormat, write_export
from tests.portal.helpers import portal
from tests.reports.support import AGENCY_OFFICERS, pdf_text, workbook
from tests.services.agency_support import add_officers
from tests.team.support import license_people
from workflows.report_export_types import ReportExportResult


def with_threshold(make_app: Callable[[Client], Litestar], officers: int) -> Callable[[Client], Litestar]:
    def build(client: Client) -> Litestar:
        app = make_app(client)
        app.state.report_background_officers = officers
        return app

    return build


async def load_export(session_factory, export_id: int) -> ReportExport:
    async with session_factory() as session:
        return await session.get_one(ReportExport, export_id)


async def audit_rows(session_factory, *actions: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions))
                                          .order_by(AuditEvent.id)))


async def test_a_large_export_is_made_by_a_workflow_and_only_its_requester_downloads_it(
    make_app, skipping_client, agency, session_factory, settings
):
    async with portal(with_threshold(make_app, 3), skipping_client) as sign_in:
        chief = await sign_in("chief1")
        response = await chief.post("/reports/agency/export", {"format": "xlsx", "unit": ""})
        assert response.status_code == 303
        location = response.headers["location"]
        export_id = int(location.rsplit("/", 1)[1])
        handle = skipping_client.get_workflow_handle(report_export_workflow_id(export_id, settings.workflow_id_prefix),
                                                     result_type=ReportExportResult)
        result = await handle.result()
        assert (result.written, result.rows) == (True, 9)

        job = await load_export(session_factory, export_id)
        assert (job.status, job.done_rows, job.total_rows) == (ExportStatus.DONE, 9, 9)
        page = await chief.get(location)
        assert "Ready:</strong> 9 officers, 100%." in page.text
        progress = await chief.get(f"{location}/progress")
        assert 'value="100"' in progress.text and "hx-get" not in progress.text  # done: the polling stops
        download = await chief.get(f"{location}/download")
        assert download.status_code == 200
        assert 'filename="compliance-report-agency-' in download.headers["content-disposition"]
        officers = list(workbook(download.content)["Officers"].iter_rows(values_only=True))[1:]
        assert [(row[0], row[1], row[4], row[5]) for row in officers] == AGENCY_OFFICERS
        assert f'href="{location}"' in (await chief.get("/reports/agency")).text

        coordinator = await sign_in("coord1")  # may make their own report, not fetch the chief's
        for path in (location, f"{location}/progress", f"{location}/download"):
            assert (await coordinator.get(path)).status_code == 404, path

    rows = await audit_rows(session_factory, "report.export", "report.download", "report_export.view")
    assert [(row.action, row.outcome, row.actor_label.split(" ")[0]) for row in rows] == [
        ("report.export", "success", "chief1"), ("report.download", "success", "chief1"),
        ("report_export.view", "denied", "coord1"), ("report_export.view", "denied", "coord1"),
        ("report.download", "denied", "coord1")]
    assert rows[0].detail == {"format": "xlsx", "scope": "agency", "rows": 9, "background": True}
    assert rows[1].detail == {"format": "xlsx", "kind": "agency", "rows": 9}


async def test_a_large_pdf_of_a_unit_is_made_in_the_background_too(make_app, skipping_client, agency,
                                                                    session_factory, settings):
    async with portal(with_threshold(make_app, 3), skipping_client) as sign_in:
        coordinator = await sign_in("coord1")
        response = await coordinator.post("/reports/agency/export", {"format": "pdf", "unit": str(agency.patrol_a)})
        location = response.headers["location"]
        export_id = int(location.rsplit("/", 1)[1])
        await skipping_client.get_workflow_handle(
            report_export_workflow_id(export_id, settings.workflow_id_prefix)).result()
        text = pdf_text((await coordinator.get(f"{location}/download")).content)
    assert "6 officers tracked in Patrol A and the units below it" in text
    assert "Second, Sue" not in text  # Patrol B is not below Patrol A


async def test_a_large_team_roster_is_made_in_the_background_for_its_supervisor_only(
    make_app, skipping_client, agency, session_factory, settings
):
    await license_people(session_factory, agency.org.officer1, agency.org.sgt1)
    async with portal(with_threshold(make_app, 0), skipping_client) as sign_in:
        sergeant = await sign_in("sgt1")
        response = await sergeant.post("/reports/team/export", {"format": "xlsx"})
        location = response.headers["location"]
        export_id = int(location.rsplit("/", 1)[1])
        await skipping_client.get_workflow_handle(
            report_export_workflow_id(export_id, settings.workflow_id_prefix)).result()
        assert 'href="/reports/team">Make another' in (await sergeant.get(location)).text
        book = workbook((await sergeant.get(f"{location}/download")).content)
        assert [row[0] for row in list(book["Officers"].iter_rows(values_only=True))[1:]] == ["Officer"]
        lieutenant = await sign_in("lt1")  # above the sergeant, yet not the one who asked
        assert (await lieutenant.get(f"{location}/download")).status_code == 404


async def test_when_temporal_is_unreachable_the_export_page_says_to_try_again(app, browsers, agency,
                                                                              session_factory):
    app.state.report_background_officers = 3
    chief = await browsers("chief1")
    response = await chief.post("/reports/agency/export", {"format": "pdf", "unit": ""})
    assert response.status_code == 303
    page = await chief.get(response.headers["location"])
    assert "Not made:</strong> The report service is not reachable just now" in page.text
    assert "/progress" not in page.text  # failed: nothing to poll
    job = await load_export(session_factory, int(response.headers["location"].rsplit("/", 1)[1]))
    assert job.status == ExportStatus.FAILED


async def test_progress_is_reported_every_few_hundred_officers(session_factory, agency, tmp_path):
    await add_officers(session_factory, agency.org.agency_id, agency.traffic, 2 * PROGRESS_EVERY)
    reported: list[int] = []

    async def progress(done: int) -> None:
        reported.append(done)

    async with session_factory() as session:
        report = await agency_report(session, agency.org.agency_id, None, utcnow())
    written = await write_export(session_factory, report, ExportFormat.XLSX, tmp_path / "report.xlsx", progress)
    assert written == 9 + 2 * PROGRESS_EVERY
    assert reported == [PROGRESS_EVERY, 2 * PROGRESS_EVERY]

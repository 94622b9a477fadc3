"""Recorders of the compliance-era histories (refresh, monthly summary, report export), beside
test_replay.py's: `pytest -m record_history tests/workflows/test_record_compliance_histories.py`."""

from __future__ import annotations

import pytest

from tests.workflows.test_replay import save_history
from workflows.compliance_refresh import ComplianceRefreshWorkflow
from workflows.monthly_summary import MonthlySummaryWorkflow


@pytest.mark.record_history
async def test_record_compliance_refresh_batches_then_snapshot(session_factory, skipping_client, settings, demo_org):
    from tests.services.compliance_status_support import SNAPSHOT_DAY, build_counted_org
    from workflows.compliance_refresh_types import ComplianceRefreshInput

    await build_counted_org(session_factory, demo_org)
    handle = await skipping_client.start_workflow(
        ComplianceRefreshWorkflow.run, ComplianceRefreshInput(on=SNAPSHOT_DAY.isoformat(), batch_size=3),
        id=f"{settings.workflow_id_prefix}compliance-refresh", task_queue=settings.task_queue,
    )
    result = await handle.result()
    assert result.batches == 3 and result.snapshot.counts == 4
    await save_history(handle, "compliance_refresh_batches_then_snapshot.json")


@pytest.mark.record_history
async def test_record_monthly_summary_for_two_agencies(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    from tests.workflows.monthly_summary_support import build_summary_org
    from workflows.monthly_summary_types import MonthlySummaryInput

    await build_summary_org(session_factory, demo_org, await time_skipping_env.get_current_time())
    # Batches of one agency, so that the run takes several activities, each followed by its mail.
    with time_skipping_env.auto_time_skipping_disabled():  # it reads the clock; no timer to skip to
        handle = await skipping_client.start_workflow(
            MonthlySummaryWorkflow.run, MonthlySummaryInput(batch_size=1),
            id=f"{settings.workflow_id_prefix}monthly-summary", task_queue=settings.task_queue,
        )
        assert await handle.result() == 2
    assert len(mailbox.messages) == 2
    await save_history(handle, "monthly_summary_for_two_agencies.json")


@pytest.mark.record_history
async def test_record_report_export_writes_a_workbook(session_factory, skipping_client, settings, demo_org):
    from models import ExportStatus, ReportExport, utcnow
    from services import report_export_jobs as jobs
    from services.access import CurrentUser
    from services.compliance_report import agency_report
    from services.report_exports import ExportFormat
    from tests.services.agency_support import build_agency
    from workflows.report_export_types import ReportExportResult

    await build_agency(session_factory, demo_org)
    chief = CurrentUser(demo_org.users["chief1"], demo_org.agency_id, demo_org.chief1, "chief1", "Carla Chief",
                        frozenset({"command"}))
    async with session_factory() as session:
        report = await agency_report(session, demo_org.agency_id, None, utcnow())
        job = await jobs.queue_export(session, chief, report, ExportFormat.XLSX, settings.workflow_id_prefix)
        await session.commit()
        assert await jobs.start_export(session, skipping_client, job, settings.task_queue)
    handle = skipping_client.get_workflow_handle(job.workflow_id or "", result_type=ReportExportResult)
    assert (await handle.result()).rows == 9
    async with session_factory() as session:
        assert (await session.get_one(ReportExport, job.id)).status == ExportStatus.DONE
    await save_history(handle, "report_export_writes_a_workbook.json")

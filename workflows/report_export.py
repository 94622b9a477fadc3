"""Write one large compliance report export (a PDF or workbook of thousands of officers) to the file store.

Started by the portal when someone asks for it. The writing is one activity: it streams the officers into
a temporary file, reporting progress on the job's row (the portal's progress bar polls it) and heartbeating,
then stores the file and marks the job done. A retried attempt writes the file again from the start under
the same key, so a crash halfway never leaves half a file behind. When every attempt fails, the job is
marked failed with a reason the person who asked can read.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.report_export_types import REPORT_EXPORT_WORKFLOW, ExportFailure, ReportExportInput, ReportExportResult

with workflow.unsafe.imports_passed_through():
    from activities.report_export import ReportExportActivities

# 40,000 officers as a PDF take a few minutes; a stalled writer is noticed by its missing heartbeat.
_WRITE_TIMEOUT = timedelta(minutes=30)
_HEARTBEAT_TIMEOUT = timedelta(minutes=2)
# A few tries (the store or the database briefly away), not forever: the person is waiting for an answer.
_WRITE_RETRY = RetryPolicy(maximum_attempts=3, maximum_interval=timedelta(minutes=1))
# Marking the job failed must happen: retried until the database is back.
_DB_TIMEOUT = timedelta(minutes=1)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
FAILED_REASON = "The report could not be written. Please ask for it again; if it fails again, tell an administrator."


@workflow.defn(name=REPORT_EXPORT_WORKFLOW)
class ReportExportWorkflow:
    @workflow.run
    async def run(self, job: ReportExportInput) -> ReportExportResult:
        try:
            return await workflow.execute_activity_method(
                ReportExportActivities.write_export, job.export_id,
                start_to_close_timeout=_WRITE_TIMEOUT, heartbeat_timeout=_HEARTBEAT_TIMEOUT, retry_policy=_WRITE_RETRY,
            )
        except ActivityError:
            workflow.logger.warning("report export %s failed for good", job.export_id)
        await workflow.execute_activity_method(
            ReportExportActivities.fail_export, ExportFailure(job.export_id, FAILED_REASON),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        return ReportExportResult(written=False)

"""Once a day (a Temporal Schedule starts it): store every officer's compliance as of today, then the
day's snapshot of the counts.

What time alone changes (on track -> at risk -> overdue) is caught here; record, certificate, waiver
and requirement changes are stored as they happen by the licensing-cycle activity. People are walked
in batches by id, one activity each, the cursor carried from batch to batch, so 120,000 officers are
never loaded at once and a retried batch repeats only itself. The evaluation date comes from the run's
start time (deterministic on replay) and is kept across continue-as-new, so one run is one day. Runs
started without a date also pass that start instant, so each agency is evaluated and snapshotted on its
own date then (patch AGENCY_DAYS: runs recorded before it replay with the UTC date alone).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.compliance_refresh_types import (
    COMPLIANCE_REFRESH_WORKFLOW,
    ComplianceRefreshInput,
    ComplianceRefreshResult,
    RefreshBatch,
    SnapshotDay,
)

with workflow.unsafe.imports_passed_through():
    from activities.compliance_refresh import ComplianceRefreshActivities

# A batch evaluates up to 500 people (a few queries each); the snapshot is four INSERT ... SELECTs.
_DB_TIMEOUT = timedelta(minutes=10)
_DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))
AGENCY_DAYS = "compliance-refresh-agency-days"


@workflow.defn(name=COMPLIANCE_REFRESH_WORKFLOW)
class ComplianceRefreshWorkflow:
    @workflow.run
    async def run(self, job: ComplianceRefreshInput) -> ComplianceRefreshResult:
        at = job.at
        if at is None and job.on is None and workflow.patched(AGENCY_DAYS):
            at = workflow.now().isoformat()
        on = job.on or (datetime.fromisoformat(at) if at else workflow.now()).date().isoformat()
        cursor: int | None = job.after_officer_id
        batches = job.batches
        while cursor is not None:
            result = await workflow.execute_activity_method(
                ComplianceRefreshActivities.refresh_batch,
                RefreshBatch(on=on, after_officer_id=cursor, limit=job.batch_size, at=at),
                start_to_close_timeout=_DB_TIMEOUT,
                retry_policy=_DB_RETRY,
            )
            batches += 1
            cursor = result.next_after_officer_id
            if cursor is not None and workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(replace(job, on=on, after_officer_id=cursor, batches=batches, at=at))
        snapshot = await workflow.execute_activity_method(
            ComplianceRefreshActivities.take_snapshot,
            SnapshotDay(day=on, at=at),
            start_to_close_timeout=_DB_TIMEOUT,
            retry_policy=_DB_RETRY,
        )
        return ComplianceRefreshResult(on=on, batches=batches, snapshot=snapshot)

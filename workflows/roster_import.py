"""Apply a confirmed roster CSV import, batch by batch, then tell the coordinator it has finished.

Started when a coordinator confirms the preview. Each batch is one activity and one database
transaction that marks its rows applied, so a retry or a crash continues where it stopped and never
hires anyone twice; the database, not this history, is the truth about which rows are done. Long
runs continue as new.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.notification_mail import start_notification_emails
from workflows.roster_import_types import (
    ROSTER_IMPORT_WORKFLOW,
    RosterBatch,
    RosterImportInput,
)

with workflow.unsafe.imports_passed_through():
    from activities.roster_import import RosterImportActivities

# A batch of 200 people takes a few seconds; a database outage is waited out with backoff.
_DB_TIMEOUT = timedelta(minutes=5)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn(name=ROSTER_IMPORT_WORKFLOW)
class RosterImportWorkflow:
    @workflow.run
    async def run(self, job: RosterImportInput) -> int:
        while True:
            batch = await workflow.execute_activity_method(
                RosterImportActivities.apply_batch, RosterBatch(job.import_id, job.batch_size),
                start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
            )
            job.applied += batch.applied
            if not batch.more:
                break
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(job)
        completion = await workflow.execute_activity_method(
            RosterImportActivities.complete_import, job.import_id,
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        if completion.email_notification_id is not None:
            await asyncio.gather(*start_notification_emails([completion.email_notification_id]))
        return completion.applied

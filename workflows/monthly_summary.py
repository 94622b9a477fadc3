"""Once a month (a Temporal Schedule starts it on the 1st): mail each agency's command staff a summary of
the agency's training compliance.

Agencies are walked in batches by id, one activity each, the cursor carried from batch to batch. The
activity writes the batch's summaries as notifications keyed by person and month, so a retried batch or a
second run in the same month writes nothing new; each summary is then mailed by its own retried activity,
awaited before the next batch so the history stays small. The month and the instant the figures are as of
come from the run's start time (deterministic on replay) and are kept across continue-as-new.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.monthly_summary_types import (
    MONTHLY_SUMMARY_WORKFLOW,
    MonthlySummaryInput,
    SummaryBatch,
    month_before,
)
from workflows.notification_mail import start_notification_emails

with workflow.unsafe.imports_passed_through():
    from activities.monthly_summary import MonthlySummaryActivities

# A batch reads a few aggregates per agency and writes a row per command officer.
_BATCH_TIMEOUT = timedelta(minutes=10)
_BATCH_HEARTBEAT = timedelta(minutes=2)
_BATCH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))


@workflow.defn(name=MONTHLY_SUMMARY_WORKFLOW)
class MonthlySummaryWorkflow:
    @workflow.run
    async def run(self, job: MonthlySummaryInput) -> int:
        """Returns the number of summaries mailed by this run (0 when the month's were all sent before)."""
        started = workflow.now()
        month = job.month or month_before(started.date())
        as_of = job.as_of or started.isoformat()
        cursor: int | None = job.after_agency_id
        summaries = job.summaries
        while cursor is not None:
            result = await workflow.execute_activity_method(
                MonthlySummaryActivities.write_summaries,
                SummaryBatch(month=month, as_of=as_of, after_agency_id=cursor, limit=job.batch_size),
                start_to_close_timeout=_BATCH_TIMEOUT,
                heartbeat_timeout=_BATCH_HEARTBEAT,
                retry_policy=_BATCH_RETRY,
            )
            await asyncio.gather(*start_notification_emails(result.notification_ids))
            summaries += len(result.notification_ids)
            cursor = result.next_after_agency_id
            if cursor is not None and workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(replace(job, month=month, as_of=as_of, after_agency_id=cursor,
                                                 summaries=summaries))
        return summaries

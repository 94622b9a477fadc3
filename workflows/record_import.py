"""Import a confirmed CSV file of training records, batch by batch, then tell everyone concerned.

Started from the transactional outbox when a coordinator confirms the preview. Each batch is one
activity and one database transaction that marks its rows imported, so a retry or a crash continues
where it stopped and never creates a record twice; the database, not this history, is the truth about
which rows are done. Then the import is marked completed (the uploader is notified) and the officers
who got records are told to re-evaluate, a page at a time. Long runs continue as new.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.notification_mail import start_notification_emails
from workflows.record_import_types import (
    OFFICER_PAGE_SIZE,
    RECORD_IMPORT_WORKFLOW,
    ImportBatch,
    ImportedOfficersPage,
    RecordImportInput,
    RecordImportResult,
)

with workflow.unsafe.imports_passed_through():
    from activities.record_import import RecordImportActivities

# A batch of 500 rows takes a second or two; a database outage is waited out with backoff.
_DB_TIMEOUT = timedelta(minutes=5)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Signals are a nudge (each licensing cycle re-evaluates when it wakes anyway): give up after a few tries.
_SIGNAL_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=5)


@workflow.defn(name=RECORD_IMPORT_WORKFLOW)
class RecordImportWorkflow:
    @workflow.run
    async def run(self, job: RecordImportInput) -> RecordImportResult:
        while not job.finished:
            batch = await workflow.execute_activity_method(
                RecordImportActivities.import_batch, ImportBatch(job.import_id, job.batch_size),
                start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
            )
            job.imported += batch.imported
            if not batch.more:
                await self._complete(job)
            elif workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(job)
        await self._signal_officers(job)
        return RecordImportResult(imported=job.imported, signalled=job.signalled)

    async def _complete(self, job: RecordImportInput) -> None:
        completion = await workflow.execute_activity_method(
            RecordImportActivities.complete_import, job.import_id,
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        job.imported = completion.imported
        job.finished = True
        if completion.email_notification_id is not None:
            await asyncio.gather(*start_notification_emails([completion.email_notification_id]))

    async def _signal_officers(self, job: RecordImportInput) -> None:
        while True:
            try:
                page = await workflow.execute_activity_method(
                    RecordImportActivities.signal_imported_officers,
                    ImportedOfficersPage(job.import_id, job.after_officer_id, OFFICER_PAGE_SIZE),
                    start_to_close_timeout=_DB_TIMEOUT, retry_policy=_SIGNAL_RETRY,
                )
            except ActivityError:  # the records are in; a missed nudge only waits for the next wake-up
                workflow.logger.warning("import %s: stopped telling officers to recompute", job.import_id)
                return
            job.signalled += page.signalled
            if page.next_after_id is None:
                return
            job.after_officer_id = page.next_after_id
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(job)

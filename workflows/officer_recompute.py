"""Tell a list of officers' licensing-cycle workflows to re-evaluate, after records were added for them.

Started from the transactional outbox in the transaction that adds the records (a coordinator's bulk
entry), so the nudge is not lost when Temporal is down at that moment, and the page that added them
answers without waiting for hundreds of signals.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from workflows.officer_recompute_types import (
    OFFICER_RECOMPUTE_WORKFLOW,
    PAGE_SIZE,
    OfficerList,
    OfficerRecomputeInput,
)

with workflow.unsafe.imports_passed_through():
    from activities.officer_signals import OfficerSignalActivities

# A page of 500 signals at a few milliseconds each; signals are idempotent, so a retried page is harmless.
_PAGE_TIMEOUT = timedelta(minutes=5)
_PAGE_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=10)


@workflow.defn(name=OFFICER_RECOMPUTE_WORKFLOW)
class OfficerRecomputeWorkflow:
    @workflow.run
    async def run(self, job: OfficerRecomputeInput) -> int:
        """Returns how many running licensing-cycle workflows were signalled."""
        signalled = 0
        for start in range(0, len(job.officer_ids), PAGE_SIZE):
            try:
                signalled += await workflow.execute_activity_method(
                    OfficerSignalActivities.signal_officers, OfficerList(job.officer_ids[start:start + PAGE_SIZE]),
                    start_to_close_timeout=_PAGE_TIMEOUT, retry_policy=_PAGE_RETRY,
                )
            except ActivityError:  # a nudge, not the change: each cycle re-evaluates when it wakes anyway
                workflow.logger.warning("stopped telling %d officers to recompute", len(job.officer_ids) - start)
                break
        return signalled

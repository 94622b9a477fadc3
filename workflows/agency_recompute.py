"""Tell every tracked officer of an agency to re-evaluate, after its own requirements changed.

Started from the transactional outbox with the requirement change. It walks the roster in pages (an
activity signals each officer's licensing-cycle workflow and returns the next cursor), so an agency of
any size is one short workflow; long walks continue as new before the history grows large.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.agency_recompute_types import (
    AGENCY_RECOMPUTE_WORKFLOW,
    AgencyRecomputeInput,
    RecomputePage,
)

with workflow.unsafe.imports_passed_through():
    from activities.agency_recompute import AgencyRecomputeActivities

# A page of 500 signals at a few milliseconds each; retried from the same cursor (signals are idempotent).
_PAGE_TIMEOUT = timedelta(minutes=5)
_PAGE_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn(name=AGENCY_RECOMPUTE_WORKFLOW)
class AgencyRecomputeWorkflow:
    @workflow.run
    async def run(self, job: AgencyRecomputeInput) -> int:
        """Returns how many running licensing-cycle workflows were signalled."""
        while True:
            page = await workflow.execute_activity_method(
                AgencyRecomputeActivities.signal_officer_page,
                RecomputePage(agency_id=job.agency_id, after_id=job.after_id, limit=job.page_size),
                start_to_close_timeout=_PAGE_TIMEOUT,
                retry_policy=_PAGE_RETRY,
            )
            job.signalled += page.signalled
            if page.next_after_id is None:
                return job.signalled
            job.after_id = page.next_after_id
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(job)

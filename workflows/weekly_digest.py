"""Once a week (a Temporal Schedule starts it): mail every weekly-digest reader what waited for them.

People are handled in batches by one activity, a cursor carried from batch to batch, so a
40,000-officer agency never loads at once and a retried batch repeats only itself. The week's
name comes from the workflow's start time, which is deterministic on replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.digests import DigestActivities, DigestBatch

WEEKLY_DIGEST_WORKFLOW = "WeeklyDigest"
WEEKLY_DIGEST_SCHEDULE_ID = "muster-weekly-digest"
BATCH_SIZE = 500
# A batch sends up to BATCH_SIZE mails; heartbeats after each person show it is alive.
_BATCH_TIMEOUT = timedelta(minutes=30)
_BATCH_HEARTBEAT = timedelta(minutes=2)
_BATCH_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=10))


@dataclass
class WeeklyDigestInput:
    """Empty when the Schedule starts it; carried across continue-as-new otherwise."""

    week: str | None = None
    after_person_id: int = 0
    digests: int = 0


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@workflow.defn(name=WEEKLY_DIGEST_WORKFLOW)
class WeeklyDigestWorkflow:
    @workflow.run
    async def run(self, request: WeeklyDigestInput) -> int:
        """Returns the number of digests of the week."""
        week = request.week or iso_week(workflow.now().date())
        cursor, digests = request.after_person_id, request.digests
        while True:
            result = await workflow.execute_activity_method(
                DigestActivities.send_weekly_digests,
                DigestBatch(week=week, after_person_id=cursor, size=BATCH_SIZE),
                start_to_close_timeout=_BATCH_TIMEOUT,
                heartbeat_timeout=_BATCH_HEARTBEAT,
                retry_policy=_BATCH_RETRY,
            )
            digests += result.digests
            if result.next_after_person_id is None:
                return digests
            cursor = result.next_after_person_id
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(WeeklyDigestInput(week=week, after_person_id=cursor, digests=digests))

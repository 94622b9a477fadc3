"""The baseline for the licensing-cycle rows: the same shape (an activity on each wake, a long sleep that a
`recompute` signal cuts short) with an activity that does nothing."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import activity, workflow

from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE, EvaluateInput, LicensingCycleState

NOOP_WAKE = "noop_wake"


@activity.defn(name=NOOP_WAKE)
async def noop_wake(request: EvaluateInput) -> int:
    return request.officer_id


@workflow.defn(name="BenchNoopCycle")
class NoopCycleWorkflow:
    def __init__(self) -> None:
        self._changed = False

    @workflow.run
    async def run(self, state: LicensingCycleState) -> str:
        while True:
            self._changed = False
            await workflow.execute_activity(noop_wake, EvaluateInput(officer_id=state.officer_id, on=""),
                                            start_to_close_timeout=timedelta(seconds=60))
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._changed, timeout=timedelta(days=30))

    @workflow.signal(name=SIGNAL_RECOMPUTE)
    def recompute(self) -> None:
        self._changed = True

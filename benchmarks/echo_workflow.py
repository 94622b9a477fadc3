"""The baseline for decision timings: an Update whose handler does nothing."""

from __future__ import annotations

from temporalio import workflow


@workflow.defn(name="BenchEcho")
class EchoWorkflow:
    def __init__(self) -> None:
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    async def echo(self, value: int) -> int:
        return value

    @workflow.signal
    def finish(self) -> None:
        self._done = True

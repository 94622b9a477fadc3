"""Sending Updates from the portal: a workflow busy for a moment still takes the click; a refusal
comes back as words to show; a workflow that is not there says so.

Runs on the real Temporal dev server (real time: the busy spell is a short workflow timer) with a
small workflow defined here, so the retry is proven without the portal's workflows' timing.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.workflow_updates import WorkflowRefusal, send_update
from workflows.refusals import refuse, refuse_busy


@workflow.defn(sandboxed=False)
class BusyThenReady:
    def __init__(self) -> None:
        self._ready = False
        self._done = False

    @workflow.run
    async def run(self) -> None:
        await asyncio.sleep(0.4)  # "recording the previous step"
        self._ready = True
        await workflow.wait_condition(lambda: self._done)

    @workflow.update
    async def act(self, who: str) -> str:
        self._done = True
        return f"done by {who}"

    @act.validator
    def _validate_act(self, who: str) -> None:
        if who == "stranger":
            refuse("Only the assignee may act.")
        if not self._ready:
            refuse_busy("Busy recording; try again in a moment.")


@pytest.fixture
async def busy_workflow(temporal_env: WorkflowEnvironment):  # type: ignore[no-untyped-def]
    queue = f"updates-{uuid.uuid4()}"
    async with Worker(temporal_env.client, task_queue=queue, workflows=[BusyThenReady]):
        handle = await temporal_env.client.start_workflow(
            BusyThenReady.run, id=f"busy-{uuid.uuid4()}", task_queue=queue,
            execution_timeout=timedelta(minutes=1),
        )
        yield temporal_env.client, handle.id


async def test_a_click_while_the_workflow_records_its_previous_step_still_counts(busy_workflow) -> None:
    client, workflow_id = busy_workflow
    assert await send_update(client, workflow_id, "act", "sgt", not_running="gone") == "done by sgt"


async def test_a_validator_refusal_is_raised_at_once_with_its_message(busy_workflow) -> None:
    client, workflow_id = busy_workflow
    with pytest.raises(WorkflowRefusal, match="Only the assignee may act."):
        await send_update(client, workflow_id, "act", "stranger", not_running="gone")


async def test_a_workflow_that_does_not_exist_gives_the_callers_message(temporal_env: WorkflowEnvironment) -> None:
    with pytest.raises(WorkflowRefusal, match="This request is no longer pending."):
        await send_update(temporal_env.client, "no-such-workflow", "act", "sgt",
                          not_running="This request is no longer pending.")
    with pytest.raises(WorkflowRefusal, match="still being set up"):
        await send_update(temporal_env.client, None, "act", "sgt", not_running="It is still being set up.")

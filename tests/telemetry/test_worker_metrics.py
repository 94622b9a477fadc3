"""The worker's metrics: the Temporal SDK's own, and the queue gauges, on the worker's port; one JSON
line per activity attempt."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker

# The probe workflow below is checked in the sandbox, which re-imports this module: models stay outside.
with workflow.unsafe.imports_passed_through():
    from telemetry.structured_logs import ACTIVITIES
    from telemetry.worker import (
        ESCALATIONS_WAITING,
        OUTBOX_WAITING,
        SDK_METRICS,
        ActivityAttemptLog,
        publish_queue_gauges,
        runtime_for,
    )
    from tests.telemetry.conftest import free_port
    from tests.telemetry.logs import json_lines
    from tests.telemetry.test_portal_metrics import exposed_families

_failures_left = {"count": 1}


@activity.defn(name="flaky_once")
async def flaky_once(officer_name: str) -> str:
    if _failures_left["count"]:
        _failures_left["count"] -= 1
        raise RuntimeError(f"mail server said no to {officer_name}")
    return "sent"


@workflow.defn(name="TelemetryProbe")
class TelemetryProbe:
    @workflow.run
    async def run(self, officer_name: str) -> str:
        return await workflow.execute_activity(
            flaky_once, officer_name, start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=10)))


async def test_worker_serves_sdk_metrics_and_queue_gauges_and_logs_each_attempt(temporal_env, settings,
                                                                                 session_factory):
    _failures_left["count"] = 1
    port = free_port()
    runtime = runtime_for(replace(settings, worker_metrics_address=f"127.0.0.1:{port}"))
    assert runtime is not None
    client = await Client.connect(temporal_env.client.service_client.config.target_host, runtime=runtime)
    queue = f"telemetry-{uuid.uuid4().hex[:8]}"
    gauges = asyncio.create_task(publish_queue_gauges(runtime, session_factory, every=0.05))
    try:
        with json_lines(ACTIVITIES) as lines:
            async with Worker(client, task_queue=queue, workflows=[TelemetryProbe], activities=[flaky_once],
                              interceptors=[ActivityAttemptLog()]):
                assert await client.execute_workflow(TelemetryProbe.run, "Jane Doe", id=queue,
                                                     task_queue=queue) == "sent"
                names = await _scraped_names_once(port, {ESCALATIONS_WAITING, OUTBOX_WAITING})
    finally:
        gauges.cancel()

    for name in (*SDK_METRICS, ESCALATIONS_WAITING, OUTBOX_WAITING):
        assert name in names, name
    failed, completed = lines
    assert (failed["activity_type"], failed["attempt"], failed["outcome"]) == ("flaky_once", 1, "failed")
    assert failed["error_type"] == "RuntimeError" and failed["workflow_id"] == queue
    assert (completed["attempt"], completed["outcome"]) == (2, "completed")
    assert "Jane" not in str(lines)  # arguments and error messages stay out of the logs


async def _scraped_names_once(port: int, required: set[str]) -> set[str]:
    """The metric names on the worker's port once the queue gauges have been set (they start a moment later)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while True:
        names = await asyncio.to_thread(exposed_families, port)
        if required <= names or loop.time() > deadline:
            return names
        await asyncio.sleep(0.05)

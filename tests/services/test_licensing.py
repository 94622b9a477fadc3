"""Telling the licensing-cycle workflow to recompute is best-effort: True when delivered, False otherwise."""

from __future__ import annotations

import asyncio
import contextlib

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from services.licensing import tell_cycle_changed
from tests.services.records_support import license_officer
from workflows.licensing_cycle_types import LICENSING_CYCLE_WORKFLOW, LicensingCycleState, licensing_cycle_workflow_id


async def test_returns_false_when_temporal_is_unreachable():
    client = await Client.connect("127.0.0.1:1", lazy=True)
    assert await tell_cycle_changed(client, 42, "test-") is False


async def test_returns_false_when_the_officer_has_no_running_workflow(temporal_client, settings):
    assert await tell_cycle_changed(temporal_client, 987654, settings.workflow_id_prefix) is False


async def test_signals_the_running_workflow(temporal_client, settings, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    workflow_id = licensing_cycle_workflow_id(demo_org.officer1, settings.workflow_id_prefix)
    handle = await temporal_client.start_workflow(
        LICENSING_CYCLE_WORKFLOW, LicensingCycleState(officer_id=demo_org.officer1), id=workflow_id,
        task_queue=settings.task_queue,
    )
    try:
        assert await tell_cycle_changed(temporal_client, demo_org.officer1, settings.workflow_id_prefix) is True
        # A signal that arrives during a workflow task is buffered, and written to history after it.
        for _ in range(100):
            kinds = [event.event_type async for event in handle.fetch_history_events()]
            if EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED in kinds:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the signal never reached the workflow's history")
    finally:
        with contextlib.suppress(Exception):
            await handle.terminate("test finished")

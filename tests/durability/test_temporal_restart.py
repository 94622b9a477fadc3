"""Temporal itself restarts (the dev server on its SQLite file): pending requests carry on where they were.

The server runs as a subprocess of this test, so it can be stopped and started again on the same
database file and port, as an operator restarting the service would.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from services.workflow_starts import dispatch_one
from tests.support import create_request, timeline, wait_for_open_task
from tests.workflows.test_training_request_workflow import approval_settled, decide
from worker import build_worker
from workflows.training_request_types import DecisionAction

TEMPORAL = Path(sys.executable).parent / "temporal"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dev_server(db_file: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The real dev server on `db_file` (persistent history) and `port`; stopped with SIGTERM on exit."""
    process = subprocess.Popen(  # noqa: S603 (the venv's own binary, fixed arguments)
        [str(TEMPORAL), "server", "start-dev", "--db-filename", str(db_file), "--ip", "127.0.0.1",
         "--port", str(port), "--headless", "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def connect(port: int, timeout: float = 60) -> Client:
    """Connect once the server answers (it takes a moment to open its database)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await Client.connect(f"127.0.0.1:{port}")
        except Exception:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


@asynccontextmanager
async def serving(client: Client, session_factory, settings) -> AsyncIterator[None]:
    async with build_worker(client, session_factory, settings, settings.task_queue):
        yield


async def test_a_pending_request_and_its_scheduled_retries_survive_a_temporal_restart(
    session_factory, settings, demo_org, mailbox, tmp_path
):
    db_file, port = tmp_path / "temporal.db", _free_port()
    workflow_id = f"{settings.workflow_id_prefix}training-request-"
    # Mail is refused for now: the notification activities fail and the server schedules their retries.
    mailbox.refuse_with = "451 4.3.0 Temporary local problem, try again later"

    with dev_server(db_file, port):
        client = await connect(port)
        async with serving(client, session_factory, settings):
            request_id, message_id = await create_request(
                session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
            )
            assert await dispatch_one(session_factory, client, message_id, settings.task_queue)
            task = await wait_for_open_task(session_factory, request_id, timeout=30)
            assert task.assignee_id == demo_org.sgt1
            handle = client.get_workflow_handle(f"{workflow_id}{request_id}")
            await _eventually(lambda: _has_failed_mail_attempt(handle))
    # The server is down: nothing was delivered, and the sergeant's task is still open in the database.
    assert mailbox.messages == []
    mailbox.refuse_with = None

    with dev_server(db_file, port):
        client = await connect(port)
        handle = client.get_workflow_handle(f"{workflow_id}{request_id}")
        # The server remembers the workflow from its file alone, before any worker is back.
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        async with serving(client, session_factory, settings):
            assert await asyncio.wait_for(decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE, "OK"), 60) \
                == "approved"
            assert await approval_settled(handle, timeout=90) == "approved"

    assert await timeline(session_factory, request_id) == ["submitted", "approved"]
    # The retries scheduled before the restart fired after it: each mail arrived, once.
    assert sorted(message["To"] for message in mailbox.messages) == [
        "officer1@test.example", "officer1@test.example", "sgt1@test.example"
    ]


async def _has_failed_mail_attempt(handle) -> bool:  # type: ignore[no-untyped-def]
    """True once a notification mail failed and its retry is pending on the server."""
    description = await handle.describe()
    pending = description.raw_description.pending_activities
    if any(activity.attempt > 1 or activity.HasField("last_failure") for activity in pending):
        return True
    history = await handle.fetch_history()
    return any(event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED for event in history.events)


async def _eventually(check, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.1)

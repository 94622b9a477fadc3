"""A worker killed with SIGKILL loses nothing: a new worker process carries the request on."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from services.workflow_starts import dispatch_one
from settings import PROJECT_ROOT, Settings
from tests.support import create_request, timeline, wait_for_open_task
from tests.workflows.test_training_request_workflow import approval_settled, decide
from workflows.training_request_types import DecisionAction


def start_worker_process(settings: Settings, env: WorkflowEnvironment, var_dir: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "MUSTER_DATABASE_URL": settings.database_url,
        "MUSTER_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "MUSTER_TASK_QUEUE": settings.task_queue,
        "MUSTER_WORKFLOW_ID_PREFIX": settings.workflow_id_prefix,
        "MUSTER_SMTP_HOST": settings.smtp_host,
        "MUSTER_SMTP_PORT": str(settings.smtp_port),
        "MUSTER_SECRET_KEY": settings.secret_key,
        "MUSTER_VAR_DIR": str(var_dir),
    }
    return subprocess.Popen([sys.executable, "worker.py"], cwd=PROJECT_ROOT, env=environment,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_a_decision_sent_while_the_worker_is_dead_is_recorded_once_by_the_next_worker(
    session_factory, temporal_env, settings, demo_org, tmp_path, mailbox
):
    first = start_worker_process(settings, temporal_env, tmp_path)
    try:
        request_id, message_id = await create_request(
            session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
        )
        assert await dispatch_one(session_factory, temporal_env.client, message_id, settings.task_queue)
        task = await wait_for_open_task(session_factory, request_id, timeout=30)
        # Let the submission mails go out first: an activity cut off by the kill is only retried
        # after its start-to-close timeout (a minute), which would just slow this test down.
        await _eventually(lambda: len(mailbox.messages) == 2)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()

    handle = temporal_env.client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    decision = asyncio.create_task(decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE, "OK"))
    await asyncio.sleep(1)
    assert not decision.done()  # nobody is running the workflow right now

    second = start_worker_process(settings, temporal_env, tmp_path)
    try:
        assert await asyncio.wait_for(decision, timeout=60) == "approved"
        assert await approval_settled(handle, timeout=60) == "approved"
    finally:
        second.terminate()
        second.wait()
    assert await timeline(session_factory, request_id) == ["submitted", "approved"]


async def _eventually(check, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)

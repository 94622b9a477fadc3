"""A submitted request survives Temporal being unreachable, and its workflow starts exactly once."""

from __future__ import annotations

import socket

from sqlalchemy import select
from temporalio.client import Client

from models import OutboxMessage, RequestStatus, TrainingRequest
from services.workflow_starts import _start, dispatch_due, dispatch_one
from tests.support import create_request, wait_for_open_task


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_request_is_kept_while_temporal_is_unreachable_and_starts_once_it_is_back(
    session_factory, temporal_client, settings, demo_org
):
    unreachable = await Client.connect(f"127.0.0.1:{_closed_port()}", lazy=True)
    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
    )

    assert not await dispatch_one(session_factory, unreachable, message_id, settings.task_queue)
    async with session_factory() as session:
        message = await session.get_one(OutboxMessage, message_id)
        assert message.dispatched_at is None and message.attempts == 1 and message.last_error
        assert (await session.get_one(TrainingRequest, request_id)).status == RequestStatus.SUBMITTED
        # Retry is scheduled with backoff; make it due now, as time would.
        message.next_attempt_at = message.created_at
        await session.commit()

    assert await dispatch_due(session_factory, temporal_client, settings.task_queue) == 1
    task = await wait_for_open_task(session_factory, request_id)
    assert task.assignee_id == demo_org.sgt1
    assert await dispatch_due(session_factory, temporal_client, settings.task_queue) == 0


async def test_a_start_repeated_after_a_crash_does_not_run_the_workflow_twice(
    session_factory, temporal_client, settings, demo_org
):
    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
    )
    async with session_factory() as session:
        message = await session.get_one(OutboxMessage, message_id)
    # The relay started the workflow, then crashed before recording that it had.
    await _start(temporal_client, message, settings.task_queue)
    await wait_for_open_task(session_factory, request_id)

    assert await dispatch_one(session_factory, temporal_client, message_id, settings.task_queue)

    workflow_id = f"{settings.workflow_id_prefix}training-request-{request_id}"
    runs = [w async for w in temporal_client.list_workflows(f"WorkflowId = '{workflow_id}'")]
    assert len(runs) == 1
    async with session_factory() as session:
        assert (await session.scalar(select(OutboxMessage.dispatched_at).where(OutboxMessage.id == message_id)))


async def test_every_licensed_employed_officer_gets_one_queued_licensing_cycle_start(
    session_factory, settings, demo_org
):
    from datetime import date

    from models import EmploymentStatus, Person
    from services.workflow_starts import START_LICENSING_CYCLE, queue_missing_licensing_cycles

    async with session_factory() as session, session.begin():
        for person_id in (demo_org.officer1, demo_org.officer2, demo_org.sgt1):
            (await session.get_one(Person, person_id)).license_date = date(2020, 8, 1)
        separated = await session.get_one(Person, demo_org.officer2)
        separated.employment_status = EmploymentStatus.SEPARATED
    for _ in range(2):  # a second sweep queues nothing new
        async with session_factory() as session, session.begin():
            await queue_missing_licensing_cycles(session, settings.workflow_id_prefix)
    async with session_factory() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == START_LICENSING_CYCLE)))
    assert sorted(row.workflow_id for row in rows) == sorted(
        f"{settings.workflow_id_prefix}licensing-cycle-{pid}" for pid in (demo_org.officer1, demo_org.sgt1)
    )
    assert {row.payload["officer_id"] for row in rows} == {demo_org.officer1, demo_org.sgt1}

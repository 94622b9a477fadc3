"""Roster changes land in the running workflows (real Temporal dev server, real worker and database):
separation ends the licensing cycle, re-hire starts a new run, a transfer moves first-level approvals."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select
from temporalio.client import Client, WorkflowExecutionStatus

from models import AuditEvent, OutboxMessage, Person, Unit, UserAccount
from services.roster_employment import Separation, rehire, separate
from services.roster_people import transfer
from services.roster_workflows import after_roster_change
from services.workflow_starts import dispatch_one, queue_licensing_cycle
from tests.support import create_request, wait_for_open_task
from workflows.licensing_cycle_types import licensing_cycle_workflow_id


async def _running_run(client: Client, workflow_id: str, not_run: str | None = None) -> str:
    """The run id of the workflow's running execution (a new one when `not_run` is given)."""
    for _ in range(200):
        description = await client.get_workflow_handle(workflow_id).describe()
        if description.status == WorkflowExecutionStatus.RUNNING and description.run_id != not_run:
            return description.run_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} has no new running execution")


async def test_separation_ends_the_licensing_cycle_and_rehire_starts_a_new_run(
        session_factory, temporal_client, settings, org, coordinator):
    workflow_id = licensing_cycle_workflow_id(org.officer1, settings.workflow_id_prefix)
    async with session_factory() as session, session.begin():
        (await session.get_one(Person, org.officer1)).license_date = date(2025, 8, 1)
        message = await queue_licensing_cycle(session, org.officer1, settings.workflow_id_prefix)
    assert await dispatch_one(session_factory, temporal_client, message.id, settings.task_queue)
    first_run = await _running_run(temporal_client, workflow_id)

    async with session_factory() as session:
        officer = await session.get_one(Person, org.officer1)
        await separate(session, coordinator, None, officer, Separation(date(2026, 11, 30), "Resigned"))
        await session.commit()
    await after_roster_change(session_factory, temporal_client, settings, org.officer1)
    assert await temporal_client.get_workflow_handle(workflow_id, run_id=first_run).result() == "no longer tracked"
    async with session_factory() as session:
        account = await session.scalar(select(UserAccount).where(UserAccount.person_id == org.officer1))
        assert account is not None and not account.is_active

    async with session_factory() as session:
        officer = await session.get_one(Person, org.officer1)
        await rehire(session, coordinator, None, officer, date(2026, 12, 7), False,
                     workflow_id_prefix=settings.workflow_id_prefix)
        await session.commit()
    await after_roster_change(session_factory, temporal_client, settings, org.officer1)
    second_run = await _running_run(temporal_client, workflow_id, not_run=first_run)
    assert second_run != first_run
    async with session_factory() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.workflow_id == workflow_id)))
    # One row per officer, dispatched again: the sweep never queues a second one.
    assert len(rows) == 1 and rows[0].dispatched_at is not None
    await temporal_client.get_workflow_handle(workflow_id).terminate("test over")


async def test_a_transfer_moves_the_former_supervisors_open_approval_even_if_temporal_was_down(
        session_factory, temporal_client, unreachable_temporal, settings, org, coordinator):
    request_id, outbox_id = await create_request(session_factory, org, org.officer1,
                                                 workflow_id_prefix=settings.workflow_id_prefix)
    assert await dispatch_one(session_factory, temporal_client, outbox_id, settings.task_queue)
    task = await wait_for_open_task(session_factory, request_id)
    assert task.assignee_id == org.sgt1

    async with session_factory() as session:
        officer = await session.get_one(Person, org.officer1)
        patrol_b = await session.scalar(select(Unit.id).where(Unit.agency_id == org.agency_id,
                                                              Unit.name == "Patrol B"))
        moved = await transfer(session, coordinator, "127.0.0.1", officer, patrol_b, org.sgt2, date(2026, 12, 1))
        await session.commit()
    assert moved.moved_task_ids == [task.id]
    # Temporal is down when the transfer is committed: the move waits in the outbox.
    await after_roster_change(session_factory, unreachable_temporal, settings, org.officer1, moved.outbox_ids)
    async with session_factory() as session:
        pending = await session.get_one(OutboxMessage, moved.outbox_ids[0])
        assert pending.dispatched_at is None
    # The relay sends it once Temporal is back (at its retry time; here at once).
    assert await dispatch_one(session_factory, temporal_client, moved.outbox_ids[0], settings.task_queue)
    new_task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert new_task.assignee_id == org.sgt2
    async with session_factory() as session:
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.transfer"))
    assert audit is not None
    assert (audit.detail["before"]["supervisor_id"], audit.detail["after"]["supervisor_id"]) == (org.sgt1, org.sgt2)
    assert audit.detail["moved_task_ids"] == [task.id]
    await temporal_client.get_workflow_handle(task.workflow_id).terminate("test over")

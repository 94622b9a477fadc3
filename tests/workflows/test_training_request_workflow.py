"""The training-request workflow on the time-skipping server, with real activities and database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from activities.training_requests import certificate_reminder_at
from models import Agency, Notification, RequestStatus, Task, TaskQueue, TaskStatus, TrainingRequest
from services.workflow_starts import dispatch_one
from tests.support import Org, create_request, execute_update_when_ready, timeline, wait_for_open_task
from workflows.business_days import add_business_days
from workflows.training_request_types import (
    QUERY_STATE,
    UPDATE_DECIDE,
    UPDATE_REASSIGN,
    UPDATE_RESUBMIT,
    UPDATE_WITHDRAW,
    ApprovalState,
    Decision,
    DecisionAction,
    Reassignment,
    Resubmission,
    Withdrawal,
)


async def start(factory, client: Client, settings, org: Org, **kwargs) -> tuple[int, WorkflowHandle]:
    request_id, message_id = await create_request(factory, org, org.officer1,
                                                  workflow_id_prefix=settings.workflow_id_prefix, **kwargs)
    assert await dispatch_one(factory, client, message_id, settings.task_queue)
    return request_id, client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")


async def decide(handle: WorkflowHandle, task: Task, actor: int, action: DecisionAction, comment: str = "",
                 coordinator: bool = False) -> str:
    return await execute_update_when_ready(
        handle, UPDATE_DECIDE,
        Decision(actor_id=actor, action=action, comment=comment, actor_is_coordinator=coordinator),
        id=f"decision:{task.id}",
    )


async def approval_settled(handle: WorkflowHandle, timeout: float = 15) -> str:
    """The outcome once the decision and its mails are done: only the certificate reminders may remain.

    (After an approval the workflow stays open until after the course; awaiting its result would
    wait that long.)
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        state = await handle.query(QUERY_STATE, result_type=ApprovalState)
        if state.outcome is not None and state.waiting_for_certificate:
            return state.outcome
        if (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED:
            return str(await handle.result())
        if loop.time() > deadline:
            raise AssertionError(f"the approval did not settle in time: {state}")
        await asyncio.sleep(0.05)


async def status_of(factory, request_id: int) -> str:
    async with factory() as session:
        return (await session.get_one(TrainingRequest, request_id)).status


async def test_request_under_threshold_is_approved_by_the_sergeant_alone(
    session_factory, skipping_client, settings, demo_org, mailbox
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org, tuition_cents=20_000)
    task = await wait_for_open_task(session_factory, request_id)
    assert task.assignee_id == demo_org.sgt1

    assert await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE, "Good course") == "approved"

    assert await approval_settled(handle) == "approved"
    assert await status_of(session_factory, request_id) == RequestStatus.APPROVED
    assert await timeline(session_factory, request_id) == ["submitted", "approved"]
    subjects = {(m["To"], m["Subject"]) for m in mailbox.messages}
    assert ("sgt1@test.example", "[Muster] A training request needs your decision: Crisis Intervention Team course") \
        in subjects
    assert ("officer1@test.example", "[Muster] Request approved: Crisis Intervention Team course") in subjects


@pytest.mark.parametrize("kwargs", [{"tuition_cents": 65_000}, {"tuition_cents": 10_000, "overnight": True}],
                         ids=["above-threshold", "overnight-travel"])
async def test_costly_or_overnight_request_goes_on_to_the_lieutenant_after_the_sergeant(
    session_factory, skipping_client, settings, demo_org, kwargs, mailbox
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org, **kwargs)
    first = await wait_for_open_task(session_factory, request_id)
    assert first.assignee_id == demo_org.sgt1

    assert await decide(handle, first, demo_org.sgt1, DecisionAction.APPROVE) == "forwarded"
    second = await wait_for_open_task(session_factory, request_id)
    assert second.assignee_id == demo_org.lt1
    assert await status_of(session_factory, request_id) == RequestStatus.IN_REVIEW

    assert await decide(handle, second, demo_org.lt1, DecisionAction.APPROVE) == "approved"
    assert await approval_settled(handle) == "approved"
    assert await timeline(session_factory, request_id) == ["submitted", "approved", "assigned", "approved"]
    subjects = {(m["To"], m["Subject"].strip()) for m in mailbox.messages}
    assert ("lt1@test.example", "[Muster] A training request was forwarded to you: Crisis Intervention Team course") \
        in subjects


async def test_changes_requested_goes_back_to_the_officer_and_resubmission_returns_to_the_same_approver(
    session_factory, skipping_client, settings, demo_org
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)

    result = await decide(handle, task, demo_org.sgt1, DecisionAction.REQUEST_CHANGES, "Add the agenda")
    assert result == "changes_requested"
    assert await status_of(session_factory, request_id) == RequestStatus.CHANGES_REQUESTED

    resubmitted = await handle.execute_update(
        UPDATE_RESUBMIT, Resubmission(actor_id=demo_org.officer1, comment="Agenda attached"), id="resubmit:1"
    )
    assert resubmitted == "resubmitted"
    again = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert again.assignee_id == demo_org.sgt1
    assert await decide(handle, again, demo_org.sgt1, DecisionAction.APPROVE) == "approved"
    assert await timeline(session_factory, request_id) == [
        "submitted", "changes_requested", "resubmitted", "approved"
    ]


async def test_officer_can_withdraw_a_pending_request_and_the_approvers_task_closes(
    session_factory, skipping_client, settings, demo_org
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)

    assert await handle.execute_update(
        UPDATE_WITHDRAW, Withdrawal(actor_id=demo_org.officer1, comment="Course cancelled"), id="withdraw:x"
    ) == "withdrawn"

    assert await handle.result() == "withdrawn"
    async with session_factory() as session:
        closed = await session.get_one(Task, task.id)
        assert closed.status == TaskStatus.CANCELLED
        assert (await session.get_one(TrainingRequest, request_id)).status == RequestStatus.WITHDRAWN


async def test_a_denial_needs_a_reason(session_factory, skipping_client, settings, demo_org):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, task, demo_org.sgt1, DecisionAction.DENY, "  ")
    assert "reason" in str(refused.value.cause)
    assert await decide(handle, task, demo_org.sgt1, DecisionAction.DENY, "No budget") == "denied"
    assert await status_of(session_factory, request_id) == RequestStatus.DENIED


@pytest.mark.parametrize(
    ("who", "message"),
    [("officer1", "your own request"), ("sgt2", "not waiting for your decision"),
     ("lt1", "not waiting for your decision")],
    ids=["self-approval", "sergeant-outside-chain", "skipping-a-level"],
)
async def test_only_the_current_approver_may_decide(session_factory, skipping_client, settings, demo_org,
                                                    who, message):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await decide(handle, task, getattr(demo_org, who), DecisionAction.APPROVE)
    assert message in str(refused.value.cause)
    assert await status_of(session_factory, request_id) == RequestStatus.IN_REVIEW


async def test_a_double_click_is_one_decision(session_factory, skipping_client, settings, demo_org):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org, tuition_cents=65_000)
    task = await wait_for_open_task(session_factory, request_id)
    first = await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    second = await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)  # same update id
    assert first == second == "forwarded"
    assert await timeline(session_factory, request_id) == ["submitted", "approved", "assigned"]


async def test_the_approver_is_reminded_after_two_business_days_and_bypassed_after_five(
    session_factory, skipping_client, business_week, settings, demo_org, mailbox
):
    monday = business_week.monday  # submitted Monday 09:00: reminded Wednesday 09:00, escalated next Monday
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)

    await business_week.skip_to(monday + timedelta(days=2, hours=-1))  # Wednesday 08:00
    assert "reminded" not in await timeline(session_factory, request_id)

    await business_week.skip_to(monday + timedelta(days=2, hours=1))  # Wednesday 10:00
    await _eventually(lambda: _kinds_contain(session_factory, request_id, "reminded"))
    assert any(m["Subject"].startswith("[Muster] Reminder") and m["To"] == "sgt1@test.example"
               for m in mailbox.messages)

    await business_week.skip_to(monday + timedelta(days=5, hours=1))  # Saturday 10:00: 5 days, not 5 business days
    assert "escalated" not in await timeline(session_factory, request_id)

    await business_week.skip_to(monday + timedelta(days=7, hours=1))  # the next Monday 10:00
    escalated = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert escalated.assignee_id == demo_org.lt1
    async with session_factory() as session:
        assert (await session.get_one(Task, task.id)).status == TaskStatus.CANCELLED
    # The bypassed sergeant can no longer decide; the lieutenant can.
    with pytest.raises(WorkflowUpdateFailedError):
        await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    assert await decide(handle, escalated, demo_org.lt1, DecisionAction.APPROVE) == "approved"


async def test_when_nobody_up_the_chain_acts_it_lands_with_the_coordinators_who_decide(
    session_factory, skipping_client, business_week, settings, demo_org, mailbox
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    # Each approver gets 5 business days, one week from Monday 09:00 to the next.
    for week, expected in ((1, demo_org.lt1), (2, demo_org.chief1)):  # sergeant -> lieutenant -> chief
        await business_week.skip_to(business_week.monday + timedelta(weeks=week, hours=1))
        task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
        assert task.assignee_id == expected
    await business_week.skip_to(business_week.monday + timedelta(weeks=3, hours=1))
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert task.assignee_id is None and task.queue == TaskQueue.COORDINATORS
    assert await status_of(session_factory, request_id) == RequestStatus.ESCALATED
    assert any(m["To"] == "coord1@test.example" for m in mailbox.messages)

    with pytest.raises(WorkflowUpdateFailedError):  # a supervisor cannot act in the coordinators' queue
        await decide(handle, task, demo_org.chief1, DecisionAction.APPROVE)
    assert await decide(handle, task, demo_org.coord1, DecisionAction.APPROVE, coordinator=True) == "approved"
    assert await status_of(session_factory, request_id) == RequestStatus.APPROVED


async def test_a_coordinator_can_reassign_an_escalated_request(
    session_factory, skipping_client, business_week, settings, demo_org
):
    async with session_factory() as session, session.begin():
        # No supervisors above the sergeant: the chain is short, so escalation reaches coordinators fast.
        from models import Person
        (await session.get_one(Person, demo_org.sgt1)).supervisor_id = None
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    await business_week.skip_to(business_week.monday + timedelta(weeks=1, hours=1))  # past 5 business days
    queued = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert queued.queue == TaskQueue.COORDINATORS

    assert await handle.execute_update(
        UPDATE_REASSIGN,
        Reassignment(actor_id=demo_org.coord1, new_approver_id=demo_org.lt1, actor_is_coordinator=True,
                     comment="Lt. covers Patrol A this month"),
        id=f"reassign:{queued.id}",
    ) == "reassigned"
    reassigned = await wait_for_open_task(session_factory, request_id, not_id=queued.id)
    assert reassigned.assignee_id == demo_org.lt1
    assert await decide(handle, reassigned, demo_org.lt1, DecisionAction.APPROVE) == "approved"
    assert await timeline(session_factory, request_id) == [
        "submitted", "reminded", "escalated", "reassigned", "approved"
    ]


async def test_notifications_are_written_once_per_recipient_and_event(
    session_factory, skipping_client, settings, demo_org, mailbox
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    await approval_settled(handle)
    async with session_factory() as session:
        rows = (await session.execute(
            select(Notification.person_id, func.count()).group_by(Notification.person_id)
        )).all()
    # The officer: submitted + approved; the sergeant: asked to decide (not told of their own approval).
    assert dict(rows) == {demo_org.officer1: 2, demo_org.sgt1: 1}
    assert len(mailbox.messages) == 3
    assert len({m["Message-ID"] for m in mailbox.messages}) == 3


async def sleep_past_escalation(env: WorkflowEnvironment, business_days: int = 5) -> None:
    """For the replay recorders, which record from whatever day it is (tests use `business_week`)."""
    now = await env.get_current_time()
    await env.sleep(add_business_days(now, business_days) - now + timedelta(hours=1))


async def sleep_until_certificate_reminder(env: WorkflowEnvironment, factory, request_id: int, *,
                                           days_after: float = 0, hours_before: float = 0) -> None:
    """Skip time to an hour past the first certificate reminder (09:00 agency time the day after the course)."""
    async with factory() as session:
        request = await session.get_one(TrainingRequest, request_id)
        timezone = (await session.get_one(Agency, request.agency_id)).timezone
    moment = certificate_reminder_at(request.end_date, timezone)
    target = moment + timedelta(hours=1 - hours_before, days=days_after)
    await env.sleep(target - await env.get_current_time())


async def _kinds_contain(factory, request_id: int, kind: str) -> bool:
    return kind in await timeline(factory, request_id)


async def _eventually(check, timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)

"""An agency setting the workflow cannot use (a time zone that is not one) is shown to the coordinators, not
retried for ever: the request waits in their queue with the reason and goes on once the setting is corrected."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateFailedError

from models import Agency, Notification, RequestEvent, RequestStatus, Task, TaskQueue, TaskStatus
from tests.support import execute_update_when_ready, timeline, wait_for_open_task
from tests.workflows.test_training_request_workflow import approval_settled, decide, start, status_of
from workflows.training_request_types import UPDATE_DECIDE, Decision, DecisionAction

HISTORIES = Path(__file__).parent / "histories"
BAD_ZONE = "Mars/Olympus_Mons"
REASON = "Agency settings problem: time zone 'Mars/Olympus_Mons' is not valid."


async def _set_time_zone(factory, agency_id: int, name: str) -> None:
    async with factory() as session, session.begin():
        (await session.get_one(Agency, agency_id)).timezone = name


async def _eventually(check, timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _events(factory, request_id: int) -> list[tuple[str, str | None]]:
    async with factory() as session:
        rows = await session.execute(select(RequestEvent.kind, RequestEvent.comment)
                                     .where(RequestEvent.request_id == request_id).order_by(RequestEvent.id))
        return [(kind, comment) for kind, comment in rows]


async def test_bad_time_zone_puts_the_request_in_the_coordinators_queue_with_the_reason_until_corrected(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    await _set_time_zone(session_factory, demo_org.agency_id, BAD_ZONE)
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)

    # Without a non-retryable failure the plan activity would retry for ever and no task would appear.
    hold = await wait_for_open_task(session_factory, request_id)
    assert (hold.queue, hold.assignee_id) == (TaskQueue.COORDINATORS, None)
    assert await status_of(session_factory, request_id) == RequestStatus.ESCALATED
    assert await _events(session_factory, request_id) == [("escalated", REASON)]

    async def coordinator_notices() -> list[Notification]:
        async with session_factory() as session:
            return list(await session.scalars(select(Notification).where(Notification.person_id == demo_org.coord1)))

    await _eventually(coordinator_notices)
    [notice] = await coordinator_notices()
    assert notice.subject == ("[Muster] A training request is on hold until the agency settings are corrected: "
                              "Crisis Intervention Team course")
    assert f"Comment: {REASON}" in notice.body

    try:
        await execute_update_when_ready(handle, UPDATE_DECIDE, Decision(
            actor_id=demo_org.coord1, action=DecisionAction.APPROVE, actor_is_coordinator=True))
        raise AssertionError("a decision on a request on hold was accepted")
    except WorkflowUpdateFailedError as refused:
        assert REASON in str(refused.cause)
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

    await _set_time_zone(session_factory, demo_org.agency_id, "America/Chicago")
    await time_skipping_env.sleep(timedelta(hours=1))  # the request looks at the settings again every hour

    task = await wait_for_open_task(session_factory, request_id, not_id=hold.id)
    assert task.assignee_id == demo_org.sgt1
    async with session_factory() as session:
        assert (await session.get_one(Task, hold.id)).status == TaskStatus.DONE
    assert await timeline(session_factory, request_id) == ["escalated", "submitted"]
    assert await status_of(session_factory, request_id) == RequestStatus.IN_REVIEW
    assert await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE) == "approved"


async def test_a_time_zone_broken_after_submission_keeps_the_certificate_reminder_time_read_at_submission(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    await _set_time_zone(session_factory, demo_org.agency_id, BAD_ZONE)

    assert await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE) == "approved"

    # Approval re-reads the plan for the reminder time; that fails now, and the workflow carries on.
    assert await approval_settled(handle) == "approved"
    assert await timeline(session_factory, request_id) == ["submitted", "approved"]
    # The course ends Friday 2027-03-05: 09:00 Saturday in Chicago (CST, UTC-6) is 15:00 UTC, by hand.
    first_reminder = datetime(2027, 3, 6, 15, 0, tzinfo=UTC)
    await time_skipping_env.sleep(first_reminder - timedelta(minutes=5) - await time_skipping_env.get_current_time())
    assert "certificate_reminder" not in await timeline(session_factory, request_id)
    await time_skipping_env.sleep(timedelta(minutes=10))

    async def reminded() -> bool:
        return "certificate_reminder" in await timeline(session_factory, request_id)

    await _eventually(reminded)


@pytest.mark.record_history
async def test_record_settings_hold_then_corrected(session_factory, skipping_client, time_skipping_env, settings,
                                                   demo_org):
    """Records histories/training_request_settings_hold_then_corrected.json for the replay test."""
    await _set_time_zone(session_factory, demo_org.agency_id, BAD_ZONE)
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    hold = await wait_for_open_task(session_factory, request_id)
    await time_skipping_env.sleep(timedelta(hours=1))  # looked at again, still bad: no second notice
    await _set_time_zone(session_factory, demo_org.agency_id, "America/Chicago")
    await time_skipping_env.sleep(timedelta(hours=1))
    task = await wait_for_open_task(session_factory, request_id, not_id=hold.id)
    assert await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE) == "approved"
    assert await approval_settled(handle) == "approved"
    history = await handle.fetch_history()
    (HISTORIES / "training_request_settings_hold_then_corrected.json").write_text(history.to_json())

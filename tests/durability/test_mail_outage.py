"""Mail that cannot be delivered is retried with backoff and arrives once; decisions do not wait for it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import EmailState, Notification, RequestStatus, TrainingRequest
from services.workflow_starts import dispatch_one
from tests.support import create_request, wait_for_open_task
from tests.workflows.test_training_request_workflow import approval_settled, decide
from workflows.training_request_types import DecisionAction


async def test_notifications_retry_through_a_temporary_smtp_refusal_and_arrive_once(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    mailbox.refuse_with = "451 4.3.0 Temporary local problem, try again later"
    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
    )
    await dispatch_one(session_factory, skipping_client, message_id, settings.task_queue)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    task = await wait_for_open_task(session_factory, request_id)

    # The approval goes through even though no mail can be sent.
    assert await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE) == "approved"
    async with session_factory() as session:
        assert (await session.get_one(TrainingRequest, request_id)).status == RequestStatus.APPROVED
    await time_skipping_env.sleep(timedelta(minutes=30))
    assert mailbox.messages == []

    mailbox.refuse_with = None
    await time_skipping_env.sleep(timedelta(minutes=30))
    assert await approval_settled(handle) == "approved"

    assert sorted(m["To"] for m in mailbox.messages) == [
        "officer1@test.example", "officer1@test.example", "sgt1@test.example"
    ]
    async with session_factory() as session:
        states = set(await session.scalars(select(Notification.email_state)))
    assert states == {EmailState.SENT}

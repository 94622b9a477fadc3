"""After an approved course the training-request workflow asks the officer for the certificate.

On the time-skipping server with the real activities: the morning after the course, again two
weeks later, and not at all once a certificate linked to the request is there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from models import Notification, RequestStatus, TrainingRequest
from services.training_request_actions import tell_certificate_uploaded
from tests.certificates.support import certificate_pdf, submit_directly
from tests.portal.helpers import eventually
from tests.support import timeline, wait_for_open_task
from tests.workflows.test_training_request_workflow import (
    approval_settled,
    decide,
    sleep_until_certificate_reminder,
    start,
    status_of,
)
from workflows.training_request_types import UPDATE_DECIDE, Decision, DecisionAction

UPLOAD = "[Muster] Upload your certificate: Crisis Intervention Team course"
AGAIN = "[Muster] Reminder: upload your certificate: Crisis Intervention Team course"


async def _approved(factory, client, settings, org):  # type: ignore[no-untyped-def]
    request_id, handle = await start(factory, client, settings, org)
    task = await wait_for_open_task(factory, request_id)
    assert await decide(handle, task, org.sgt1, DecisionAction.APPROVE) == "approved"
    assert await approval_settled(handle) == "approved"
    return request_id, handle, task


async def _reminders(factory, officer_id: int) -> list[Notification]:
    async with factory() as session:
        return list(await session.scalars(
            select(Notification)
            .where(Notification.person_id == officer_id, Notification.subject.like("%certificate%"))
            .order_by(Notification.id)
        ))


async def _count_is(factory, officer_id: int, count: int) -> bool:
    return len(await _reminders(factory, officer_id)) == count


async def _link_certificate(factory, settings, org, request_id: int) -> int:
    submission = await submit_directly(factory, settings, org.officer1, certificate_pdf(),
                                       training_request_id=request_id)
    return submission.id


async def test_officer_is_asked_for_the_certificate_the_morning_after_the_course_and_once_more_two_weeks_later(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    request_id, handle, _ = await _approved(session_factory, skipping_client, settings, demo_org)

    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id, hours_before=2)
    assert await _reminders(session_factory, demo_org.officer1) == []

    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id)
    await eventually(lambda: _count_is(session_factory, demo_org.officer1, 1))
    [first] = await _reminders(session_factory, demo_org.officer1)
    assert first.subject == UPLOAD and first.in_app
    assert first.link == f"/certificates/new?request={request_id}"
    assert "ended on 5 March 2027" in first.body
    assert f"{settings.public_url}/certificates/new?request={request_id}" in first.body

    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id, days_after=14)
    assert await handle.result() == "approved"  # two reminders, then the workflow is done
    assert [n.subject for n in await _reminders(session_factory, demo_org.officer1)] == [UPLOAD, AGAIN]
    assert [m["Subject"].strip() for m in mailbox.messages if "certificate" in m["Subject"]] == [UPLOAD, AGAIN]
    assert await timeline(session_factory, request_id) == [
        "submitted", "approved", "certificate_reminder", "certificate_reminder"
    ]
    assert await status_of(session_factory, request_id) == RequestStatus.APPROVED


async def test_no_reminder_once_a_certificate_for_the_request_is_uploaded_and_the_workflow_ends(
    session_factory, skipping_client, settings, demo_org
):
    request_id, handle, _ = await _approved(session_factory, skipping_client, settings, demo_org)
    submission_id = await _link_certificate(session_factory, settings, demo_org, request_id)
    async with session_factory() as session:
        request = await session.get_one(TrainingRequest, request_id)
    assert await tell_certificate_uploaded(skipping_client, request, submission_id)

    assert await handle.result() == "approved"  # without waiting for the course to end
    assert await _reminders(session_factory, demo_org.officer1) == []
    assert await timeline(session_factory, request_id) == ["submitted", "approved"]


async def test_a_lost_signal_only_means_the_database_check_decides(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    request_id, handle, _ = await _approved(session_factory, skipping_client, settings, demo_org)
    await _link_certificate(session_factory, settings, demo_org, request_id)  # and the workflow is not told

    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id)
    assert await handle.result() == "approved"
    assert await _reminders(session_factory, demo_org.officer1) == []


async def test_an_upload_after_the_first_reminder_stops_the_second(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    request_id, handle, _ = await _approved(session_factory, skipping_client, settings, demo_org)
    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id)
    await eventually(lambda: _count_is(session_factory, demo_org.officer1, 1))
    assert [n.subject for n in await _reminders(session_factory, demo_org.officer1)] == [UPLOAD]

    submission_id = await _link_certificate(session_factory, settings, demo_org, request_id)
    async with session_factory() as session:
        request = await session.get_one(TrainingRequest, request_id)
    await tell_certificate_uploaded(skipping_client, request, submission_id)
    assert await handle.result() == "approved"
    assert [n.subject for n in await _reminders(session_factory, demo_org.officer1)] == [UPLOAD]


async def test_an_approved_request_refuses_further_decisions_while_it_waits_for_the_certificate(
    session_factory, skipping_client, settings, demo_org
):
    request_id, handle, _ = await _approved(session_factory, skipping_client, settings, demo_org)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(UPDATE_DECIDE, Decision(actor_id=demo_org.sgt1, action=DecisionAction.DENY,
                                                            comment="Changed my mind"), id="late-denial")
    assert "no longer pending" in str(refused.value.cause)
    assert await status_of(session_factory, request_id) == RequestStatus.APPROVED
    assert await timeline(session_factory, request_id) == ["submitted", "approved"]

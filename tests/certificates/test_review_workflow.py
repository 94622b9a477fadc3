"""The certificate-review workflow on the time-skipping server, driven through the portal."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from temporalio.client import WorkflowUpdateFailedError

from models import Agency, CertificateEvent, Notification, TrainingRecord
from services.workflow_starts import dispatch_due
from tests.certificates.support import certificate_pdf, open_review_task, submissions, upload
from tests.portal.helpers import eventually, portal
from workflows.certificate_review_types import UPDATE_DECIDE, ReviewAction, ReviewDecision


async def _uploaded(sign_in, factory, client, settings, username="officer1"):
    officer = await sign_in(username)
    response = await upload(officer, certificate_pdf())
    assert response.status_code == 303, response.text
    await dispatch_due(factory, client, settings.task_queue)
    [submission] = await submissions(factory)

    async def task_open() -> bool:
        return await open_review_task(factory, submission.id) is not None

    await eventually(task_open)
    return officer, submission, await open_review_task(factory, submission.id)


async def _records(factory) -> list[TrainingRecord]:
    async with factory() as session:
        return list(await session.scalars(select(TrainingRecord)))


async def test_approval_creates_exactly_one_record_even_on_a_double_click(
    make_app, skipping_client, session_factory, settings, demo_org
):
    async with portal(make_app, skipping_client) as sign_in:
        _, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings)
        coordinator = await sign_in("coord1")
        url = f"/certificates/review/tasks/{task.id}/decision"
        first, second = await asyncio.gather(
            coordinator.post(url, {"action": "approve", "credited_hours": "40", "credit_crisis_intervention": "8"},
                             htmx=True),
            coordinator.post(url, {"action": "approve", "credited_hours": "40", "credit_crisis_intervention": "8"},
                             htmx=True),
        )
        assert "Approved" in first.text + second.text

        [record] = await _records(session_factory)
        assert record.source == "certificate_review" and record.source_ref == f"certificate:{submission.id}"
        assert record.approved_by_id == demo_org.coord1 and record.hours == Decimal("40")
        result = await skipping_client.get_workflow_handle(submission.workflow_id).result()
        assert result == "approved"
        [submission] = await submissions(session_factory)
        assert submission.status == "approved" and submission.record_id == record.id


async def test_adjusted_approval_requires_a_reason(make_app, skipping_client, session_factory, settings, demo_org):
    async with portal(make_app, skipping_client) as sign_in:
        _, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings)
        coordinator = await sign_in("coord1")
        url = f"/certificates/review/tasks/{task.id}/decision"
        refused = await coordinator.post(url, {"action": "approve", "credited_hours": "32",
                                               "credit_crisis_intervention": "8"}, htmx=True)
        assert "Please give a reason for crediting different hours" in refused.text
        assert await _records(session_factory) == []

        approved = await coordinator.post(url, {"action": "approve", "credited_hours": "32",
                                                "credit_crisis_intervention": "8",
                                                "reason": "Day 5 was not attended."}, htmx=True)
        assert "Approved" in approved.text
        [record] = await _records(session_factory)
        assert record.hours == Decimal("32")


async def test_rejected_certificate_is_corrected_by_a_new_version_and_then_approved(
    make_app, skipping_client, session_factory, settings, demo_org
):
    async with portal(make_app, skipping_client) as sign_in:
        officer, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings)
        coordinator = await sign_in("coord1")
        rejected = await coordinator.post(f"/certificates/review/tasks/{task.id}/decision",
                                          {"action": "reject", "reason": "The certificate is not signed."}, htmx=True)
        assert "Rejected" in rejected.text
        page = await officer.get("/certificates")
        assert "The certificate is not signed." in page.text and "Upload a corrected version" in page.text

        response = await upload(officer, certificate_pdf("Crisis Intervention Team (signed)"),
                                url=f"/certificates/{submission.id}/versions/new")
        assert response.status_code == 303, response.text
        second_task = await open_review_task(session_factory, submission.id)
        assert second_task is not None and second_task.id != task.id
        queue = await coordinator.get("/certificates/review")
        assert "version 2" in queue.text and "not accepted: The certificate is not signed." in queue.text

        approved = await coordinator.post(f"/certificates/review/tasks/{second_task.id}/decision",
                                          {"action": "approve", "credited_hours": "40",
                                           "credit_crisis_intervention": "8"}, htmx=True)
        assert "Approved" in approved.text
        assert len(await _records(session_factory)) == 1
        async with session_factory() as session:
            kinds = list(await session.scalars(select(CertificateEvent.kind).order_by(CertificateEvent.id)))
        assert kinds == ["submitted", "rejected", "new_version", "approved"]
        page = await officer.get("/certificates")
        assert page.text.count("<tr>") == 2 + 1  # header row and both versions kept


async def test_officer_cannot_review_own_certificate(make_app, skipping_client, session_factory, settings, demo_org):
    async with portal(make_app, skipping_client) as sign_in:
        # The coordinator is also an officer with training of their own.
        coordinator, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings,
                                                        username="coord1")
        refused = await coordinator.post(f"/certificates/review/tasks/{task.id}/decision",
                                         {"action": "approve"}, htmx=True)
        assert "You cannot review your own certificate." in refused.text
        handle = skipping_client.get_workflow_handle(submission.workflow_id)
        try:
            await handle.execute_update(UPDATE_DECIDE, ReviewDecision(
                actor_id=demo_org.coord1, action=ReviewAction.APPROVE, actor_is_coordinator=True))
        except WorkflowUpdateFailedError as error:
            assert "your own certificate" in str(error.cause)
        else:
            raise AssertionError("the workflow accepted a review of one's own certificate")
        assert await _records(session_factory) == []


async def test_coordinators_are_reminded_after_three_business_days_and_admins_told_after_seven(
    make_app, skipping_client, business_week, session_factory, settings, demo_org
):
    monday = business_week.monday  # uploaded Monday 09:00: reminder Thursday 09:00, escalation Wednesday after
    async with portal(make_app, skipping_client) as sign_in:
        _, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings)
        await business_week.skip_to(monday + timedelta(days=3, hours=-1))  # Thursday 08:00
        assert await _subjects_to(session_factory, demo_org.coord1, "Reminder") == []
        await business_week.skip_to(monday + timedelta(days=3, hours=1))  # Thursday 10:00

        async def reminded() -> bool:
            async with session_factory() as session:
                rows = await session.scalars(select(Notification).where(Notification.subject.like("%Reminder%")))
                return [n.person_id for n in rows] == [demo_org.coord1]

        await eventually(reminded)
        reminded_task = await open_review_task(session_factory, submission.id)
        assert reminded_task is not None and reminded_task.reminded_at is not None

        await business_week.skip_to(monday + timedelta(days=8, hours=1))  # Tuesday 10:00: 6 business days
        assert await _subjects_to(session_factory, demo_org.admin1, "overdue") == []
        await business_week.skip_to(monday + timedelta(days=9, hours=1))  # Wednesday 10:00

        async def escalated() -> bool:
            async with session_factory() as session:
                rows = await session.scalars(select(Notification).where(Notification.subject.like("%overdue%")))
                return [n.person_id for n in rows] == [demo_org.admin1]

        await eventually(escalated)


async def test_the_agencys_review_periods_set_when_coordinators_are_reminded_and_admins_told(
    make_app, skipping_client, business_week, session_factory, settings, demo_org
):
    async with session_factory() as session, session.begin():
        agency = await session.get_one(Agency, demo_org.agency_id)
        agency.certificate_reminder_business_days, agency.certificate_escalation_business_days = 1, 2
    async with portal(make_app, skipping_client) as sign_in:
        _, submission, task = await _uploaded(sign_in, session_factory, skipping_client, settings)
        wednesday = business_week.monday + timedelta(days=2)  # uploaded Monday 09:00: 2 business days
        assert task.due_at is not None and abs(task.due_at - wednesday) < timedelta(minutes=1)  # the queue shows it
        await business_week.skip_to(business_week.monday + timedelta(days=1, hours=-1))  # Tuesday 08:00
        assert await _subjects_to(session_factory, demo_org.coord1, "Reminder") == []

        await business_week.skip_to(business_week.monday + timedelta(days=1, hours=1))  # Tuesday 10:00

        async def reminded() -> bool:
            return len(await _subjects_to(session_factory, demo_org.coord1, "Reminder")) == 1

        await eventually(reminded)
        [body] = await _bodies_to(session_factory, demo_org.coord1, "Reminder")
        assert "has waited 1 business day for review" in body
        assert await _subjects_to(session_factory, demo_org.admin1, "overdue") == []

        await business_week.skip_to(wednesday + timedelta(hours=1))

        async def escalated() -> bool:
            return len(await _subjects_to(session_factory, demo_org.admin1, "overdue")) == 1

        await eventually(escalated)
        [body] = await _bodies_to(session_factory, demo_org.admin1, "overdue")
        assert "has not been reviewed within 2 business days" in body


async def _subjects_to(factory, person_id: int, word: str) -> list[str]:
    async with factory() as session:
        return list(await session.scalars(select(Notification.subject).where(
            Notification.person_id == person_id, Notification.subject.like(f"%{word}%"))))


async def _bodies_to(factory, person_id: int, word: str) -> list[str]:
    async with factory() as session:
        return list(await session.scalars(select(Notification.body).where(
            Notification.person_id == person_id, Notification.subject.like(f"%{word}%"))))

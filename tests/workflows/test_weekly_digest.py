"""Preferences at work in the workflows: mail held for the weekly digest, urgent mail, reminder days, the Schedule."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from aiosmtplib import SMTPResponseException
from sqlalchemy import select
from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.digests import DigestActivities, DigestBatch
from activities.licensing_cycles import LicensingCycleActivities
from activities.notifications import add_notification
from models import EmailState, Notification
from services.notification_preferences import preferences_for, save_preferences
from tests.support import wait_for_open_task
from tests.workflows.test_licensing_cycle import license_officer, reminders_for, sleep_until, start_cycle
from tests.workflows.test_training_request_workflow import approval_settled, decide, start
from worker import ensure_weekly_digest_schedule
from workflows.licensing_cycle_types import ComplianceCaseInput, EvaluateInput, ReminderInput
from workflows.training_request_types import DecisionAction
from workflows.weekly_digest import WeeklyDigestInput, WeeklyDigestWorkflow


async def prefer(factory, person_id: int, **changes) -> None:
    async with factory() as session, session.begin():
        await save_preferences(session, person_id, replace(await preferences_for(session, person_id), **changes))


async def email_states(factory, person_id: int) -> list[str]:
    async with factory() as session:
        return list(await session.scalars(
            select(Notification.email_state)
            .where(Notification.person_id == person_id, Notification.in_app)
            .order_by(Notification.id)
        ))


def mail_to(mailbox, address: str) -> list:
    return [message for message in mailbox.messages if message["To"] == address]


async def run_digest(client, settings) -> int:
    return await client.execute_workflow(
        WeeklyDigestWorkflow.run, WeeklyDigestInput(), id=f"{settings.workflow_id_prefix}digest-{uuid.uuid4().hex[:6]}",
        task_queue=settings.task_queue,
    )


async def test_digest_reader_gets_no_mail_for_a_decision_then_one_weekly_summary_once(
    session_factory, skipping_client, settings, demo_org, mailbox
):
    await prefer(session_factory, demo_org.officer1, weekly_digest=True)
    request_id, handle = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE, "Good course")
    assert await approval_settled(handle) == "approved"  # every mail of the decision has been sent

    assert mail_to(mailbox, "officer1@test.example") == []
    assert len(mail_to(mailbox, "sgt1@test.example")) == 1  # the sergeant kept immediate mail
    assert await email_states(session_factory, demo_org.officer1) == [EmailState.DIGEST, EmailState.DIGEST]

    assert await run_digest(skipping_client, settings) == 1

    [digest] = mail_to(mailbox, "officer1@test.example")
    assert digest["Subject"] == "[Muster] Your weekly summary: 2 updates"
    text = digest.get_content()
    assert "1. Request submitted: Crisis Intervention Team course" in text
    assert "2. Request approved: Crisis Intervention Team course" in text
    assert f"{settings.public_url}/requests/{request_id}" in text
    assert await email_states(session_factory, demo_org.officer1) == [EmailState.IN_DIGEST, EmailState.IN_DIGEST]

    await run_digest(skipping_client, settings)  # the same week again: nothing new is sent
    assert len(mail_to(mailbox, "officer1@test.example")) == 1


async def test_digest_activity_is_idempotent_per_person_and_week_even_after_a_mail_failure(
    session_factory, settings, demo_org, mailbox
):
    await prefer(session_factory, demo_org.officer1, weekly_digest=True)
    async with session_factory() as session, session.begin():
        for n in range(3):
            await add_notification(session, settings, key=f"test:{n}", person_id=demo_org.officer1,
                                   subject=f"[Muster] Update {n}", body="Details", link="/dashboard")
    digests = DigestActivities(session_factory, settings)
    env = ActivityEnvironment()
    mailbox.refuse_with = "451 Try again later"
    with pytest.raises(SMTPResponseException):  # the batch fails; Temporal retries it, as below
        await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W10"))
    mailbox.refuse_with = None

    first = await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W10"))
    again = await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W10"))

    assert first.next_after_person_id is None and first.digests == again.digests == 1
    [mail] = mail_to(mailbox, "officer1@test.example")
    assert mail["Subject"] == "[Muster] Your weekly summary: 3 updates"
    # Something new after this week's digest waits for next week's.
    async with session_factory() as session, session.begin():
        await add_notification(session, settings, key="test:late", person_id=demo_org.officer1,
                               subject="[Muster] Late update", body="Details", link=None)
    await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W10"))
    assert len(mail_to(mailbox, "officer1@test.example")) == 1
    await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W11"))
    latest = mail_to(mailbox, "officer1@test.example")[-1]
    assert latest["Subject"] == "[Muster] Your weekly summary: 1 update" and latest["Message-ID"] != mail["Message-ID"]


async def test_digest_pages_through_people_in_batches(session_factory, settings, demo_org, mailbox):
    people = [demo_org.officer1, demo_org.officer2, demo_org.sgt1]
    for n, person_id in enumerate(people):
        await prefer(session_factory, person_id, weekly_digest=True)
        async with session_factory() as session, session.begin():
            await add_notification(session, settings, key=f"test:{n}", person_id=person_id,
                                   subject="[Muster] Update", body="Details", link=None)
    digests = DigestActivities(session_factory, settings)
    env = ActivityEnvironment()

    first = await env.run(digests.send_weekly_digests, DigestBatch(week="2027-W10", size=2))
    assert first.next_after_person_id is not None and first.digests == 2
    second = await env.run(digests.send_weekly_digests,
                           DigestBatch(week="2027-W10", after_person_id=first.next_after_person_id, size=2))

    assert second.next_after_person_id is None and second.digests == 1
    assert sorted(m["To"] for m in mailbox.messages) == [
        "officer1@test.example", "officer2@test.example", "sgt1@test.example"
    ]


async def test_urgent_reminders_and_compliance_cases_bypass_the_digest(session_factory, settings, demo_org):
    await prefer(session_factory, demo_org.officer1, weekly_digest=True)
    cycles = LicensingCycleActivities(session_factory, settings)

    def reminder(days: int) -> ReminderInput:
        return ReminderInput(key=f"test:{days}", officer_id=demo_org.officer1, due_on="2027-07-31",
                             days_before=days, missing=["6 more crisis intervention credits"], copy_supervisor=False)

    assert await cycles.send_compliance_reminder(reminder(30)) == []  # held for the digest
    urgent = await cycles.send_compliance_reminder(reminder(10))
    case = await cycles.open_compliance_case(ComplianceCaseInput(
        key="test:case", workflow_id="wf", officer_id=demo_org.officer1, cycle_end="2027-07-31",
        missing=["6 more crisis intervention credits"]))

    assert len(urgent) == 1 and len(case) == 2  # the officer and the coordinator, mailed at once
    assert await email_states(session_factory, demo_org.officer1) == [
        EmailState.DIGEST, EmailState.PENDING, EmailState.PENDING
    ]


async def test_evaluation_uses_the_chosen_reminder_days_plus_the_mandatory_ones(
    session_factory, settings, demo_org
):
    async with session_factory() as session, session.begin():
        await save_preferences(session, demo_org.officer1,
                               replace(await preferences_for(session, demo_org.officer1), reminder_offsets=(180,)))
    await license_officer(session_factory, demo_org, date.today())
    snapshot = await LicensingCycleActivities(session_factory, settings).evaluate_officer(
        EvaluateInput(officer_id=demo_org.officer1, on=date.today().isoformat()))

    assert snapshot.reminder_offsets == [180, 30, 10]


async def test_officer_who_unticked_180_days_gets_the_first_reminder_at_90(
    session_factory, skipping_client, time_skipping_env: WorkflowEnvironment, settings, demo_org
):
    await prefer(session_factory, demo_org.officer1, reminder_offsets=(90, 60, 30, 10))
    today = (await time_skipping_env.get_current_time()).date()
    cycle_end = await license_officer(session_factory, demo_org, today)
    await start_cycle(skipping_client, settings, demo_org)

    await sleep_until(time_skipping_env, cycle_end - timedelta(days=91))
    assert await reminders_for(session_factory, demo_org.officer1, cycle_end) == []

    await sleep_until(time_skipping_env, cycle_end - timedelta(days=89))
    [first] = await reminders_for(session_factory, demo_org.officer1, cycle_end)
    assert "(90 days left)" in first


async def test_worker_creates_the_monday_digest_schedule_once(temporal_env: WorkflowEnvironment, settings):
    client = temporal_env.client

    assert await ensure_weekly_digest_schedule(client, settings) is True
    assert await ensure_weekly_digest_schedule(client, settings) is False  # a second worker finds it there

    handle = client.get_schedule_handle(f"{settings.workflow_id_prefix}muster-weekly-digest")
    try:
        description = await handle.describe()
        [calendar] = description.schedule.spec.calendars
        assert [(r.start, r.end) for r in calendar.day_of_week] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.hour] == [(13, 13)]
        assert description.schedule.spec.time_zone_name in (None, "", "UTC")
        action = description.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "WeeklyDigest" and action.task_queue == settings.task_queue
    finally:
        await handle.delete()

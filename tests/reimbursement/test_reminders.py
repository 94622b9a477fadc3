"""POST reimbursement reminders on Temporal's time-skipping server: from 1 June weekly to the coordinator and
the chief until the claim is marked submitted or 31 July passes, then one overdue note to the coordinators.

FY2027's rounds, counted on a calendar: 1, 8, 15, 22, 29 June and 6, 13, 20, 27 July (nine), then 1 August.
The demo agency has one coordinator (coord1) and one command officer (chief1)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from temporalio.client import Client, ScheduleActionStartWorkflow, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models import Agency, ClaimStatus, Notification, ReimbursementClaim
from tests.portal.helpers import eventually
from worker import ensure_reimbursement_reminders_schedule
from workflows.reimbursement_reminders import ReimbursementRemindersWorkflow
from workflows.reimbursement_reminders_types import ReimbursementRemindersInput, reminder_rounds

HISTORIES = Path(__file__).parents[1] / "workflows" / "histories"


async def start(client: Client, settings, year: int = 2027) -> WorkflowHandle:
    return await client.start_workflow(
        ReimbursementRemindersWorkflow.run, ReimbursementRemindersInput(fiscal_year=year),
        id=f"{settings.workflow_id_prefix}reimbursement-reminders-{uuid.uuid4().hex[:6]}",
        task_queue=settings.task_queue)


async def notes(session_factory) -> list[Notification]:
    async with session_factory() as session:
        return list(await session.scalars(select(Notification).where(Notification.key.like("reimbursement:%"))
                                          .order_by(Notification.id)))


def test_rounds_run_weekly_from_the_first_of_june_to_the_due_date_then_once_overdue():
    days = [(moment.date().isoformat(), overdue) for moment, overdue in reminder_rounds(2027)]
    assert days == [("2027-06-01", False), ("2027-06-08", False), ("2027-06-15", False), ("2027-06-22", False),
                    ("2027-06-29", False), ("2027-07-06", False), ("2027-07-13", False), ("2027-07-20", False),
                    ("2027-07-27", False), ("2027-08-01", True)]


async def test_coordinator_and_chief_are_reminded_weekly_and_the_coordinator_told_when_overdue(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    handle = await start(skipping_client, settings)
    assert await handle.result() == 9 * 2 + 1
    rows = await notes(session_factory)
    assert [(row.person_id, row.subject) for row in rows[:2]] == [
        (demo_org.chief1, "POST reimbursement for FY2027 is due 31 July 2027"),
        (demo_org.coord1, "POST reimbursement for FY2027 is due 31 July 2027")]
    assert [(row.person_id, row.subject) for row in rows[-1:]] == [
        (demo_org.coord1, "POST reimbursement for FY2027 was due 31 July 2027")]
    assert rows[-1].link == "/reimbursement/2027"
    assert {row.key.split(":")[3] for row in rows} == {m.date().isoformat() for m, _ in reminder_rounds(2027)}


async def _until_submitted(session_factory, skipping_client, time_skipping_env, settings, demo_org) -> WorkflowHandle:
    handle = await start(skipping_client, settings)
    now = await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(datetime(2027, 6, 10, tzinfo=UTC) - now)

    async def two_rounds_written() -> bool:
        return len(await notes(session_factory)) == 4

    await eventually(two_rounds_written)
    async with session_factory() as session, session.begin():
        session.add(ReimbursementClaim(agency_id=demo_org.agency_id, fiscal_year=2027,
                                       status=ClaimStatus.SUBMITTED))
    return handle


async def test_reminders_stop_once_the_claim_is_marked_submitted(
    session_factory, skipping_client, time_skipping_env: WorkflowEnvironment, settings, demo_org, mailbox
):
    handle = await _until_submitted(session_factory, skipping_client, time_skipping_env, settings, demo_org)
    assert await handle.result() == 4  # 1 and 8 June, to two people; nothing from 15 June
    assert len(await notes(session_factory)) == 4


async def test_agencies_of_other_states_get_no_reminders(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    async with session_factory() as session, session.begin():
        (await session.get_one(Agency, demo_org.agency_id)).rule_pack = "TX-TCOLE"
    assert await (await start(skipping_client, settings)).result() == 0
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Notification.id))) == 0


async def test_worker_creates_the_first_of_june_schedule_once(temporal_env: WorkflowEnvironment, settings):
    client = temporal_env.client
    assert await ensure_reimbursement_reminders_schedule(client, settings) is True
    assert await ensure_reimbursement_reminders_schedule(client, settings) is False
    handle = client.get_schedule_handle(f"{settings.workflow_id_prefix}muster-reimbursement-reminders")
    try:
        description = await handle.describe()
        [calendar] = description.schedule.spec.calendars
        assert [(r.start, r.end) for r in calendar.month] == [(6, 6)]
        assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.hour] == [(14, 14)]
        action = description.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "ReimbursementReminders" and action.task_queue == settings.task_queue
    finally:
        await handle.delete()


@pytest.mark.record_history
async def test_record_reimbursement_reminders_until_submitted(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    handle = await _until_submitted(session_factory, skipping_client, time_skipping_env, settings, demo_org)
    assert await handle.result() == 4
    history = await handle.fetch_history()
    (HISTORIES / "reimbursement_reminders_until_submitted.json").write_text(history.to_json())

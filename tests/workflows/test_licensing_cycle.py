"""The licensing-cycle workflow over a whole (time-skipped) cycle, with the real engine and database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from models import ComplianceWaiver, EmploymentStatus, Notification, Person, Task, TaskKind, TaskQueue
from services.compliance import officer_status
from tests.support import Org
from workflows.licensing_cycle_types import (
    LICENSING_CYCLE_WORKFLOW,
    SIGNAL_RECOMPUTE,
    LicensingCycleState,
    licensing_cycle_workflow_id,
)


async def license_officer(factory, org: Org, today: date) -> date:
    """Licence officer1 about a year ago; returns the end of the cycle the engine says they are in."""
    async with factory() as session, session.begin():
        officer = await session.get_one(Person, org.officer1)
        officer.license_date = date(today.year - 1, 8, 1)
    async with factory() as session:
        status = await officer_status(session, org.officer1, today)
    assert status is not None and status.state != "compliant"
    return status.cycle_end


async def start_cycle(client: Client, settings, org: Org) -> WorkflowHandle:
    return await client.start_workflow(
        LICENSING_CYCLE_WORKFLOW, LicensingCycleState(officer_id=org.officer1),
        id=licensing_cycle_workflow_id(org.officer1, settings.workflow_id_prefix), task_queue=settings.task_queue,
    )


async def sleep_until(env: WorkflowEnvironment, day: date, at: time = time(18, 0)) -> None:
    target = datetime.combine(day, at, tzinfo=UTC)
    now = await env.get_current_time()
    assert target > now, f"{target} is already past"
    await env.sleep(target - now)


async def reminders_for(factory, person_id: int, due: date) -> list[str]:
    from compliance.wording import format_date

    async with factory() as session:
        subjects = await session.scalars(
            select(Notification.subject).where(Notification.person_id == person_id).order_by(Notification.id)
        )
        return [s for s in subjects if f"due by {format_date(due)}" in s]


async def test_reminders_arrive_before_cycle_end_and_the_supervisor_is_copied_from_30_days(
    session_factory, skipping_client, time_skipping_env, settings, demo_org, mailbox
):
    today = (await time_skipping_env.get_current_time()).date()
    cycle_end = await license_officer(session_factory, demo_org, today)
    handle = await start_cycle(skipping_client, settings, demo_org)

    await sleep_until(time_skipping_env, cycle_end - timedelta(days=181))
    assert await reminders_for(session_factory, demo_org.officer1, cycle_end) == []

    await sleep_until(time_skipping_env, cycle_end - timedelta(days=179))
    assert len(await reminders_for(session_factory, demo_org.officer1, cycle_end)) == 1
    assert await reminders_for(session_factory, demo_org.sgt1, cycle_end) == []

    await sleep_until(time_skipping_env, cycle_end - timedelta(days=29))
    officer_reminders = await reminders_for(session_factory, demo_org.officer1, cycle_end)
    assert [s.split("(")[1] for s in officer_reminders] == [
        "180 days left)", "90 days left)", "60 days left)", "30 days left)"
    ]
    assert len(await reminders_for(session_factory, demo_org.sgt1, cycle_end)) == 1
    assert any(m["To"] == "officer1@test.example" and "30 days left" in m["Subject"] for m in mailbox.messages)

    first_run = (await handle.describe()).run_id
    await sleep_until(time_skipping_env, cycle_end + timedelta(days=2))
    assert len(await reminders_for(session_factory, demo_org.officer1, cycle_end)) == 5
    async with session_factory() as session:
        case = await session.scalar(select(Task).where(Task.kind == TaskKind.COMPLIANCE_CASE))
    assert case is not None and case.queue == TaskQueue.COORDINATORS and case.subject_id == demo_org.officer1
    # The next cycle runs in a fresh execution: the history of the old one is closed.
    assert (await handle.describe()).run_id != first_run


async def test_no_reminders_once_requirements_are_satisfied(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    today = (await time_skipping_env.get_current_time()).date()
    cycle_end = await license_officer(session_factory, demo_org, today)
    handle = await start_cycle(skipping_client, settings, demo_org)

    async with session_factory() as session, session.begin():
        session.add(ComplianceWaiver(agency_id=demo_org.agency_id, officer_id=demo_org.officer1,
                                     requirement_id=None, kind="waiver", starts_on=today - timedelta(days=800),
                                     reason="Board waiver for this cycle", granted_by_id=demo_org.coord1))
    await handle.signal(SIGNAL_RECOMPUTE)
    await sleep_until(time_skipping_env, cycle_end + timedelta(days=2))

    async with session_factory() as session:
        subjects = list(await session.scalars(select(Notification.subject)))
        cases = list(await session.scalars(select(Task).where(Task.kind == TaskKind.COMPLIANCE_CASE)))
    assert subjects == [] and cases == []


async def test_separation_ends_the_officers_cycle_workflow(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    today = (await time_skipping_env.get_current_time()).date()
    await license_officer(session_factory, demo_org, today)
    handle = await start_cycle(skipping_client, settings, demo_org)
    async with session_factory() as session, session.begin():
        officer = await session.get_one(Person, demo_org.officer1)
        officer.employment_status = EmploymentStatus.SEPARATED
        officer.separated_on = today
    await handle.signal(SIGNAL_RECOMPUTE)
    assert await handle.result() == "no longer tracked"

"""A change to the agency's own requirements reaches every officer's running licensing-cycle workflow."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from sqlalchemy import select
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle

from compliance.cycles import add_months
from models import Notification
from services import agency_requirements
from services.compliance import officer_status
from services.workflow_starts import dispatch_due, enqueue_agency_recompute
from tests.services.records_support import license_officer
from tests.support import Org
from workflows.agency_recompute_types import agency_recompute_workflow_id
from workflows.licensing_cycle_types import LICENSING_CYCLE_WORKFLOW, LicensingCycleState, licensing_cycle_workflow_id

TITLE = "Range qualification (agency policy)"


async def _start_cycle(client: Client, settings, officer_id: int) -> WorkflowHandle:
    return await client.start_workflow(
        LICENSING_CYCLE_WORKFLOW, LicensingCycleState(officer_id=officer_id),
        id=licensing_cycle_workflow_id(officer_id, settings.workflow_id_prefix), task_queue=settings.task_queue,
    )


async def _asleep(handle: WorkflowHandle, timeout: float = 15) -> None:
    """Wait until the workflow has evaluated once and is sleeping (a timer is started)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        events = [event.event_type async for event in handle.fetch_history_events()]
        if EventType.EVENT_TYPE_TIMER_STARTED in events:
            return
        assert asyncio.get_running_loop().time() < deadline, "the workflow never went to sleep"
        await asyncio.sleep(0.05)


async def _add_requirement_due_in_45_days(session_factory, org: Org, today: date, prefix: str) -> int:
    """A yearly fixed-period requirement whose current period ends 45 days from now, with its outbox row."""
    form = agency_requirements.validate_requirement_form(
        {"title": TITLE, "code": "range-qualification", "kind": "recurring", "period_kind": "fixed",
         "period_months": "12", "period_anchor": add_months(today + timedelta(days=46), -12).isoformat(),
         "effective_from": "2024-01-01", "source": "Lakeview PD policy 300.4"},
        ["use_of_force"], {"use_of_force"},
    )
    assert isinstance(form, agency_requirements.RequirementForm), form
    async with session_factory() as session, session.begin():
        row = await agency_requirements.add_requirement(session, org.agency_id, form, org.coord1)
        assert isinstance(row, agency_requirements.AgencyRequirement)
        await enqueue_agency_recompute(session, org.agency_id, f"add-{row.id}", prefix)
        return row.id


async def _reminders(session_factory, person_id: int) -> list[str]:
    async with session_factory() as session:
        bodies = await session.scalars(select(Notification.body).where(Notification.person_id == person_id))
        return [body for body in bodies if TITLE in body]


async def test_adding_a_requirement_makes_every_running_cycle_workflow_re_evaluate(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    today = (await time_skipping_env.get_current_time()).date()
    await license_officer(session_factory, demo_org.officer1, number="MN-0001")
    await license_officer(session_factory, demo_org.officer2, number="MN-0002")
    handles = [await _start_cycle(skipping_client, settings, officer) for officer in (demo_org.officer1,
                                                                                      demo_org.officer2)]
    for handle in handles:
        await _asleep(handle)  # evaluated before the change, so only a signal can bring the new requirement in

    requirement_id = await _add_requirement_due_in_45_days(session_factory, demo_org, today,
                                                           settings.workflow_id_prefix)
    async with session_factory() as session:
        status = await officer_status(session, demo_org.officer1, today)
    assert status is not None
    assert any(s.requirement.title == TITLE and s.due_on == today + timedelta(days=45) and not s.met
               for s in status.requirements)
    assert await _reminders(session_factory, demo_org.officer1) == []

    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1
    recompute = skipping_client.get_workflow_handle(
        agency_recompute_workflow_id(demo_org.agency_id, f"add-{requirement_id}", settings.workflow_id_prefix))
    assert await recompute.result() == 2  # both running workflows signalled

    deadline = asyncio.get_running_loop().time() + 15
    while not all([await _reminders(session_factory, demo_org.officer1),
                   await _reminders(session_factory, demo_org.officer2)]):
        assert asyncio.get_running_loop().time() < deadline, "no reminder for the new requirement"
        await asyncio.sleep(0.05)
    [body] = await _reminders(session_factory, demo_org.officer2)
    assert f"- {TITLE} by" in body


async def test_officers_without_a_running_workflow_are_skipped(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    today = (await time_skipping_env.get_current_time()).date()
    await license_officer(session_factory, demo_org.officer1, number="MN-0001")
    requirement_id = await _add_requirement_due_in_45_days(session_factory, demo_org, today,
                                                           settings.workflow_id_prefix)

    await dispatch_due(session_factory, skipping_client, settings.task_queue)
    recompute = skipping_client.get_workflow_handle(
        agency_recompute_workflow_id(demo_org.agency_id, f"add-{requirement_id}", settings.workflow_id_prefix))
    assert await recompute.result() == 0  # officer1 is tracked but has no workflow yet: not an error

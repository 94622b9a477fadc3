"""Every path that recomputes an officer today also updates their stored compliance status.

Each test runs officer1's real licensing-cycle workflow on the time-skipping server, lets it evaluate
once and fall asleep, then changes something the way the portal or a workflow does and waits for the
stored row to show it. Officer1 is licensed 400 days ago with no training: the yearly use-of-force and
firearms training were due 35 days ago (overdue), and nothing else is met.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client, WorkflowHandle

from compliance.cycles import add_months
from models import OfficerCompliance, Person, WaiverKind
from services import training_records
from services.agency_requirements import engine_id
from services.licensing import tell_cycle_changed
from services.waivers import WaiverForm, add_waiver
from services.workflow_starts import dispatch_due, enqueue_officer_recompute
from tests.certificates.support import certificate_pdf, open_review_task, submit_directly
from tests.portal.helpers import eventually
from tests.services.compliance_status_support import separate, stored
from tests.services.records_support import add_record, license_officer
from tests.support import Org
from tests.workflows.test_agency_recompute import _add_requirement_due_in_45_days, _asleep, _start_cycle
from workflows.certificate_review_types import UPDATE_DECIDE, ReviewAction, ReviewDecision
from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE


async def _evaluated_once(factory: async_sessionmaker[AsyncSession], client: Client, settings, org: Org
                          ) -> WorkflowHandle:
    await license_officer(factory, org.officer1, "MN-0001")
    handle = await _start_cycle(client, settings, org.officer1)
    await _asleep(handle)
    row = await stored(factory, org.officer1)
    assert row is not None and row.state == "overdue" and row.hours_done == 0
    assert {"mn-use-of-force", "mn-firearms"} <= {gap.requirement_id for gap in row.gaps if gap.overdue}
    return handle


async def _stored_once(factory: async_sessionmaker[AsyncSession], officer_id: int,
                       check: Callable[[OfficerCompliance], bool]) -> OfficerCompliance:
    found: OfficerCompliance | None = None

    async def shows_it() -> bool:
        nonlocal found
        found = await stored(factory, officer_id)
        return found is not None and check(found)

    await eventually(shows_it)
    assert found is not None
    return found


def _owes(row: OfficerCompliance) -> set[str]:
    return {gap.requirement_id for gap in row.gaps}


def _form(hours: str, credits: dict[str, str]) -> training_records.RecordForm:
    completed = (date.today() - timedelta(days=5)).isoformat()
    form = training_records.validate_record_form(
        {"course_title": "Use of Force In-Service", "provider": "Lakeview PD", "completed_on": completed,
         "hours": hours}, credits, date.today())
    assert isinstance(form, training_records.RecordForm), form
    return form


async def test_a_record_a_coordinator_adds_then_corrects_is_stored(
    session_factory, skipping_client, settings, demo_org
):
    await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    async with session_factory() as session:
        officer = await session.get_one(Person, demo_org.officer1)
        record = await training_records.add_record(session, officer, _form("4", {"use_of_force": "4"}),
                                                   demo_org.coord1)
        await session.commit()
    await tell_cycle_changed(skipping_client, demo_org.officer1, settings.workflow_id_prefix)  # as the page does
    row = await _stored_once(session_factory, demo_org.officer1, lambda row: row.hours_done == 4)
    assert "mn-use-of-force" not in _owes(row) and "mn-firearms" in _owes(row)

    async with session_factory() as session:
        loaded = await training_records.load_record(session, record.id)
        assert loaded is not None
        assert training_records.correct_record(loaded, _form("6", {"use_of_force": "4", "firearms": "2"}))
        await session.commit()
    await tell_cycle_changed(skipping_client, demo_org.officer1, settings.workflow_id_prefix)
    row = await _stored_once(session_factory, demo_org.officer1, lambda row: row.hours_done == 6)
    assert not {"mn-use-of-force", "mn-firearms"} & _owes(row)


async def test_an_approved_certificate_is_stored(session_factory, skipping_client, settings, demo_org):
    await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    completed = (date.today() - timedelta(days=5)).isoformat()
    submission = await submit_directly(session_factory, settings, demo_org.officer1, certificate_pdf(),
                                       started_on=completed, completed_on=completed)
    await dispatch_due(session_factory, skipping_client, settings.task_queue)

    async def task_open() -> bool:
        return await open_review_task(session_factory, submission.id) is not None

    await eventually(task_open)
    await skipping_client.get_workflow_handle(submission.workflow_id).execute_update(
        UPDATE_DECIDE, ReviewDecision(action=ReviewAction.APPROVE, actor_id=demo_org.coord1, actor_is_coordinator=True),
        id="approve")

    row = await _stored_once(session_factory, demo_org.officer1, lambda row: row.hours_done == 40)
    assert "mn-crisis-intervention" not in _owes(row)  # 8 crisis-intervention credits, 6 required


async def test_a_waiver_is_stored(session_factory, skipping_client, settings, demo_org):
    await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    async with session_factory() as session:
        officer = await session.get_one(Person, demo_org.officer1)
        add_waiver(session, officer, WaiverForm(
            requirement_id="mn-firearms", kind=WaiverKind.WAIVER, starts_on=date.today() - timedelta(days=60),
            ends_on=None, hours_reduction=None, reason="Qualified with the state patrol"), demo_org.coord1)
        await session.commit()
    await tell_cycle_changed(skipping_client, demo_org.officer1, settings.workflow_id_prefix)

    row = await _stored_once(session_factory, demo_org.officer1, lambda row: "mn-firearms" not in _owes(row))
    assert row.state == "overdue" and "mn-use-of-force" in _owes(row)  # the other yearly training is still late


async def test_a_new_agency_requirement_is_stored(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    today = (await time_skipping_env.get_current_time()).date()
    await _add_requirement_due_in_45_days(session_factory, demo_org, today, settings.workflow_id_prefix)
    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1  # the agency fan-out

    row = await _stored_once(session_factory, demo_org.officer1,
                             lambda row: engine_id("range-qualification") in _owes(row))
    # Yearly periods, the current one ending in 45 days; the one before ended after the licence date, so
    # it is owed too, and overdue.
    current_start = add_months(today + timedelta(days=46), -12)
    assert sorted((gap.due_on, gap.overdue) for gap in row.gaps
                  if gap.requirement_id == engine_id("range-qualification")) == [
        (current_start - timedelta(days=1), True), (today + timedelta(days=45), False)]


async def test_records_entered_in_bulk_are_stored(session_factory, skipping_client, settings, demo_org):
    await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    await add_record(session_factory, demo_org.agency_id, demo_org.officer1, hours="4", days_ago=5,
                     credits={"firearms": "4"})
    async with session_factory() as session, session.begin():
        await enqueue_officer_recompute(session, [demo_org.officer1], "bulk-0123456789", settings.workflow_id_prefix)
    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1

    row = await _stored_once(session_factory, demo_org.officer1, lambda row: row.hours_done == Decimal(4))
    assert "mn-firearms" not in _owes(row)


async def test_separation_removes_the_stored_row(session_factory, skipping_client, settings, demo_org):
    handle = await _evaluated_once(session_factory, skipping_client, settings, demo_org)
    await separate(session_factory, demo_org.officer1, date.today())
    await handle.signal(SIGNAL_RECOMPUTE)

    assert await handle.result() == "no longer tracked"
    assert await stored(session_factory, demo_org.officer1) is None

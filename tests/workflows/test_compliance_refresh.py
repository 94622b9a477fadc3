"""The daily compliance refresh: batches through everyone, then the day's snapshot, counted by hand.

The organisation is tests/services/compliance_status_support.build_counted_org on 1 March 2027:
Department > Patrol A (lt1 compliant, officer1 on track, sgt1 on leave) and Patrol B (officer2 overdue,
sgt2 separated); chief1, coord1 and admin1 (Department) hold no licence.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from models import ComplianceGapSnapshot, ComplianceSnapshot, OfficerCompliance, Unit
from tests.portal.helpers import eventually
from tests.services.compliance_status_support import SNAPSHOT_DAY, build_counted_org, separate, stored
from tests.services.records_support import license_officer
from worker import ensure_compliance_refresh_schedule
from workflows.compliance_refresh import ComplianceRefreshWorkflow
from workflows.compliance_refresh_types import ComplianceRefreshInput, ComplianceRefreshResult

# officer2's requirements on 1 March 2027, none met; the 12-monthly ones were due 1 July 2025.
OFFICER2_GAPS = ("mn-total", "mn-mandated", "mn-crisis-intervention", "mn-autism", "mn-conflict-management",
                 "mn-implicit-bias", "mn-bias-crimes", "mn-wellness", "mn-use-of-force", "mn-firearms", "mn-evoc")
OFFICER2_OVERDUE = {"mn-use-of-force", "mn-firearms"}


async def refresh(client: Client, settings, **changes) -> ComplianceRefreshResult:
    return await client.execute_workflow(
        ComplianceRefreshWorkflow.run, ComplianceRefreshInput(**changes),
        id=f"{settings.workflow_id_prefix}compliance-refresh-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )


async def unit_keys(factory) -> dict[int, str]:
    async with factory() as session:
        return {0: "agency", **{unit.id: unit.name for unit in await session.scalars(select(Unit))}}


async def counts(factory) -> dict[str, tuple[int, ...]]:
    names = await unit_keys(factory)
    async with factory() as session:
        rows = await session.scalars(select(ComplianceSnapshot).where(ComplianceSnapshot.day == SNAPSHOT_DAY))
        return {names[row.unit_key]: (row.compliant, row.on_track, row.at_risk, row.overdue, row.on_leave)
                for row in rows}


async def topics(factory) -> dict[tuple[str, str], tuple[int, int]]:
    names = await unit_keys(factory)
    async with factory() as session:
        rows = await session.scalars(select(ComplianceGapSnapshot).where(ComplianceGapSnapshot.day == SNAPSHOT_DAY))
        return {(names[row.unit_key], row.requirement_id): (row.officers, row.overdue) for row in rows}


def officer2_topics(unit: str) -> dict[tuple[str, str], tuple[int, int]]:
    return {(unit, requirement): (1, int(requirement in OFFICER2_OVERDUE)) for requirement in OFFICER2_GAPS}


async def test_refresh_pages_through_everyone_then_counts_each_unit_with_everything_below_it(
    session_factory, skipping_client, settings, demo_org
):
    await build_counted_org(session_factory, demo_org)

    result = await refresh(skipping_client, settings, on=SNAPSHOT_DAY.isoformat(), batch_size=3)

    assert result.batches == 3  # 8 people, 3 at a time
    #                      compliant, on track, at risk, overdue, on leave
    assert await counts(session_factory) == {
        "agency": (1, 1, 0, 1, 1),
        "Department": (1, 1, 0, 1, 1),  # everything below it: both patrols
        "Patrol A": (1, 1, 0, 0, 1),
        "Patrol B": (0, 0, 0, 1, 0),
    }
    # The 48 credits are owed by officer1 and sgt1 (Patrol A, the leave does not excuse it) and officer2.
    assert await topics(session_factory) == {
        **officer2_topics("agency"), ("agency", "mn-total"): (3, 0),
        **officer2_topics("Department"), ("Department", "mn-total"): (3, 0),
        ("Patrol A", "mn-total"): (2, 0),
        **officer2_topics("Patrol B"),
    }
    assert (result.snapshot.counts, result.snapshot.topics) == (4, 11 + 11 + 1 + 11)
    assert await stored(session_factory, demo_org.sgt2) is None  # separated: not tracked
    assert await stored(session_factory, demo_org.chief1) is None  # no licence

    async with session_factory() as session:
        before = sorted((row.officer_id, row.state, row.percent, row.evaluated_on)
                        for row in await session.scalars(select(OfficerCompliance)))
    again = await refresh(skipping_client, settings, on=SNAPSHOT_DAY.isoformat(), batch_size=3)
    assert again.snapshot == result.snapshot
    assert await counts(session_factory) == {
        "agency": (1, 1, 0, 1, 1), "Department": (1, 1, 0, 1, 1), "Patrol A": (1, 1, 0, 0, 1),
        "Patrol B": (0, 0, 0, 1, 0)}
    async with session_factory() as session:
        assert sorted((row.officer_id, row.state, row.percent, row.evaluated_on)
                      for row in await session.scalars(select(OfficerCompliance))) == before


async def test_a_rerun_for_the_same_day_replaces_its_snapshot_and_drops_a_separated_officer(
    session_factory, skipping_client, settings, demo_org
):
    await build_counted_org(session_factory, demo_org)
    await refresh(skipping_client, settings, on=SNAPSHOT_DAY.isoformat())
    assert await stored(session_factory, demo_org.officer2) is not None

    await separate(session_factory, demo_org.officer2, SNAPSHOT_DAY)
    result = await refresh(skipping_client, settings, on=SNAPSHOT_DAY.isoformat())

    assert result.batches == 1
    assert await stored(session_factory, demo_org.officer2) is None
    assert await counts(session_factory) == {
        "agency": (1, 1, 0, 0, 1), "Department": (1, 1, 0, 0, 1), "Patrol A": (1, 1, 0, 0, 1),
        "Patrol B": (0, 0, 0, 0, 0)}  # a unit with nobody left keeps its row, so its trend has no hole
    assert await topics(session_factory) == {
        ("agency", "mn-total"): (2, 0), ("Department", "mn-total"): (2, 0), ("Patrol A", "mn-total"): (2, 0)}


async def test_worker_creates_the_daily_refresh_schedule_once_and_runs_it_at_once(
    temporal_env: WorkflowEnvironment, temporal_client, session_factory, settings, demo_org
):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")

    assert await ensure_compliance_refresh_schedule(temporal_client, settings) is True
    assert await ensure_compliance_refresh_schedule(temporal_client, settings) is False  # a second worker

    handle = temporal_client.get_schedule_handle(f"{settings.workflow_id_prefix}muster-compliance-refresh")
    try:
        async def snapshot_taken() -> bool:
            async with session_factory() as session:
                return await session.scalar(select(ComplianceSnapshot.id).where(
                    ComplianceSnapshot.agency_id == demo_org.agency_id, ComplianceSnapshot.unit_key == 0)) is not None

        await eventually(snapshot_taken)  # the run triggered on creation, without waiting for 05:00
        row = await stored(session_factory, demo_org.officer1)
        assert row is not None and row.state == "overdue"  # licensed 400 days ago, no training yet
        description = await handle.describe()
        [calendar] = description.schedule.spec.calendars
        assert [(r.start, r.end) for r in calendar.hour] == [(11, 11)]  # after midnight in every US zone
        assert [(r.start, r.end) for r in calendar.day_of_week] == [(0, 6)]  # every day
        action = description.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "ComplianceRefresh" and action.task_queue == settings.task_queue
    finally:
        await handle.delete()

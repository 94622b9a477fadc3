"""The stored status and the snapshots follow the agency's own date, as the officer's own dashboard does.

The demo agency is in America/Chicago. At 01:05 UTC on 2 July 2025 it is still 20:05 on 1 July there.
Officer2, licensed 1 July 2024 with no training (tests/services/compliance_status_support), owes the
yearly use-of-force and firearms training by 1 July 2025, twelve months after licensing: on 1 July it is
due today (at risk: due within 90 days with nothing done), on 2 July it is overdue.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select
from temporalio.client import Client

from activities.licensing_cycles import LicensingCycleActivities
from models import Agency, ComplianceSnapshot, Person, Unit
from services.compliance_status import local_days, refresh_officers, take_local_snapshots, take_snapshot
from services.training_records import officer_dashboard
from tests.services.compliance_status_support import license, stored
from tests.support import Org
from workflows.compliance_refresh import ComplianceRefreshWorkflow
from workflows.compliance_refresh_types import ComplianceRefreshInput, ComplianceRefreshResult
from workflows.licensing_cycle_types import EvaluateInput

EVENING_IN_CHICAGO = datetime(2025, 7, 2, 1, 5, tzinfo=UTC)
CHICAGO_DAY = date(2025, 7, 1)
UTC_DAY = date(2025, 7, 2)
YEARLY = {"mn-use-of-force", "mn-firearms"}


async def _dashboard_state(factory, org: Org, on: date) -> str:
    """What officer2's own dashboard shows on `on` (the portal passes the agency's date)."""
    async with factory() as session:
        status = (await officer_dashboard(session, await session.get_one(Person, org.officer2), on)).status
        assert status is not None
        return status.state


def _assert_due_today_not_overdue(row) -> None:
    assert row is not None
    assert row.evaluated_on == CHICAGO_DAY
    assert row.state == "at_risk"
    yearly = {gap.requirement_id: gap for gap in row.gaps if gap.requirement_id in YEARLY}
    assert {requirement: (gap.due_on, gap.overdue) for requirement, gap in yearly.items()} == {
        "mn-use-of-force": (CHICAGO_DAY, False), "mn-firearms": (CHICAGO_DAY, False)}


async def test_a_recompute_in_a_us_evening_stores_the_agencys_date_and_the_dashboards_state(
    session_factory, settings, demo_org
):
    await license(session_factory, demo_org.officer2, "MN-4")
    cycles = LicensingCycleActivities(session_factory, settings, clock=lambda: EVENING_IN_CHICAGO)

    # The licensing-cycle workflow asks with its own UTC date, which its timers keep using.
    snapshot = await cycles.evaluate_officer(EvaluateInput(officer_id=demo_org.officer2, on=UTC_DAY.isoformat()))

    # Its answer is about 2 July: the deadline of 1 July has passed, so it is no longer an upcoming one.
    assert snapshot.tracked and CHICAGO_DAY.isoformat() not in {deadline.due_on for deadline in snapshot.deadlines}
    row = await stored(session_factory, demo_org.officer2)
    _assert_due_today_not_overdue(row)
    assert row is not None and row.state == await _dashboard_state(session_factory, demo_org, CHICAGO_DAY)


async def test_a_recompute_never_puts_back_an_earlier_day_over_a_later_one(session_factory, settings, demo_org):
    await license(session_factory, demo_org.officer2, "MN-4")
    morning = LicensingCycleActivities(session_factory, settings, clock=lambda: datetime(2025, 7, 2, 14, tzinfo=UTC))
    await morning.evaluate_officer(EvaluateInput(officer_id=demo_org.officer2, on=UTC_DAY.isoformat()))
    evening_before = LicensingCycleActivities(session_factory, settings, clock=lambda: EVENING_IN_CHICAGO)

    await evening_before.evaluate_officer(EvaluateInput(officer_id=demo_org.officer2, on=UTC_DAY.isoformat()))

    row = await stored(session_factory, demo_org.officer2)
    assert row is not None and (row.evaluated_on, row.state) == (UTC_DAY, "overdue")


async def _refresh(client: Client, settings, **changes) -> ComplianceRefreshResult:
    return await client.execute_workflow(
        ComplianceRefreshWorkflow.run, ComplianceRefreshInput(**changes),
        id=f"{settings.workflow_id_prefix}compliance-refresh-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )


async def _agency_snapshot_days(factory, agency_id: int) -> dict[date, tuple[int, ...]]:
    async with factory() as session:
        rows = await session.scalars(select(ComplianceSnapshot).where(
            ComplianceSnapshot.agency_id == agency_id, ComplianceSnapshot.unit_key == 0))
        return {row.day: (row.compliant, row.on_track, row.at_risk, row.overdue, row.on_leave) for row in rows}


async def test_the_daily_refresh_in_a_us_evening_evaluates_and_snapshots_the_agencys_date(
    session_factory, skipping_client, settings, demo_org
):
    await license(session_factory, demo_org.officer2, "MN-4")

    result = await _refresh(skipping_client, settings, at=EVENING_IN_CHICAGO.isoformat(), batch_size=3)

    assert result.on == UTC_DAY.isoformat()  # the run's own day stays the UTC one
    row = await stored(session_factory, demo_org.officer2)
    _assert_due_today_not_overdue(row)
    assert row is not None and row.state == await _dashboard_state(session_factory, demo_org, CHICAGO_DAY)
    # Officer2 is the only one licensed: one officer at risk, dated 1 July, nothing dated 2 July.
    assert await _agency_snapshot_days(session_factory, demo_org.agency_id) == {CHICAGO_DAY: (0, 0, 1, 0, 0)}


async def test_a_refresh_for_a_chosen_day_still_evaluates_everyone_on_it(
    session_factory, skipping_client, settings, demo_org
):
    await license(session_factory, demo_org.officer2, "MN-4")

    await _refresh(skipping_client, settings, on=UTC_DAY.isoformat())

    row = await stored(session_factory, demo_org.officer2)
    assert row is not None and (row.evaluated_on, row.state) == (UTC_DAY, "overdue")
    assert await _agency_snapshot_days(session_factory, demo_org.agency_id) == {UTC_DAY: (0, 0, 0, 1, 0)}


async def test_each_agency_snapshot_is_dated_by_its_own_date_and_a_rerun_replaces_only_its_own(
    session_factory, demo_org
):
    await license(session_factory, demo_org.officer2, "MN-4")
    async with session_factory() as session, session.begin():
        berlin = Agency(name="Berlin Police", state="MN", timezone="Europe/Berlin")
        session.add(berlin)
        await session.flush()
        session.add(Unit(agency_id=berlin.id, name="Berlin HQ"))
        berlin_id = berlin.id
    async with session_factory() as session, session.begin():
        assert await local_days(session, EVENING_IN_CHICAGO) == {demo_org.agency_id: CHICAGO_DAY, berlin_id: UTC_DAY}
        await refresh_officers(session, [demo_org.officer2], await local_days(session, EVENING_IN_CHICAGO))
        # What a run for the chosen day 1 July wrote for every agency earlier.
        await take_snapshot(session, CHICAGO_DAY)

    async with session_factory() as session, session.begin():
        written = await take_local_snapshots(session, EVENING_IN_CHICAGO)
    async with session_factory() as session, session.begin():
        again = await take_local_snapshots(session, EVENING_IN_CHICAGO)

    # Chicago: the agency row and its 3 units, on 1 July. Berlin (03:05 on 2 July): its row and its unit.
    # Topic rows: officer2's 11 unmet requirements for Chicago's agency, Department and Patrol B; none in Berlin.
    assert written == again == (4 + 2, 3 * 11)
    assert await _agency_snapshot_days(session_factory, demo_org.agency_id) == {CHICAGO_DAY: (0, 0, 1, 0, 0)}
    # Berlin keeps the 1 July row of the earlier run, and gets its own 2 July one.
    assert await _agency_snapshot_days(session_factory, berlin_id) == {
        CHICAGO_DAY: (0, 0, 0, 0, 0), UTC_DAY: (0, 0, 0, 0, 0)}

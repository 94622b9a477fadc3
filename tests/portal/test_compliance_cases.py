"""End-of-cycle compliance cases in the coordinators' escalation queue."""

from __future__ import annotations

from sqlalchemy import select

from activities.licensing_cycles import LicensingCycleActivities
from models import AuditEvent, Task, TaskStatus
from tests.portal.helpers import portal
from workflows.licensing_cycle_types import ComplianceCaseInput


async def open_case(session_factory, settings, officer_id: int) -> int:
    activities = LicensingCycleActivities(session_factory, settings)
    case = ComplianceCaseInput(key=f"licensing-cycle-{officer_id}:case:2026-06-30",
                               workflow_id=f"licensing-cycle-{officer_id}", officer_id=officer_id,
                               cycle_end="2026-06-30", missing=["4 more autism credits by 30 June 2026"])
    await activities.open_compliance_case(case)
    await activities.open_compliance_case(case)  # a retried activity opens nothing twice
    async with session_factory() as session:
        tasks = list(await session.scalars(select(Task).where(Task.subject_id == officer_id)))
    assert len(tasks) == 1
    return tasks[0].id


async def test_coordinator_sees_a_cycle_case_and_resolves_it_with_a_note(
    make_app, unreachable_temporal, session_factory, settings, demo_org
):
    task_id = await open_case(session_factory, settings, demo_org.officer1)
    async with portal(make_app, unreachable_temporal) as sign_in:
        coordinator = await sign_in("coord1")
        page = await coordinator.get("/escalations")
        assert "Licensing cycles that ended with requirements unmet" in page.text
        assert "Officer Olly Officer" in page.text and "cycle ended 30 June 2026" in page.text

        refused = await coordinator.post(f"/escalations/cases/{task_id}/resolve", {"note": "  "})
        assert refused.status_code == 303 and "case_error" in refused.headers["location"]
        async with session_factory() as session:
            assert (await session.get_one(Task, task_id)).status == TaskStatus.OPEN

        done = await coordinator.post(f"/escalations/cases/{task_id}/resolve",
                                      {"note": "Late renewal filed with POST; credits entered."})
        assert done.status_code == 303
        assert "No open cases." in (await coordinator.get("/escalations")).text
    async with session_factory() as session:
        task = await session.get_one(Task, task_id)
        assert task.status == TaskStatus.DONE and task.closed_by_id == demo_org.coord1
        notes = list(await session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "compliance.case_resolved",
                                            AuditEvent.outcome == "success")))
        assert notes[0]["note"] == "Late renewal filed with POST; credits entered."


async def test_only_coordinators_can_resolve_cycle_cases(
    make_app, unreachable_temporal, session_factory, settings, demo_org
):
    task_id = await open_case(session_factory, settings, demo_org.officer1)
    async with portal(make_app, unreachable_temporal) as sign_in:
        for username in ("officer1", "sgt1"):
            browser = await sign_in(username)
            response = await browser.post(f"/escalations/cases/{task_id}/resolve", {"note": "closing it"})
            assert response.status_code == 403
    async with session_factory() as session:
        assert (await session.get_one(Task, task_id)).status == TaskStatus.OPEN

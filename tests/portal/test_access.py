"""Object-level permissions: no peeking at others' requests, no deciding outside the chain, no self-approval."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, Task, TaskKind, TaskStatus
from tests.support import create_request


async def _task_for(session_factory, org, request_id: int, assignee_id: int) -> int:
    async with session_factory() as session, session.begin():
        task = Task(
            key=f"test-task-{request_id}",
            agency_id=org.agency_id,
            kind=TaskKind.APPROVE_TRAINING_REQUEST,
            subject_type="training_request",
            subject_id=request_id,
            workflow_id=f"training-request-{request_id}",
            assignee_id=assignee_id,
            status=TaskStatus.OPEN,
        )
        session.add(task)
        await session.flush()
        return task.id


async def _denials(session_factory, action: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(
            await session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == "denied"))
        )


async def test_officer_cannot_view_another_officers_request(browsers, demo_org, session_factory):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer2)
    browser = await browsers("officer1")

    for url in (f"/requests/{request_id}", f"/requests/{request_id}/timeline", "/requests/999999"):
        response = await browser.get(url)
        assert response.status_code == 404
        assert "Crisis Intervention" not in response.text
    assert len(await _denials(session_factory, "training_request.view")) == 3


async def test_supervisor_chain_and_coordinator_can_view_request(browsers, demo_org, session_factory):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    for username in ("officer1", "sgt1", "lt1", "chief1", "coord1"):
        response = await (await browsers(username)).get(f"/requests/{request_id}")
        assert response.status_code == 200, username
    assert (await (await browsers("sgt2")).get(f"/requests/{request_id}")).status_code == 404


async def test_sergeant_outside_chain_cannot_decide(browsers, demo_org, session_factory):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    task_id = await _task_for(session_factory, demo_org, request_id, demo_org.sgt1)
    browser = await browsers("sgt2")

    response = await browser.post(f"/inbox/tasks/{task_id}/decision", {"action": "approve"}, htmx=True)
    assert response.status_code == 403
    assert "not assigned to you" in response.text
    plain = await browser.post(f"/inbox/tasks/{task_id}/decision", {"action": "approve"})
    assert plain.status_code == 403
    denials = await _denials(session_factory, "training_request.decide")
    assert len(denials) == 2 and denials[0].actor_user_id == demo_org.users["sgt2"]
    async with session_factory() as session:
        assert (await session.get(Task, task_id)).status == TaskStatus.OPEN


async def test_officer_cannot_approve_own_request(browsers, demo_org, session_factory):
    # Even a task (wrongly) assigned to the requester is refused: no self-approval.
    request_id, _ = await create_request(session_factory, demo_org, demo_org.sgt1)
    task_id = await _task_for(session_factory, demo_org, request_id, demo_org.sgt1)
    browser = await browsers("sgt1")

    response = await browser.post(f"/inbox/tasks/{task_id}/decision", {"action": "approve"}, htmx=True)
    assert response.status_code == 403
    assert "cannot decide your own request" in response.text
    assert len(await _denials(session_factory, "training_request.decide")) == 1


async def test_only_coordinators_see_escalations_and_only_admins_settings(browsers, demo_org):
    officer = await browsers("officer1")
    assert (await officer.get("/escalations")).status_code == 403
    assert (await officer.get("/admin/settings")).status_code == 403
    assert (await (await browsers("coord1")).get("/escalations")).status_code == 200
    assert (await (await browsers("admin1")).get("/admin/settings")).status_code == 200


async def test_the_timeline_opened_as_its_own_url_leads_to_the_whole_request_page(browsers, demo_org, session_factory):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    browser = await browsers("officer1")

    page = await browser.get(f"/requests/{request_id}/timeline")
    assert page.status_code == 303
    assert page.headers["location"] == f"/requests/{request_id}#timeline"

    fragment = await browser.get(f"/requests/{request_id}/timeline", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="timeline"')

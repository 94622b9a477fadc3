"""The coordinators' escalation queue through HTTP, with the workflow on Temporal's time-skipping server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from models import Person, RequestStatus, Task, TaskQueue, TaskStatus
from tests.portal.helpers import audits, load, portal, submit
from tests.support import wait_for_open_task


async def _escalate(sign_in, session_factory, business_week, demo_org, count: int = 1) -> list[tuple[int, Task]]:
    """Submit `count` requests as officer1 on a Monday and let them pass sgt1's deadline (5 business days:
    the next Monday) into the coordinators' queue."""
    async with session_factory() as session, session.begin():
        # Nobody above the sergeant: one missed deadline reaches the coordinators.
        (await session.get_one(Person, demo_org.sgt1)).supervisor_id = None
    officer = await sign_in("officer1")
    submitted = []
    for n in range(count):
        request_id, location = await submit(officer, title=f"Escalated course {n + 1}")
        assert location.endswith("?notice=submitted")
        submitted.append((request_id, await wait_for_open_task(session_factory, request_id)))
    await business_week.skip_to(business_week.monday + timedelta(days=7, hours=1))
    queued = []
    for request_id, first in submitted:
        task = await wait_for_open_task(session_factory, request_id, not_id=first.id)
        assert task.queue == TaskQueue.COORDINATORS and task.assignee_id is None
        queued.append((request_id, task))
    return queued


async def test_coordinator_sees_escalated_request_and_others_are_refused(
    make_app, skipping_client, business_week, demo_org, session_factory
):
    async with portal(make_app, skipping_client) as sign_in:
        [(request_id, task)] = await _escalate(sign_in, session_factory, business_week, demo_org)
        assert (await load(session_factory, request_id)).status == RequestStatus.ESCALATED

        queue = await (await sign_in("coord1")).get("/escalations")
        assert queue.status_code == 200
        assert f'id="task-{task.id}"' in queue.text and "Escalated course 1" in queue.text
        assert f'action="/escalations/tasks/{task.id}/reassign"' in queue.text
        assert "Officer Olly Officer" in queue.text

        for username in ("sgt1", "officer1"):
            refused = await (await sign_in(username)).get("/escalations")
            assert refused.status_code == 403, username
            assert "Escalated course 1" not in refused.text
        denials = await audits(session_factory, "escalations.view", "denied")
        assert {row.actor_user_id for row in denials} == {demo_org.users["sgt1"], demo_org.users["officer1"]}


async def test_coordinator_reassigns_escalated_request_to_lieutenant(
    make_app, skipping_client, business_week, demo_org, session_factory
):
    async with portal(make_app, skipping_client) as sign_in:
        [(request_id, task)] = await _escalate(sign_in, session_factory, business_week, demo_org)
        coordinator, lieutenant = await sign_in("coord1"), await sign_in("lt1")
        queue = await coordinator.get("/escalations")
        # The requesting officer is never offered as an approver.
        assert f'<option value="{demo_org.lt1}">Lieutenant Lena Lieutenant</option>' in queue.text
        assert f'<option value="{demo_org.officer1}">' not in queue.text
        url = f"/escalations/tasks/{task.id}/reassign"

        to_requester = await coordinator.post(url, {"new_approver_id": str(demo_org.officer1)}, htmx=True)
        assert to_requester.status_code == 400
        assert "Choose a supervisor from the list." in to_requester.text
        async with session_factory() as session:
            assert (await session.get_one(Task, task.id)).status == TaskStatus.OPEN
        # A sergeant cannot reassign at all.
        by_sergeant = await (await sign_in("sgt2")).post(url, {"new_approver_id": str(demo_org.lt1)}, htmx=True)
        assert by_sergeant.status_code == 403 and "Only training coordinators can reassign." in by_sergeant.text

        response = await coordinator.post(
            url, {"new_approver_id": str(demo_org.lt1), "comment": "Lt. covers Patrol A."}, htmx=True
        )

        assert response.status_code == 200, response.text
        assert "Reassigned to Lieutenant Lena Lieutenant" in response.text
        assert response.headers.get("hx-trigger") == "inbox-changed"
        reassigned = await wait_for_open_task(session_factory, request_id, not_id=task.id)
        assert reassigned.assignee_id == demo_org.lt1 and reassigned.queue is None
        async with session_factory() as session:
            assert (await session.get_one(Task, task.id)).status == TaskStatus.CANCELLED
        assert (await load(session_factory, request_id)).status == RequestStatus.IN_REVIEW
        inbox = await lieutenant.get("/inbox")
        assert f'id="task-{reassigned.id}"' in inbox.text and "Escalated course 1" in inbox.text
        assert f'id="task-{task.id}"' not in (await coordinator.get("/escalations")).text
        outcomes = [(r.outcome, r.actor_user_id) for r in await audits(session_factory, "training_request.reassign")]
        assert outcomes == [
            ("failure", demo_org.users["coord1"]),
            ("denied", demo_org.users["sgt2"]),
            ("success", demo_org.users["coord1"]),
        ]

        approved = await lieutenant.post(f"/inbox/tasks/{reassigned.id}/decision", {"action": "approve"}, htmx=True)
        assert approved.status_code == 200 and "Approved" in approved.text
        assert (await load(session_factory, request_id)).status == RequestStatus.APPROVED


async def test_coordinator_approves_from_the_escalation_queue(
    make_app, skipping_client, business_week, demo_org, session_factory
):
    async with portal(make_app, skipping_client) as sign_in:
        [(first_id, first), (second_id, second)] = await _escalate(
            sign_in, session_factory, business_week, demo_org, count=2
        )
        coordinator = await sign_in("coord1")

        response = await coordinator.post(
            f"/inbox/tasks/{first.id}/decision",
            {"action": "approve", "comment": "Approved for the department.", "view": "escalations"},
            htmx=True,
        )

        assert response.status_code == 200, response.text
        assert "Approved" in response.text and "<form" not in response.text
        assert (await load(session_factory, first_id)).status == RequestStatus.APPROVED
        async with session_factory() as session:
            closed = await session.get_one(Task, first.id)
            assert closed.status == TaskStatus.DONE and closed.closed_by_id == demo_org.coord1
        # Without htmx the form posts back to the queue, which now holds only the other request.
        plain = await coordinator.post(
            f"/inbox/tasks/{second.id}/decision", {"action": "approve", "view": "escalations"}
        )
        assert plain.status_code == 303 and plain.headers["location"] == "/escalations"
        assert (await load(session_factory, second_id)).status == RequestStatus.APPROVED
        queue = await coordinator.get("/escalations")
        assert "The escalation queue is empty." in queue.text
        detail = await (await sign_in("officer1")).get(f"/requests/{first_id}")
        assert "Approved" in detail.text and "Approved for the department." in detail.text
        async with session_factory() as session:
            open_tasks = list(await session.scalars(select(Task).where(Task.status == TaskStatus.OPEN)))
        assert open_tasks == []

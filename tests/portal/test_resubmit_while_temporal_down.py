"""Resubmitting an edited request while Temporal is unreachable: the edits and the resubmission are
committed together (outbox), nothing half-happens, and the relay delivers it once Temporal is back."""

from __future__ import annotations

from sqlalchemy import select

from models import OutboxMessage, RequestStatus
from services.workflow_starts import dispatch_due
from tests.portal.helpers import load, portal, submit
from tests.support import timeline, wait_for_open_task

EDITS = {
    "title": "Crisis Intervention Team (40h)", "provider": "Regional Academy", "location": "Duluth, MN",
    "start_date": "2027-03-01", "end_date": "2027-03-05", "hours": "40", "cost_tuition": "200",
    "cost_lodging": "150.25", "justification": "Required for CIT.", "comment": "Lodging added.",
}


async def test_resubmission_while_temporal_is_down_is_queued_with_its_edits_and_delivered_once(
    make_app, temporal_client, unreachable_temporal, demo_org, session_factory, settings
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant = await sign_in("officer1"), await sign_in("sgt1")
        request_id, _ = await submit(officer)
        first = await wait_for_open_task(session_factory, request_id)
        returned = await sergeant.post(f"/inbox/tasks/{first.id}/decision",
                                       {"action": "request_changes", "comment": "Add the lodging cost."}, htmx=True)
        assert returned.status_code == 200

    async with portal(make_app, unreachable_temporal) as sign_in:
        officer = await sign_in("officer1")
        response = await officer.post(f"/requests/{request_id}/edit", EDITS)

        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/requests/{request_id}?notice=resubmit_queued"
        request = await load(session_factory, request_id)
        # The edits are saved with the resubmission that will carry them, not without it.
        assert (request.revision, request.title, request.total_cost_cents) == (2, EDITS["title"], 35_025)
        assert request.status == RequestStatus.CHANGES_REQUESTED
        async with session_factory() as session:
            pending = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.update_id != "")))
        assert [(m.workflow_id, m.update_id, m.dispatched_at) for m in pending] == [
            (request.workflow_id, f"resubmit:{request_id}:2", None)
        ]
        detail = await officer.get(f"/requests/{request_id}")
        assert "Your changes are saved and will be sent for review" in detail.text
        assert f'href="/requests/{request_id}/edit"' not in detail.text
        # While it waits, the request cannot be edited (and resubmitted) a second time.
        assert (await officer.get(f"/requests/{request_id}/edit")).status_code == 404
        assert (await officer.post(f"/requests/{request_id}/edit", EDITS)).status_code == 404
        assert (await load(session_factory, request_id)).revision == 2

    async with session_factory() as session, session.begin():
        message = await session.get_one(OutboxMessage, pending[0].id)
        message.next_attempt_at = message.created_at  # due now, as time would make it
    assert await dispatch_due(session_factory, temporal_client, settings.task_queue) == 1
    task = await wait_for_open_task(session_factory, request_id, not_id=first.id)
    assert task.assignee_id == demo_org.sgt1
    assert (await load(session_factory, request_id)).status == RequestStatus.IN_REVIEW
    assert (await timeline(session_factory, request_id)).count("resubmitted") == 1
    assert await dispatch_due(session_factory, temporal_client, settings.task_queue) == 0

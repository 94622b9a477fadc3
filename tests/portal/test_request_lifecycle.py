"""An officer's request after submission, through HTTP with the real workflow: edit, resubmit, withdraw,
the inbox badge, and submitting while Temporal is down."""

from __future__ import annotations

import html
import socket

from sqlalchemy import select
from temporalio.client import Client

from models import OutboxMessage, RequestStatus, Task, TaskStatus, TrainingRequestCost, TrainingRequestTopic
from services.workflow_starts import dispatch_due
from tests.portal.helpers import audits, load, portal, submit
from tests.support import timeline, wait_for_open_task


async def test_changes_requested_officer_edits_and_resubmits_back_to_sergeant(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant = await sign_in("officer1"), await sign_in("sgt1")
        request_id, _ = await submit(officer)
        first = await wait_for_open_task(session_factory, request_id)
        returned = await sergeant.post(
            f"/inbox/tasks/{first.id}/decision",
            {"action": "request_changes", "comment": "Add the lodging cost."},
            htmx=True,
        )
        assert returned.status_code == 200 and "Returned to officer" in returned.text

        detail = await officer.get(f"/requests/{request_id}")
        assert "Changes requested" in detail.text and "Add the lodging cost." in detail.text
        assert f'href="/requests/{request_id}/edit">Edit &amp; resubmit</a>' in detail.text

        form = await officer.get(f"/requests/{request_id}/edit")
        assert form.status_code == 200
        assert "Edit and resubmit: Crisis Intervention Team" in form.text
        for prefilled in (
            'value="Crisis Intervention Team"',
            'value="Regional Academy"',
            'value="2027-03-01"',
            'value="40"',
            'value="200.00"',
            "Required for CIT certification.</textarea>",
        ):
            assert prefilled in form.text, prefilled
        assert f'action="/requests/{request_id}/edit"' in form.text

        # Invalid edits: the form comes back with messages and the typed values; nothing is saved.
        bad = await officer.post(
            f"/requests/{request_id}/edit",
            {
                "title": "Changed title",
                "provider": "Regional Academy",
                "location": "St. Paul, MN",
                "start_date": "2027-03-05",
                "end_date": "2027-03-01",
                "hours": "40",
                "cost_lodging": "-3",
                "justification": "Required.",
            },
        )
        assert bad.status_code == 200
        page = html.unescape(bad.text)
        assert "The end date cannot be before the start date." in page and "The amount cannot be negative." in page
        assert 'value="Changed title"' in bad.text
        request = await load(session_factory, request_id)
        assert (request.title, request.revision, request.status) == (
            "Crisis Intervention Team",
            1,
            RequestStatus.CHANGES_REQUESTED,
        )
        assert "resubmitted" not in await timeline(session_factory, request_id)

        # Valid edits: saved as revision 2 and back in the sergeant's inbox.
        good = await officer.post(
            f"/requests/{request_id}/edit",
            {
                "title": "Crisis Intervention Team (40h)",
                "provider": "Regional Academy",
                "location": "Duluth, MN",
                "start_date": "2027-03-01",
                "end_date": "2027-03-05",
                "hours": "40",
                "cost_tuition": "200",
                "cost_lodging": "150.25",
                "topics": ["use_of_force"],
                "justification": "Required for CIT.",
                "comment": "Lodging added.",
            },
        )
        assert good.status_code == 303, good.text
        assert good.headers["location"] == f"/requests/{request_id}?notice=resubmitted"
        request = await load(session_factory, request_id)
        assert request.revision == 2 and request.title == "Crisis Intervention Team (40h)"
        assert request.location == "Duluth, MN" and request.total_cost_cents == 35_025
        assert request.status == RequestStatus.IN_REVIEW
        async with session_factory() as session:
            costs = {
                c.category: c.amount_cents
                for c in await session.scalars(
                    select(TrainingRequestCost).where(TrainingRequestCost.request_id == request_id)
                )
            }
            topics = set(
                await session.scalars(
                    select(TrainingRequestTopic.topic_code).where(TrainingRequestTopic.request_id == request_id)
                )
            )
            first_now = await session.get_one(Task, first.id)
        assert costs == {"tuition": 20_000, "lodging": 15_025} and topics == {"use_of_force"}
        assert first_now.status == TaskStatus.DONE
        second = await wait_for_open_task(session_factory, request_id, not_id=first.id)
        assert second.assignee_id == demo_org.sgt1
        assert (await timeline(session_factory, request_id))[-1] == "resubmitted"
        inbox = await sergeant.get("/inbox")
        assert f'id="task-{second.id}"' in inbox.text and "Crisis Intervention Team (40h)" in inbox.text
        shown = await officer.get(good.headers["location"])
        assert "Your request has been resubmitted." in shown.text and "(revision 2)" in shown.text
        assert "Edit &amp; resubmit" not in shown.text  # no longer waiting for changes
        assert (await officer.get(f"/requests/{request_id}/edit")).status_code == 404


async def test_only_the_requesting_officer_can_open_the_edit_page_or_resubmit(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant, other = await sign_in("officer1"), await sign_in("sgt1"), await sign_in("officer2")
        request_id, _ = await submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        await sergeant.post(
            f"/inbox/tasks/{task.id}/decision", {"action": "request_changes", "comment": "Fix the dates."}, htmx=True
        )
        assert (await load(session_factory, request_id)).status == RequestStatus.CHANGES_REQUESTED
        edits = {
            "title": "Hijacked",
            "provider": "X",
            "location": "Y",
            "start_date": "2027-03-01",
            "end_date": "2027-03-02",
            "hours": "8",
            "justification": "Mine now.",
        }

        # Another officer cannot even see the request; the sergeant can see it but not edit it.
        for browser in (other, sergeant):
            page = await browser.get(f"/requests/{request_id}/edit")
            assert page.status_code == 404 and "Crisis Intervention" not in page.text
            assert (await browser.post(f"/requests/{request_id}/edit", edits)).status_code == 404
            detail = await browser.get(f"/requests/{request_id}")
            assert "Edit &amp; resubmit" not in detail.text

        request = await load(session_factory, request_id)
        assert (request.title, request.revision, request.status) == (
            "Crisis Intervention Team",
            1,
            RequestStatus.CHANGES_REQUESTED,
        )
        assert "resubmitted" not in await timeline(session_factory, request_id)
        assert len(await audits(session_factory, "training_request.view", "denied")) >= 2  # officer2
        edit_denials = await audits(session_factory, "training_request.edit", "denied")
        assert [row.actor_user_id for row in edit_denials] == [demo_org.users["sgt1"]] * 2


async def test_owner_withdraws_pending_request_and_it_leaves_the_sergeants_inbox(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant = await sign_in("officer1"), await sign_in("sgt1")
        request_id, _ = await submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        assert f'id="task-{task.id}"' in (await sergeant.get("/inbox")).text
        detail = await officer.get(f"/requests/{request_id}")
        assert f'action="/requests/{request_id}/withdraw"' in detail.text

        response = await officer.post(f"/requests/{request_id}/withdraw", {"comment": "Course cancelled."})

        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"/requests/{request_id}?notice=withdrawn"
        assert (await load(session_factory, request_id)).status == RequestStatus.WITHDRAWN
        async with session_factory() as session:
            assert (await session.get_one(Task, task.id)).status == TaskStatus.CANCELLED
        shown = await officer.get(response.headers["location"])
        assert "Your request has been withdrawn." in shown.text and "Withdrawn" in shown.text
        assert "Withdraw request" not in shown.text
        inbox = await sergeant.get("/inbox")
        assert f'id="task-{task.id}"' not in inbox.text and "Nothing is waiting for your decision." in inbox.text
        assert [row.outcome for row in await audits(session_factory, "training_request.withdraw")] == ["success"]

        # A closed request cannot be withdrawn again.
        again = await officer.post(f"/requests/{request_id}/withdraw", {})
        assert again.status_code == 404


async def test_non_owner_cannot_withdraw_and_the_attempt_is_audited(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant, other = await sign_in("officer1"), await sign_in("sgt1"), await sign_in("officer2")
        request_id, _ = await submit(officer)
        task = await wait_for_open_task(session_factory, request_id)

        # officer2 may not see the request at all; sgt1 may see it but it is not theirs to withdraw.
        outsider = await other.post(f"/requests/{request_id}/withdraw", {})
        supervisor = await sergeant.post(f"/requests/{request_id}/withdraw", {})

        assert outsider.status_code == 404 and supervisor.status_code == 404
        assert "Crisis Intervention" not in outsider.text
        assert (await load(session_factory, request_id)).status == RequestStatus.IN_REVIEW
        async with session_factory() as session:
            assert (await session.get_one(Task, task.id)).status == TaskStatus.OPEN
        withdraw_denials = await audits(session_factory, "training_request.withdraw")
        assert [(r.actor_user_id, r.outcome, r.object_id) for r in withdraw_denials] == [
            (demo_org.users["officer2"], "denied", str(request_id)),
            (demo_org.users["sgt1"], "denied", str(request_id)),
        ]


async def test_inbox_count_badge_shows_waiting_requests_for_the_sergeant(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant, other_sergeant = await sign_in("officer1"), await sign_in("sgt1"), await sign_in("sgt2")
        empty = await sergeant.get("/inbox/count")
        assert 'class="badge badge-empty"' in empty.text

        first, _ = await submit(officer)
        second, _ = await submit(officer, title="Use of Force Update")
        await wait_for_open_task(session_factory, first)
        await wait_for_open_task(session_factory, second)

        badge = await sergeant.get("/inbox/count", headers={"HX-Request": "true"})
        assert badge.status_code == 200
        assert badge.text.lstrip().startswith('<span id="inbox-count" class="badge"')
        assert '>2<span class="visually-hidden"> waiting</span>' in badge.text
        nav = await sergeant.get("/requests")
        assert 'Approval inbox <span id="inbox-count" class="badge"' in nav.text and ">2<span" in nav.text
        assert 'class="badge badge-empty"' in (await other_sergeant.get("/inbox/count")).text
        assert "Approval inbox" not in (await officer.get("/requests")).text  # officers have no inbox link


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_submitting_while_temporal_is_unreachable_queues_the_request_and_loses_nothing(
    make_app, temporal_client, demo_org, session_factory, settings
):
    down = await Client.connect(f"127.0.0.1:{_closed_port()}", lazy=True)
    async with portal(make_app, down) as sign_in:
        officer = await sign_in("officer1")
        request_id, location = await submit(officer, cost_travel="35.10")

        assert location == f"/requests/{request_id}?notice=queued"
        detail = await officer.get(location)
        assert detail.status_code == 200
        assert "Your request is saved and queued" in detail.text and "Submitted (queued)" in detail.text
        request = await load(session_factory, request_id)
        assert request.status == RequestStatus.SUBMITTED and request.total_cost_cents == 23_510
        async with session_factory() as session:
            outbox = list(await session.scalars(select(OutboxMessage)))
        assert len(outbox) == 1
        message = outbox[0]
        assert message.workflow_id == request.workflow_id and message.payload == {"request_id": request_id}
        assert message.dispatched_at is None and message.attempts == 1 and message.last_error

    # When Temporal is back, the relay starts the saved request and it reaches the sergeant.
    async with session_factory() as session, session.begin():
        (await session.get_one(OutboxMessage, message.id)).next_attempt_at = message.created_at
    assert await dispatch_due(session_factory, temporal_client, settings.task_queue) == 1
    task = await wait_for_open_task(session_factory, request_id)
    assert task.assignee_id == demo_org.sgt1
    assert (await load(session_factory, request_id)).status == RequestStatus.IN_REVIEW

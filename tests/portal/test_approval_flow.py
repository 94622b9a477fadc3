"""End to end through HTTP with the real workflow: submit, decide via htmx, see the outcome."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from models import AuditEvent, RequestEvent, RequestStatus, TrainingRequest
from tests.portal.conftest import Browser
from tests.portal.test_request_form import VALID
from tests.support import PASSWORD, wait_for_open_task


async def _signed_in(app, username: str) -> Browser:
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    browser = Browser(client)
    await client.get("/login")
    response = await browser.post("/login", {"username": username, "password": PASSWORD})
    assert response.status_code == 303
    return browser


async def _submit(browser: Browser) -> int:
    response = await browser.post("/requests", {**VALID, "cost_tuition": "200", "cost_travel": ""})
    assert response.status_code == 303
    assert response.headers["location"].endswith("?notice=submitted")  # the workflow started at once
    return int(response.headers["location"].split("/")[2].split("?")[0])


async def test_officer_submits_and_sergeant_approves_through_htmx(make_app, temporal_client, demo_org, session_factory):
    app = make_app(temporal_client)
    try:
        officer = await _signed_in(app, "officer1")
        sergeant = await _signed_in(app, "sgt1")
        request_id = await _submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        assert task.assignee_id == demo_org.sgt1

        inbox = await sergeant.get("/inbox")
        assert "Crisis Intervention Team" in inbox.text and f'id="task-{task.id}"' in inbox.text

        response = await sergeant.post(
            f"/inbox/tasks/{task.id}/decision", {"action": "approve", "comment": "Good course."}, htmx=True
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith("<article")  # a row fragment, not a page
        assert "Approved" in response.text and "<form" not in response.text
        assert response.headers.get("hx-trigger") == "inbox-changed"
        async with session_factory() as session:
            request = await session.get(TrainingRequest, request_id)
            assert request.status == RequestStatus.APPROVED
        detail = await officer.get(f"/requests/{request_id}")
        assert "Approved" in detail.text and "Good course." in detail.text
        count = await sergeant.get("/inbox/count")
        assert 'class="badge badge-empty"' in count.text
    finally:
        await app.state.engine.dispose()


async def test_double_decision_on_one_task_is_one_decision(make_app, temporal_client, demo_org, session_factory):
    app = make_app(temporal_client)
    try:
        officer = await _signed_in(app, "officer1")
        sergeant = await _signed_in(app, "sgt1")
        request_id = await _submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        url = f"/inbox/tasks/{task.id}/decision"

        first, second = await asyncio.gather(
            sergeant.post(url, {"action": "approve"}, htmx=True),
            sergeant.post(url, {"action": "approve"}, htmx=True),
        )
        third = await sergeant.post(url, {"action": "deny"}, htmx=True)

        assert {first.status_code, second.status_code} <= {200, 403}
        assert "no longer pending" in third.text
        async with session_factory() as session:
            decisions = await session.scalar(
                select(func.count(RequestEvent.id)).where(
                    RequestEvent.request_id == request_id,
                    RequestEvent.kind.in_(["approved", "denied", "changes_requested"]),
                )
            )
            assert decisions == 1
            assert (await session.get(TrainingRequest, request_id)).status == RequestStatus.APPROVED
            outcomes = list(
                await session.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "training_request.decide"))
            )
            assert "denied" in outcomes
    finally:
        await app.state.engine.dispose()

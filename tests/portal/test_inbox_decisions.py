"""Deny and Request changes need a comment in the card; with the real workflow behind the inbox."""

from __future__ import annotations

from sqlalchemy import func, select

from models import RequestEvent, RequestStatus, TrainingRequest
from tests.portal.test_approval_flow import _signed_in, _submit
from tests.support import wait_for_open_task


async def _decisions(session_factory, request_id: int) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return await session.scalar(select(func.count(RequestEvent.id)).where(
            RequestEvent.request_id == request_id,
            RequestEvent.kind.in_(["approved", "denied", "changes_requested"]))) or 0


async def test_deny_needs_a_comment_and_is_sent_once_it_has_one(make_app, temporal_client, demo_org,
                                                                session_factory):
    app = make_app(temporal_client)
    try:
        officer = await _signed_in(app, "officer1")
        sergeant = await _signed_in(app, "sgt1")
        request_id = await _submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        url = f"/inbox/tasks/{task.id}/decision"

        refused = await sergeant.post(url, {"action": "deny", "comment": ""}, htmx=True)
        assert refused.status_code == 400
        assert "Say why you deny it in the comment, so the officer knows." in refused.text
        assert await _decisions(session_factory, request_id) == 0
        async with session_factory() as session:
            assert (await session.get(TrainingRequest, request_id)).status == RequestStatus.IN_REVIEW

        denied = await sergeant.post(url, {"action": "deny", "comment": "No budget left this year."}, htmx=True)
        assert denied.status_code == 200
        assert "Denied" in denied.text and "<form" not in denied.text
        assert await _decisions(session_factory, request_id) == 1
        async with session_factory() as session:
            assert (await session.get(TrainingRequest, request_id)).status == RequestStatus.DENIED
    finally:
        await app.state.engine.dispose()


async def test_request_changes_with_a_comment_returns_the_request_to_the_officer(make_app, temporal_client,
                                                                                 demo_org, session_factory):
    app = make_app(temporal_client)
    try:
        officer = await _signed_in(app, "officer1")
        sergeant = await _signed_in(app, "sgt1")
        request_id = await _submit(officer)
        task = await wait_for_open_task(session_factory, request_id)
        url = f"/inbox/tasks/{task.id}/decision"

        assert (await sergeant.post(url, {"action": "request_changes"}, htmx=True)).status_code == 400
        returned = await sergeant.post(url, {"action": "request_changes", "comment": "Add the lodging cost."},
                                       htmx=True)
        assert returned.status_code == 200 and "Returned to officer" in returned.text
        async with session_factory() as session:
            assert (await session.get(TrainingRequest, request_id)).status == RequestStatus.CHANGES_REQUESTED
    finally:
        await app.state.engine.dispose()

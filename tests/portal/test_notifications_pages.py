"""In-app notifications after a real decision: the list, the nav count, marking read, and privacy."""

from __future__ import annotations

from sqlalchemy import func, select

from models import Notification
from tests.portal.conftest import csrf_from
from tests.portal.helpers import portal, submit
from tests.support import wait_for_open_task


async def _unread(session_factory, person_id: int) -> list[Notification]:
    async with session_factory() as session:
        return list(
            await session.scalars(
                select(Notification)
                .where(Notification.person_id == person_id, Notification.read_at.is_(None))
                .order_by(Notification.id)
            )
        )


async def _decided(sign_in, session_factory) -> tuple[object, object, int]:
    officer, sergeant = await sign_in("officer1"), await sign_in("sgt1")
    request_id, _ = await submit(officer)
    task = await wait_for_open_task(session_factory, request_id)
    decided = await sergeant.post(
        f"/inbox/tasks/{task.id}/decision", {"action": "approve", "comment": "Go."}, htmx=True
    )
    assert decided.status_code == 200 and "Approved" in decided.text
    return officer, sergeant, request_id


async def test_officer_sees_decision_unread_and_marks_all_read(make_app, temporal_client, demo_org, session_factory):
    async with portal(make_app, temporal_client) as sign_in:
        officer, _, request_id = await _decided(sign_in, session_factory)
        unread = await _unread(session_factory, demo_org.officer1)
        subjects = [n.subject for n in unread]
        assert subjects == [
            "[Muster] Request submitted: Crisis Intervention Team",
            "[Muster] Request approved: Crisis Intervention Team",
        ]

        listing = await officer.get("/notifications")
        assert listing.status_code == 200
        assert listing.text.count('<li class="unread">') == 2
        # The list shows a title linking to the request and one sentence (not the mail's subject and text).
        assert (f'Unread: </span><a href="/requests/{request_id}">Request approved: Crisis Intervention Team</a>'
                in listing.text)
        assert "Sergeant Sam Sergeant approved your training request." in listing.text
        count = await officer.get("/notifications/count", headers={"HX-Request": "true"})
        assert count.text.lstrip().startswith('<span id="unread-count" class="badge"')
        assert '>2<span class="visually-hidden"> unread</span>' in count.text

        # The "Mark all as read" form, posted with the token it carries.
        token = csrf_from(listing.text)
        response = await officer.client.post(
            "/notifications/read-all", data={"_csrf_token": token}, follow_redirects=False
        )

        assert response.status_code == 303 and response.headers["location"] == "/notifications"
        assert await _unread(session_factory, demo_org.officer1) == []
        after = await officer.get("/notifications")
        assert '<li class="unread">' not in after.text and after.text.count('<li class="read">') == 2
        assert "Mark all as read" in after.text and "Mark as read</button>" not in after.text
        assert 'class="badge badge-empty"' in (await officer.get("/notifications/count")).text


async def test_mark_one_read_touches_only_that_notification(make_app, temporal_client, demo_org, session_factory):
    async with portal(make_app, temporal_client) as sign_in:
        officer, _, _ = await _decided(sign_in, session_factory)
        first, second = await _unread(session_factory, demo_org.officer1)

        response = await officer.post(f"/notifications/{second.id}/read")

        assert response.status_code == 303
        assert [n.id for n in await _unread(session_factory, demo_org.officer1)] == [first.id]
        count = await officer.get("/notifications/count")
        assert '>1<span class="visually-hidden"> unread</span>' in count.text


async def test_user_never_sees_or_marks_another_users_notifications(
    make_app, temporal_client, demo_org, session_factory
):
    async with portal(make_app, temporal_client) as sign_in:
        officer, sergeant, _ = await _decided(sign_in, session_factory)
        sergeants = await _unread(session_factory, demo_org.sgt1)
        assert [n.subject for n in sergeants] == [
            "[Muster] A training request needs your decision: Crisis Intervention Team"
        ]
        theirs = sergeants[0]

        listing = await officer.get("/notifications")
        assert "needs your decision" not in listing.text and f"/notifications/{theirs.id}/read" not in listing.text
        response = await officer.post(f"/notifications/{theirs.id}/read")
        everything = await officer.post("/notifications/read-all")

        assert response.status_code == 303 and everything.status_code == 303
        assert [n.id for n in await _unread(session_factory, demo_org.sgt1)] == [theirs.id]
        own = await sergeant.get("/notifications")
        assert "A training request needs your decision: Crisis Intervention Team</a>" in own.text
        assert "Request approved" not in own.text  # the officer's own news stays the officer's
        # A user without notifications of their own sees an empty page and no stray rows.
        stranger = await sign_in("officer2")
        assert "No notifications." in (await stranger.get("/notifications")).text
        assert 'class="badge badge-empty"' in (await stranger.get("/notifications/count")).text
        async with session_factory() as session:
            total_unread = await session.scalar(
                select(func.count(Notification.id)).where(Notification.read_at.is_(None))
            )
        assert total_unread == 1  # the sergeant's notice is the only one still unread

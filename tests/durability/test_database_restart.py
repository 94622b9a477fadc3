"""PostgreSQL goes away under the portal: requests fail cleanly, and nothing acknowledged is lost.

The machine's PostgreSQL server is shared with other tests, so the outage is simulated for this
test's database only: every connection the app holds is terminated by the server
(`pg_terminate_backend`), exactly what the app sees when PostgreSQL restarts or fails over.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from models import OutboxMessage, TrainingRequest
from models.database import create_engine
from tests.portal.conftest import app, browsers, make_app, unreachable_temporal
from tests.portal.helpers import FORM, request_id_from

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]  # the portal's fixtures, used here

# A PostgreSQL outage only: this module runs on the PostgreSQL variant of the database fixtures alone.
pytestmark = pytest.mark.parametrize("database_template", ["postgresql"], indirect=True)

TERMINATE_OTHERS = text(
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> :spare"
).bindparams(spare=0)
WAITING_ON_A_LOCK = text(
    "SELECT pid FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
)
INTERNALS = ("Traceback", "asyncpg", "sqlalchemy", "SELECT", "INSERT", "terminat", "postgres")


@pytest.fixture
async def admin(database_url: str) -> AsyncIterator[AsyncConnection]:
    """A connection of the test's own, outside the app's pool, in autocommit."""
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
    await engine.dispose()


async def _count(session_factory, model) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return await session.scalar(select(func.count(model.id))) or 0


async def test_connections_killed_between_requests_are_replaced_without_the_user_noticing(
    browsers, demo_org, session_factory, admin
):
    officer = await browsers("officer1")
    first = await officer.post("/requests", FORM)
    assert first.status_code == 303
    request_id = request_id_from(first.headers["location"])

    assert (await admin.scalar(TERMINATE_OTHERS)) >= 1  # the app's pooled connections, at least

    # The pool notices the dead connections (pre-ping) and opens new ones: the user sees nothing.
    page = await officer.get(f"/requests/{request_id}")
    assert page.status_code == 200 and FORM["title"] in page.text
    second = await officer.post("/requests", {**FORM, "title": "After the outage"})
    assert second.status_code == 303
    assert await _count(session_factory, TrainingRequest) == 2
    assert await _count(session_factory, OutboxMessage) == 2


async def _terminate_when_blocked(admin: AsyncConnection, locker_pid: int, timeout: float = 15) -> None:
    """Wait until an app query waits on the test's lock, then kill the app's connections (not the locker's)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (await admin.execute(WAITING_ON_A_LOCK)).first():
        assert loop.time() < deadline, "no app query ever waited on the lock"
        await asyncio.sleep(0.05)
    await admin.execute(TERMINATE_OTHERS.bindparams(spare=locker_pid))


async def test_a_request_in_flight_when_the_database_goes_away_fails_with_a_generic_page(
    browsers, demo_org, session_factory, admin, database_url
):
    officer = await browsers("officer1")
    kept = await officer.post("/requests", FORM)
    assert kept.status_code == 303
    kept_id = request_id_from(kept.headers["location"])

    # A second connection (not the admin one, which must survive) holds a lock the submission will wait on.
    engine = create_engine(database_url)
    try:
        async with engine.connect() as locker:
            locker_pid = await locker.scalar(text("SELECT pg_backend_pid()"))
            await locker.execute(text("LOCK TABLE outbox_message IN ACCESS EXCLUSIVE MODE"))
            submission = asyncio.create_task(officer.post("/requests", {**FORM, "title": "Lost in the outage"}))
            await _terminate_when_blocked(admin, locker_pid)
            response = await asyncio.wait_for(submission, 30)
    finally:
        await engine.dispose()

    assert response.status_code in {500, 503}
    assert "Something went wrong" in response.text or "unavailable" in response.text.lower()
    assert not [word for word in INTERNALS if word.lower() in response.text.lower()], response.text

    # The request acknowledged before the outage is intact; the one that failed left nothing behind.
    async with session_factory() as session:
        titles = list(await session.scalars(select(TrainingRequest.title)))
        assert titles == [FORM["title"]]
        assert await session.scalar(select(func.count(OutboxMessage.id))) == 1
    page = await officer.get(f"/requests/{kept_id}")
    assert page.status_code == 200 and FORM["title"] in page.text

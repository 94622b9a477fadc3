"""The audit trail is hash-chained: a changed or removed row is found; concurrent writers keep it intact."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, AuditOutcome
from models.database import create_engine, create_session_factory
from services.audit import record_audit, verify_audit_chain


async def _write(factory: async_sessionmaker[AsyncSession], count: int, label: str = "tester") -> None:
    async with factory() as session, session.begin():
        for n in range(count):
            record_audit(session, None, label, "test.event", "thing", n, AuditOutcome.SUCCESS, "10.0.0.1", None,
                         {"n": n, "text": "ünïcode"})


async def _verify(factory: async_sessionmaker[AsyncSession]) -> int | None:
    async with factory() as session:
        return await verify_audit_chain(session)


async def _tamper(database_url: str, statement: str) -> None:
    """What someone with direct database access could do once the append-only triggers are out of the way."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        if database_url.startswith("sqlite"):
            await conn.execute(text("DROP TRIGGER audit_event_no_update"))
            await conn.execute(text("DROP TRIGGER audit_event_no_delete"))
            await conn.execute(text(statement))
        else:  # the test database user is a superuser
            await conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER ALL"))
            await conn.execute(text(statement))
            await conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER ALL"))
    await engine.dispose()


async def test_intact_chain_verifies(session_factory):
    await _write(session_factory, 3)
    await _write(session_factory, 2, "second transaction")
    assert await _verify(session_factory) is None
    async with session_factory() as session:
        rows = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert all(row.row_hash and len(row.row_hash) == 64 for row in rows)


async def test_changed_row_is_detected(session_factory, database_url):
    await _write(session_factory, 5)
    await _tamper(database_url, "UPDATE audit_event SET outcome = 'failure' WHERE id = 3")
    assert await _verify(session_factory) == 3


async def test_changed_detail_is_detected(session_factory, database_url):
    await _write(session_factory, 5)
    await _tamper(database_url, "UPDATE audit_event SET actor_label = 'someone else' WHERE id = 5")
    assert await _verify(session_factory) == 5


async def test_removed_row_is_detected(session_factory, database_url):
    await _write(session_factory, 5)
    await _tamper(database_url, "DELETE FROM audit_event WHERE id = 2")
    assert await _verify(session_factory) == 3


async def _write_slowly(factory: async_sessionmaker[AsyncSession], label: str) -> None:
    """Three flushes in one transaction with pauses between: the interleaving a lost race needs."""
    async with factory() as session, session.begin():
        for n in range(3):
            record_audit(session, None, label, "test.event", "thing", n, AuditOutcome.SUCCESS, None, None)
            await session.flush()
            await asyncio.sleep(0.005)


async def test_concurrent_writers_keep_the_chain(database_url):
    """Separate engines (like the portal and the worker) appending at once. Without the chain lock
    (advisory lock on PostgreSQL, early write lock on SQLite) this breaks the chain."""
    engines = [create_engine(database_url) for _ in range(4)]
    factories = [create_session_factory(engine) for engine in engines]
    try:
        await asyncio.gather(*(_write_slowly(factories[n % 4], f"writer {n}") for n in range(12)))
        assert await _verify(factories[0]) is None
        async with factories[0]() as session:
            count = await session.scalar(text("SELECT count(*) FROM audit_event"))
        assert count == 36
    finally:
        for engine in engines:
            await engine.dispose()

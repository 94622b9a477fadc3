"""The audit table is append-only in the database itself: its triggers refuse UPDATE and DELETE.

Statements go straight to the database, as someone with the application's database login could send
them, with the triggers in place (test_audit_chain covers what happens when they are bypassed).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from models import AuditEvent, AuditOutcome
from models.database import create_engine
from services.audit import record_audit, verify_audit_chain

TAMPERING = [
    "UPDATE audit_event SET outcome = 'failure' WHERE id = 2",
    "UPDATE audit_event SET actor_label = 'someone else'",
    "DELETE FROM audit_event WHERE id = 2",
    "DELETE FROM audit_event",
]


async def _write_three(session_factory) -> None:
    async with session_factory() as session, session.begin():
        for n in range(3):
            record_audit(session, None, "tester", "test.event", "thing", n, AuditOutcome.SUCCESS, None, None)


@pytest.mark.parametrize("statement", TAMPERING)
async def test_database_refuses_to_change_or_remove_audit_rows(session_factory, database_url, statement):
    await _write_three(session_factory)
    engine = create_engine(database_url)
    try:
        with pytest.raises(DBAPIError, match="audit_event is append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()

    async with session_factory() as session:
        rows = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        assert [(row.id, row.outcome, row.actor_label) for row in rows] == [
            (1, "success", "tester"), (2, "success", "tester"), (3, "success", "tester")
        ]
        assert await verify_audit_chain(session) is None


async def test_appending_still_works_with_the_triggers_in_place(session_factory):
    await _write_three(session_factory)
    await _write_three(session_factory)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(AuditEvent.id))) == 6

"""After a roster change is committed: send its queued workflow messages now and tell the licensing cycle."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from models import OutboxMessage
from services.licensing import tell_cycle_changed
from services.workflow_starts import START_LICENSING_CYCLE, dispatch_one
from settings import Settings
from workflows.licensing_cycle_types import licensing_cycle_workflow_id


async def after_roster_change(factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings,
                              person_id: int, outbox_ids: Iterable[int] = ()) -> None:
    """Best-effort, after commit: a Temporal outage only delays these (the outbox relay retries the rows,
    and the cycle re-evaluates when it next wakes), never undoes the committed change."""
    workflow_id = licensing_cycle_workflow_id(person_id, settings.workflow_id_prefix)
    async with factory() as db:
        cycle_start = await db.scalar(select(OutboxMessage.id).where(
            OutboxMessage.workflow_id == workflow_id, OutboxMessage.kind == START_LICENSING_CYCLE,
            OutboxMessage.dispatched_at.is_(None)))
    for message_id in [*outbox_ids, *([cycle_start] if cycle_start is not None else [])]:
        await dispatch_one(factory, client, message_id, settings.task_queue)
    await tell_cycle_changed(client, person_id, settings.workflow_id_prefix)

"""Signal a page of an agency's officers' licensing-cycle workflows to re-evaluate now."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from models import EmploymentStatus, Person
from settings import Settings
from workflows.agency_recompute_types import RecomputePage, RecomputePageResult
from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE, licensing_cycle_workflow_id

# Signals in flight at once: quick for 500 officers without flooding the frontend.
_CONCURRENT_SIGNALS = 20


class AgencyRecomputeActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings) -> None:
        self._sessions = session_factory
        self._client = client
        self._prefix = settings.workflow_id_prefix

    @activity.defn
    async def signal_officer_page(self, page: RecomputePage) -> RecomputePageResult:
        """Signal the tracked officers after `page.after_id` (by id, at most `page.limit`).

        An officer without a running workflow (not started yet, or ended) is skipped: a workflow that
        starts later evaluates with the current requirements anyway. Any other error fails the
        activity, which is retried from the same cursor; a repeated signal only re-evaluates again.
        """
        async with self._sessions() as session:
            officer_ids = list(await session.scalars(
                select(Person.id)
                .where(Person.agency_id == page.agency_id, Person.id > page.after_id,
                       Person.license_date.is_not(None), Person.employment_status != EmploymentStatus.SEPARATED)
                .order_by(Person.id)
                .limit(page.limit)
            ))
        limit = asyncio.Semaphore(_CONCURRENT_SIGNALS)
        delivered = await asyncio.gather(*(self._signal(officer_id, limit) for officer_id in officer_ids))
        signalled = sum(delivered)
        return RecomputePageResult(
            next_after_id=officer_ids[-1] if len(officer_ids) == page.limit else None,
            signalled=signalled,
            not_running=len(officer_ids) - signalled,
        )

    async def _signal(self, officer_id: int, limit: asyncio.Semaphore) -> bool:
        async with limit:
            handle = self._client.get_workflow_handle(licensing_cycle_workflow_id(officer_id, self._prefix))
            try:
                await handle.signal(SIGNAL_RECOMPUTE)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return False
                raise
            return True

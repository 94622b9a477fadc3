"""Signal a page of an agency's officers' licensing-cycle workflows to re-evaluate now."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client

from activities.officer_signals import signal_recompute
from models import EmploymentStatus, Person
from settings import Settings
from workflows.agency_recompute_types import RecomputePage, RecomputePageResult


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
        signalled = await signal_recompute(self._client, officer_ids, self._prefix)
        return RecomputePageResult(
            next_after_id=officer_ids[-1] if len(officer_ids) == page.limit else None,
            signalled=signalled,
            not_running=len(officer_ids) - signalled,
        )

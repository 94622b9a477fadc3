"""Signal officers' licensing-cycle workflows to re-evaluate now, after their records changed."""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from settings import Settings
from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE, licensing_cycle_workflow_id
from workflows.officer_recompute_types import OfficerList

# Signals in flight at once: quick for 500 officers without flooding the frontend.
_CONCURRENT_SIGNALS = 20


async def signal_recompute(client: Client, officer_ids: list[int], workflow_id_prefix: str) -> int:
    """Signal each officer's running licensing-cycle workflow; returns how many were running.

    An officer without a running workflow is skipped: one that starts later evaluates the records as
    they are then. Any other error raises, so the activity is retried; a repeated signal only
    re-evaluates once more.
    """
    limit = asyncio.Semaphore(_CONCURRENT_SIGNALS)

    async def signal(officer_id: int) -> bool:
        async with limit:
            handle = client.get_workflow_handle(licensing_cycle_workflow_id(officer_id, workflow_id_prefix))
            try:
                await handle.signal(SIGNAL_RECOMPUTE)
            except RPCError as error:
                if error.status == RPCStatusCode.NOT_FOUND:
                    return False
                raise
            return True

    return sum(await asyncio.gather(*(signal(officer_id) for officer_id in officer_ids)))


class OfficerSignalActivities:
    def __init__(self, client: Client, settings: Settings) -> None:
        self._client = client
        self._prefix = settings.workflow_id_prefix

    @activity.defn(name="signal_officers_to_recompute")
    async def signal_officers(self, officers: OfficerList) -> int:
        return await signal_recompute(self._client, officers.officer_ids, self._prefix)

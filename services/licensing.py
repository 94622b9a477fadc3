"""Telling an officer's licensing-cycle workflow that their records changed."""

from __future__ import annotations

import logging
from datetime import timedelta

from temporalio.client import Client
from temporalio.service import RPCError

from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE, licensing_cycle_workflow_id

log = logging.getLogger(__name__)

# A page waits for this at most; the signal is a nudge, not part of the user's change.
SIGNAL_TIMEOUT = timedelta(seconds=5)


async def tell_cycle_changed(client: Client, officer_id: int, workflow_id_prefix: str) -> bool:
    """Ask the officer's licensing-cycle workflow to re-evaluate now. True when the signal was delivered.

    Best-effort by design: the workflow re-evaluates the officer every time it wakes up anyway, so a
    missed signal only delays reminders until then. It returns False, and logs why, when the officer
    has no running workflow (not started yet, or no longer tracked) or Temporal is unreachable; the
    change the caller has already committed stands either way.
    """
    workflow_id = licensing_cycle_workflow_id(officer_id, workflow_id_prefix)
    try:
        await client.get_workflow_handle(workflow_id).signal(SIGNAL_RECOMPUTE, rpc_timeout=SIGNAL_TIMEOUT)
    except RPCError as error:  # NOT_FOUND: no running workflow for this officer
        log.warning("could not signal %s to recompute (%s): %s", workflow_id, error.status.name, error.message)
        return False
    except Exception as error:  # a lazy client that cannot connect, timeouts
        log.warning("could not signal %s to recompute: Temporal unreachable (%s)", workflow_id, error)
        return False
    return True

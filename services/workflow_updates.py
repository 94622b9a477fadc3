"""Sending a person's action to a workflow as an Update, and turning every way it can fail into words.

One place for the workflows people act on (training requests, certificate reviews, record
reports). A workflow that is recording its previous step refuses inputs for those few milliseconds
with the error type `BUSY`; such a refusal is retried here for a moment, so a click that lands in
that window still counts instead of asking the person to try again.
"""

from __future__ import annotations

import asyncio

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from workflows.refusals import BUSY

UNAVAILABLE = "The workflow service is unavailable right now. Please try again in a minute."
# 50 ms doubling: about 1.5 s in all, far longer than recording a step takes.
_BUSY_ATTEMPTS = 6
_FIRST_PAUSE = 0.05


class WorkflowRefusal(Exception):
    """The workflow (or Temporal) refused an action; `str(error)` is safe to show the user.

    `retryable`: Temporal could not be reached, so the same Update may succeed later; otherwise the
    workflow itself said no, and sending it again changes nothing.
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


async def send_update(client: Client, workflow_id: str | None, name: str, arg: object, *,
                      update_id: str | None = None, not_running: str, closed: str | None = None) -> str:
    """Run Update `name` and return its answer, or raise WorkflowRefusal with a message to show.

    `not_running`: the message when the workflow does not exist (yet); `closed`: when it has ended.
    A validator's refusal is never stored by Temporal, so retrying with the same `update_id` is safe.
    """
    if not workflow_id:
        raise WorkflowRefusal(not_running)
    handle = client.get_workflow_handle(workflow_id)
    for attempt in range(_BUSY_ATTEMPTS):
        try:
            return str(await handle.execute_update(name, arg, id=update_id))
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if isinstance(cause, ApplicationError) and cause.type == BUSY and attempt + 1 < _BUSY_ATTEMPTS:
                await asyncio.sleep(_FIRST_PAUSE * 2**attempt)
                continue
            busy = isinstance(cause, ApplicationError) and cause.type == BUSY
            raise WorkflowRefusal(getattr(cause, "message", None) or str(cause) or "Refused.",
                                  retryable=busy) from error
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise WorkflowRefusal(not_running) from error
            if error.status == RPCStatusCode.FAILED_PRECONDITION:
                raise WorkflowRefusal(closed or not_running) from error
            raise WorkflowRefusal(UNAVAILABLE, retryable=True) from error
        except Exception as error:  # a lazy client that cannot connect, timeouts
            raise WorkflowRefusal(UNAVAILABLE, retryable=True) from error
    raise AssertionError("unreachable: the last attempt returns or raises")

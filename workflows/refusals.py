"""How an Update validator says no: the error types the portal tells apart.

`Refused` is final for this input (not yours, already decided, a reason missing). `Busy` means the
workflow is recording its previous step for a few milliseconds; services.workflow_updates retries
it briefly. Neither is stored in the workflow's history.
"""

from __future__ import annotations

from typing import NoReturn

from temporalio.exceptions import ApplicationError

REFUSED = "Refused"
BUSY = "Busy"


def refuse(message: str) -> NoReturn:
    raise ApplicationError(message, type=REFUSED, non_retryable=True)


def refuse_busy(message: str) -> NoReturn:
    raise ApplicationError(message, type=BUSY, non_retryable=True)

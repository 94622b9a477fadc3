"""What people do to a running training request: decide, reassign and withdraw it (each through
services.workflow_actions), and tell it a certificate arrived. Resubmissions go through the outbox
(services.workflow_starts), committed with the edits they send."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import TrainingRequest
from services.access import CurrentUser, can_change_own_request, can_decide_task, can_reassign_task, can_view_request
from services.training_requests import TaskRow, load_request, task_row
from services.workflow_actions import Denied, WorkflowAction
from services.workflow_updates import send_update
from workflows.training_request_types import (
    SIGNAL_CERTIFICATE_UPLOADED,
    UPDATE_DECIDE,
    UPDATE_REASSIGN,
    UPDATE_WITHDRAW,
    CertificateUploaded,
    Decision,
    Reassignment,
    Withdrawal,
)

log = logging.getLogger(__name__)

NO_LONGER_PENDING = "This request is no longer pending."


async def _update(client: Client, workflow_id: str | None, name: str, arg: object, update_id: str) -> str:
    return await send_update(client, workflow_id, name, arg, update_id=update_id, not_running=NO_LONGER_PENDING)


async def decide(client: Client, workflow_id: str, task_id: int, decision: Decision) -> str:
    return await _update(client, workflow_id, UPDATE_DECIDE, decision, f"decision:{task_id}")


async def withdraw(client: Client, request: TrainingRequest, withdrawal: Withdrawal) -> str:
    return await _update(client, request.workflow_id, UPDATE_WITHDRAW, withdrawal, f"withdraw:{request.id}")


async def reassign(client: Client, workflow_id: str, task_id: int, reassignment: Reassignment) -> str:
    return await _update(client, workflow_id, UPDATE_REASSIGN, reassignment, f"reassign:{task_id}")


async def tell_certificate_uploaded(client: Client, request: TrainingRequest, submission_id: int) -> bool:
    """Stop the request's certificate reminders; False when it could not be told.

    Best effort: the reminder activity checks the database before it reminds anyone, so a lost
    signal (Temporal down, the workflow already finished) changes nothing the officer sees.
    """
    if not request.workflow_id:
        return False
    try:
        await client.get_workflow_handle(request.workflow_id).signal(
            SIGNAL_CERTIFICATE_UPLOADED, CertificateUploaded(submission_id=submission_id)
        )
    except Exception:  # RPC errors, a lazy client that cannot connect, timeouts
        log.warning("could not tell %s that certificate %s was uploaded", request.workflow_id, submission_id,
                    exc_info=True)
        return False
    return True


# --- The actions, for services.workflow_actions.perform ------------------------------------------------


def _denied(reason: str | None) -> Denied | None:
    return None if reason is None else Denied(reason)


async def _may_decide(_db: AsyncSession, user: CurrentUser, row: TaskRow) -> Denied | None:
    return _denied(can_decide_task(user, row.task, row.request))


async def _may_reassign(_db: AsyncSession, user: CurrentUser, row: TaskRow) -> Denied | None:
    return _denied(can_reassign_task(user, row.task, row.request))


async def _may_withdraw(db: AsyncSession, user: CurrentUser, request: TrainingRequest) -> Denied | None:
    # Answered as not found, like every request page: the refused learn nothing of the request.
    if not await can_view_request(db, user, request):
        return Denied("may not see the request", hidden=True)
    if not can_change_own_request(user, request):
        return Denied("not the requesting officer", hidden=True)
    if not request.status_enum.is_open:
        return Denied(NO_LONGER_PENDING, hidden=True)
    return None


async def _send_decision(client: Client, row: TaskRow, decision: Decision) -> str:
    return await decide(client, row.task.workflow_id, row.task.id, decision)


async def _send_reassignment(client: Client, row: TaskRow, reassignment: Reassignment) -> str:
    return await reassign(client, row.task.workflow_id, row.task.id, reassignment)


DECIDE_TASK = WorkflowAction[TaskRow, Decision](
    audit_action="training_request.decide", object_type="training_request", key_name="task_id",
    load=task_row, audited_id=lambda row: row.request.id, permission=_may_decide, send=_send_decision,
    describe=lambda decision: {"action": decision.action.value},
)
REASSIGN_TASK = WorkflowAction[TaskRow, Reassignment](
    audit_action="training_request.reassign", object_type="training_request", key_name="task_id",
    load=task_row, audited_id=lambda row: row.request.id, permission=_may_reassign, send=_send_reassignment,
    describe=lambda reassignment: {"new_approver_id": reassignment.new_approver_id},
)
WITHDRAW_REQUEST = WorkflowAction[TrainingRequest, Withdrawal](
    audit_action="training_request.withdraw", object_type="training_request", key_name="request_id",
    load=load_request, audited_id=lambda request: request.id, permission=_may_withdraw, send=withdraw,
)

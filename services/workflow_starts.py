"""Starting workflows, and sending Updates that must not be lost, from the transactional outbox.

A request and its outbox row are committed together (`enqueue_workflow_start`). The portal then
tries to start the workflow at once; if Temporal is unreachable the row stays pending and the relay
in the worker process starts it when Temporal is back. Starts use the business workflow id with
REJECT_DUPLICATE/USE_EXISTING, so a start repeated after a crash is a no-op, never a second run.
Licensing cycles are the exception: a re-hired officer's cycle must run again, so their start allows a
new run once the last one ended (ALLOW_DUPLICATE/USE_EXISTING: still one at a time), and re-hiring
re-queues the officer's one outbox row (`queue_licensing_cycle`).
Updates (a resubmitted request) carry their own Update id, which Temporal runs at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import CursorResult, String, cast, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from models import EmploymentStatus, OutboxMessage, Person, TrainingRequest, training_request_workflow_id, utcnow
from services.workflow_updates import WorkflowRefusal, send_update
from workflows.agency_recompute_types import (
    AGENCY_RECOMPUTE_WORKFLOW,
    AgencyRecomputeInput,
    agency_recompute_workflow_id,
)
from workflows.certificate_review_types import CERTIFICATE_REVIEW_WORKFLOW, CertificateReviewInput
from workflows.licensing_cycle_types import (
    LICENSING_CYCLE_WORKFLOW,
    LicensingCycleState,
    licensing_cycle_workflow_id,
)
from workflows.officer_recompute_types import (
    OFFICER_RECOMPUTE_WORKFLOW,
    OfficerRecomputeInput,
    officer_recompute_workflow_id,
)
from workflows.record_import_types import RECORD_IMPORT_WORKFLOW, RecordImportInput
from workflows.record_report_types import RECORD_REPORT_WORKFLOW, RecordReportInput
from workflows.roster_import_types import ROSTER_IMPORT_WORKFLOW, RosterImportInput
from workflows.training_request_types import (
    UPDATE_REASSIGN,
    UPDATE_RESUBMIT,
    WORKFLOW_NAME,
    Reassignment,
    Resubmission,
    TrainingRequestInput,
)

log = logging.getLogger(__name__)

START_TRAINING_REQUEST = "start_training_request"
START_LICENSING_CYCLE = "start_licensing_cycle"
START_AGENCY_RECOMPUTE = "start_agency_recompute"
START_CERTIFICATE_REVIEW = "start_certificate_review"
START_RECORD_REPORT = "start_record_report"
START_RECORD_IMPORT = "start_record_import"
START_ROSTER_IMPORT = "start_roster_import"
START_OFFICER_RECOMPUTE = "start_officer_recompute"
RESUBMIT_TRAINING_REQUEST = "resubmit_training_request"
REASSIGN_TRAINING_REQUEST = "reassign_training_request"
# How often the relay looks for licensed officers whose cycle workflow was never queued.
_SWEEP_EVERY_ROUNDS = 150
_MAX_BACKOFF = timedelta(minutes=5)


async def enqueue_training_request_start(
    session: AsyncSession, request: TrainingRequest, workflow_id_prefix: str
) -> OutboxMessage:
    """Name the request's workflow and add its outbox row in the caller's transaction.

    The row commits with the request or not at all. Call after the request is added.
    """
    if request.id is None:
        await session.flush()
    request.workflow_id = training_request_workflow_id(request.id, workflow_id_prefix)
    message = OutboxMessage(
        kind=START_TRAINING_REQUEST, workflow_id=request.workflow_id, payload={"request_id": request.id}
    )
    session.add(message)
    await session.flush()
    return message


async def enqueue_training_request_resubmission(
    session: AsyncSession, request: TrainingRequest, resubmission: Resubmission
) -> OutboxMessage:
    """Queue the request's resubmission in the transaction that saves its edits, so the edits are
    never saved without being sent for review. Its Update id is the request's new revision."""
    assert request.workflow_id is not None
    message = OutboxMessage(kind=RESUBMIT_TRAINING_REQUEST, workflow_id=request.workflow_id,
                            update_id=f"resubmit:{request.id}:{request.revision}", payload=asdict(resubmission))
    session.add(message)
    await session.flush()
    return message


async def resubmission_pending(session: AsyncSession, request: TrainingRequest) -> bool:
    """Whether the request's last resubmission is still waiting for Temporal."""
    pending = await session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.workflow_id == request.workflow_id, OutboxMessage.kind == RESUBMIT_TRAINING_REQUEST,
        OutboxMessage.dispatched_at.is_(None)).limit(1))
    return pending is not None


async def refused_delivery(session: AsyncSession, message_id: int) -> str | None:
    """Why the workflow refused a delivered Update, if it did (shown to the person who sent it)."""
    message = await session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None or message.dispatched_at is None or not message.update_id:
        return None
    return message.last_error


async def enqueue_agency_recompute(
    session: AsyncSession, agency_id: int, change_key: str, workflow_id_prefix: str
) -> OutboxMessage:
    """Queue the fan-out that has every tracked officer re-evaluated, in the caller's transaction.

    Add it with the requirement change it is about, so the change and its recompute commit together.
    """
    message = OutboxMessage(
        kind=START_AGENCY_RECOMPUTE,
        workflow_id=agency_recompute_workflow_id(agency_id, change_key, workflow_id_prefix),
        payload={"agency_id": agency_id, "change": change_key},
    )
    session.add(message)
    await session.flush()
    return message


async def enqueue_record_import(session: AsyncSession, import_id: int, workflow_id: str) -> OutboxMessage:
    """Queue a confirmed CSV import's workflow, in the transaction that marks it importing."""
    message = OutboxMessage(kind=START_RECORD_IMPORT, workflow_id=workflow_id, payload={"import_id": import_id})
    session.add(message)
    await session.flush()
    return message


async def enqueue_roster_import(session: AsyncSession, import_id: int, workflow_id: str) -> OutboxMessage:
    """Queue a confirmed roster import's workflow, in the transaction that marks it importing."""
    message = OutboxMessage(kind=START_ROSTER_IMPORT, workflow_id=workflow_id, payload={"import_id": import_id})
    session.add(message)
    await session.flush()
    return message


async def enqueue_officer_recompute(
    session: AsyncSession, officer_ids: list[int], change_key: str, workflow_id_prefix: str
) -> OutboxMessage:
    """Queue the fan-out that has these officers re-evaluated, with the records it is about (at most a
    few hundred officers: the ids travel in the payload)."""
    message = OutboxMessage(
        kind=START_OFFICER_RECOMPUTE,
        workflow_id=officer_recompute_workflow_id(change_key, workflow_id_prefix),
        payload={"officer_ids": sorted(set(officer_ids))},
    )
    session.add(message)
    await session.flush()
    return message


async def queue_missing_licensing_cycles(session: AsyncSession, workflow_id_prefix: str) -> int:
    """Queue a licensing-cycle start for every licensed, employed officer who has none yet.

    One INSERT ... SELECT with an anti-join, so it stays cheap at 40,000 officers; it covers
    officers added by any path (seed, roster import, admin) without each path remembering to.
    """
    workflow_id = literal(licensing_cycle_workflow_id(0, workflow_id_prefix)[:-1]) + cast(Person.id, String)
    already = select(OutboxMessage.id).where(OutboxMessage.workflow_id == workflow_id)
    missing = select(
        literal(START_LICENSING_CYCLE), workflow_id, func.json_object("officer_id", Person.id)
        if session.get_bind().dialect.name == "sqlite" else func.json_build_object("officer_id", Person.id),
        literal(utcnow()), literal(utcnow()), literal(0),
    ).where(
        Person.license_date.is_not(None),
        Person.employment_status != EmploymentStatus.SEPARATED,
        ~already.exists(),
    )
    result = await session.execute(
        insert(OutboxMessage).from_select(
            ["kind", "workflow_id", "payload", "created_at", "next_attempt_at", "attempts"], missing
        )
    )
    return cast_result(result).rowcount or 0


async def queue_licensing_cycle(session: AsyncSession, officer_id: int, workflow_id_prefix: str) -> OutboxMessage:
    """Queue (again) the start of the officer's licensing cycle, in the caller's transaction.

    For a hire or re-hire: the officer's one outbox row is reset to pending, so the relay starts a new
    run once the previous run ended ("no longer tracked" at separation); a running one is kept.
    """
    workflow_id = licensing_cycle_workflow_id(officer_id, workflow_id_prefix)
    message = await session.scalar(select(OutboxMessage).where(
        OutboxMessage.workflow_id == workflow_id, OutboxMessage.kind == START_LICENSING_CYCLE))
    if message is None:
        message = OutboxMessage(kind=START_LICENSING_CYCLE, workflow_id=workflow_id,
                                payload={"officer_id": officer_id})
        session.add(message)
    else:
        message.dispatched_at, message.attempts, message.last_error = None, 0, None
        message.next_attempt_at = utcnow()
    await session.flush()
    return message


async def enqueue_task_move(session: AsyncSession, workflow_id: str, update_id: str, reassignment: Reassignment
                            ) -> OutboxMessage:
    """Queue a training request's reassignment (a roster transfer moving its approval task) with the transfer."""
    message = OutboxMessage(kind=REASSIGN_TRAINING_REQUEST, workflow_id=workflow_id, update_id=update_id,
                            payload=asdict(reassignment))
    session.add(message)
    await session.flush()
    return message


def cast_result(result: object) -> CursorResult[Any]:
    assert isinstance(result, CursorResult)
    return result


def _workflow_start(message: OutboxMessage) -> tuple[str, object]:
    if message.kind == START_TRAINING_REQUEST:
        return WORKFLOW_NAME, TrainingRequestInput(request_id=int(message.payload["request_id"]))
    if message.kind == START_LICENSING_CYCLE:
        return LICENSING_CYCLE_WORKFLOW, LicensingCycleState(officer_id=int(message.payload["officer_id"]))
    if message.kind == START_AGENCY_RECOMPUTE:
        return AGENCY_RECOMPUTE_WORKFLOW, AgencyRecomputeInput(agency_id=int(message.payload["agency_id"]))
    if message.kind == START_CERTIFICATE_REVIEW:
        return CERTIFICATE_REVIEW_WORKFLOW, CertificateReviewInput(submission_id=int(message.payload["submission_id"]))
    if message.kind == START_RECORD_REPORT:
        return RECORD_REPORT_WORKFLOW, RecordReportInput(report_id=int(message.payload["report_id"]))
    if message.kind == START_ROSTER_IMPORT:
        return ROSTER_IMPORT_WORKFLOW, RosterImportInput(import_id=int(message.payload["import_id"]))
    if message.kind == START_RECORD_IMPORT:
        return RECORD_IMPORT_WORKFLOW, RecordImportInput(import_id=int(message.payload["import_id"]))
    if message.kind == START_OFFICER_RECOMPUTE:
        return OFFICER_RECOMPUTE_WORKFLOW, OfficerRecomputeInput([int(i) for i in message.payload["officer_ids"]])
    raise ValueError(f"unknown outbox kind {message.kind!r}")


async def _start(client: Client, message: OutboxMessage, task_queue: str) -> None:
    workflow_name, argument = _workflow_start(message)
    # A re-hired officer's cycle runs again; a stale start for a separated officer ends at once.
    reuse = (WorkflowIDReusePolicy.ALLOW_DUPLICATE if message.kind == START_LICENSING_CYCLE
             else WorkflowIDReusePolicy.REJECT_DUPLICATE)
    # Already started (and perhaps finished) by an earlier attempt: exactly once holds.
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            workflow_name,
            argument,
            id=message.workflow_id,
            task_queue=task_queue,
            id_reuse_policy=reuse,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            rpc_timeout=timedelta(seconds=5),
        )


async def _send_update(client: Client, message: OutboxMessage) -> None:
    argument: Resubmission | Reassignment
    if message.kind == RESUBMIT_TRAINING_REQUEST:
        name, argument = UPDATE_RESUBMIT, Resubmission(**message.payload)
    elif message.kind == REASSIGN_TRAINING_REQUEST:
        name, argument = UPDATE_REASSIGN, Reassignment(**message.payload)
    else:
        raise ValueError(f"unknown outbox kind {message.kind!r}")
    try:
        await send_update(client, message.workflow_id, name, argument,
                          update_id=message.update_id, not_running="This request is no longer pending.")
    except WorkflowRefusal as refusal:
        if refusal.retryable:
            raise
        # The workflow said no (the request was withdrawn meanwhile, say): sending again changes nothing.
        log.warning("update %s to %s refused: %s", message.update_id, message.workflow_id, refusal)
        message.last_error = str(refusal)[:2000]
        return
    message.last_error = None


async def dispatch_one(
    factory: async_sessionmaker[AsyncSession], client: Client, message_id: int, task_queue: str
) -> bool:
    """Try to deliver one pending message now. True if it is dispatched (now or before)."""
    async with factory() as session, session.begin():
        message = await session.get(OutboxMessage, message_id)
        if message is None or message.dispatched_at is not None:
            return message is not None
        try:
            if message.update_id:
                await _send_update(client, message)
            else:
                await _start(client, message, task_queue)
        except Exception as error:  # Temporal unreachable, timeouts: try again later
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            backoff = min(timedelta(seconds=2 ** min(message.attempts, 10)), _MAX_BACKOFF)
            message.next_attempt_at = utcnow() + backoff
            log.warning("workflow start %s deferred: %s", message.workflow_id, message.last_error)
            return False
        message.dispatched_at = utcnow()
        return True


async def dispatch_due(
    factory: async_sessionmaker[AsyncSession], client: Client, task_queue: str, limit: int = 100
) -> int:
    """Dispatch the pending messages whose retry time has come; returns how many went out."""
    async with factory() as session:
        due = await session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.dispatched_at.is_(None), OutboxMessage.next_attempt_at <= utcnow())
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        message_ids = list(due)
    sent = 0
    for message_id in message_ids:
        if await dispatch_one(factory, client, message_id, task_queue):
            sent += 1
    return sent


async def relay_forever(
    factory: async_sessionmaker[AsyncSession],
    client: Client,
    task_queue: str,
    poll_seconds: float,
    workflow_id_prefix: str = "",
) -> None:
    rounds = 0
    while True:
        try:
            if rounds % _SWEEP_EVERY_ROUNDS == 0:
                async with factory() as session, session.begin():
                    queued = await queue_missing_licensing_cycles(session, workflow_id_prefix)
                if queued:
                    log.info("queued %d licensing-cycle workflow starts", queued)
            await dispatch_due(factory, client, task_queue)
        except Exception:  # the database may be briefly unreachable; the next round retries
            log.exception("outbox relay round failed")
        rounds += 1
        await asyncio.sleep(poll_seconds)

"""Moving an officer's pending approvals when a transfer gives them a new supervisor.

The rule (README, "Roster"): a first-level approval task the previous supervisor holds for the officer's
request moves to the new supervisor; tasks with the coordinators or higher up the chain stay. The move is
the training request workflow's reassign Update, queued in the outbox with the transfer so it is sent
even if Temporal is down when the transfer is committed.
"""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Task, TaskKind, TaskStatus, TrainingRequest
from services.access import CurrentUser
from services.workflow_starts import enqueue_task_move
from workflows.training_request_types import Reassignment

TRANSFER_COMMENT = "Moved to the officer's new supervisor by a roster transfer."


async def tasks_held_by(db: AsyncSession, officer_id: int, supervisor_id: int) -> list[Task]:
    """The open approval tasks `supervisor_id` holds for the officer's own training requests."""
    return list(await db.scalars(
        select(Task).join(TrainingRequest, TrainingRequest.id == Task.subject_id)
        .where(Task.subject_type == "training_request", Task.kind == TaskKind.APPROVE_TRAINING_REQUEST,
               Task.status == TaskStatus.OPEN, Task.assignee_id == supervisor_id,
               TrainingRequest.officer_id == officer_id)
        .order_by(Task.id)
    ))


async def queue_task_moves(db: AsyncSession, actor: CurrentUser, source: str | None, officer_id: int,
                           previous_supervisor_id: int, new_supervisor_id: int) -> tuple[list[int], list[int]]:
    """Queue the reassignment of each such task to the new supervisor; the task ids and outbox row ids.

    The workflow checks again when the Update arrives that the task is still the previous supervisor's,
    so a task decided meanwhile is left alone.
    """
    tasks = await tasks_held_by(db, officer_id, previous_supervisor_id)
    # The workflow records who moved the task; an account with no roster profile has no person to name,
    # so the new supervisor is recorded as taking it over (the audit row still names the actor).
    actor_person = actor.person_id if actor.person_id is not None else new_supervisor_id
    outbox: list[int] = []
    for task in tasks:
        reassignment = Reassignment(actor_id=actor_person, new_approver_id=new_supervisor_id, comment=TRANSFER_COMMENT,
                                    source=source, transfer_from_id=previous_supervisor_id)
        # A fresh Update id per move: the same task may be moved, refused and moved again by a later transfer.
        message = await enqueue_task_move(db, task.workflow_id, f"transfer:{task.id}:{uuid4().hex[:12]}",
                                          reassignment)
        outbox.append(message.id)
    return [task.id for task in tasks], outbox

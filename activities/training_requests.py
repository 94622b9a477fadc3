"""Database side of the training-request workflow: read the routing plan, record each transition.

Every write is keyed on (workflow id, transition number), so an activity retried after a crash
or a lost response writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models import (
    Agency,
    EmploymentStatus,
    Person,
    RequestEvent,
    RequestStatus,
    Task,
    TaskKind,
    TaskQueue,
    TaskStatus,
    TrainingRequest,
    UserAccount,
    utcnow,
)
from services.audit import record_workflow_audit
from workflows.training_request_types import ApprovalPlan

_CHAIN_LIMIT = 10
_FINAL_STATUSES = {RequestStatus.APPROVED, RequestStatus.DENIED, RequestStatus.WITHDRAWN}


@dataclass
class Transition:
    request_id: int
    workflow_id: str
    seq: int
    event: str
    status: str | None
    actor_id: int | None = None
    comment: str | None = None
    source: str | None = None
    close_task_as: str | None = None
    assignee_id: int | None = None
    to_coordinators: bool = False
    due_at_iso: str | None = None

    @property
    def key(self) -> str:
        return f"{self.workflow_id}:{self.seq}"


class TrainingRequestActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn
    async def load_approval_plan(self, request_id: int) -> ApprovalPlan:
        async with self._sessions() as session:
            request = await session.get(TrainingRequest, request_id)
            if request is None:
                raise ApplicationError(f"training request {request_id} does not exist", non_retryable=True)
            agency = await session.get_one(Agency, request.agency_id)
            officer = await session.get_one(Person, request.officer_id)
            chain = await _chain_of_command(session, officer)
        needs_second_level = (
            request.total_cost_cents > agency.approval_cost_threshold_cents or request.overnight_travel
        )
        required_level = min(1 if needs_second_level else 0, max(len(chain) - 1, 0))
        return ApprovalPlan(
            request_id=request.id,
            agency_id=request.agency_id,
            officer_id=request.officer_id,
            chain=chain,
            required_level=required_level,
            reminder_business_days=agency.approval_reminder_business_days,
            escalation_business_days=agency.approval_escalation_business_days,
        )

    @activity.defn
    async def record_transition(self, transition: Transition) -> None:
        async with self._sessions() as session, session.begin():
            already = await session.scalar(select(RequestEvent.id).where(RequestEvent.key == transition.key))
            if already is not None:
                return
            request = await session.get_one(TrainingRequest, transition.request_id, with_for_update=True)
            now = utcnow()
            if transition.close_task_as:
                await session.execute(
                    update(Task)
                    .where(
                        Task.subject_type == "training_request",
                        Task.subject_id == request.id,
                        Task.status == TaskStatus.OPEN,
                    )
                    .values(status=transition.close_task_as, closed_at=now, closed_by_id=transition.actor_id)
                )
            opens_task = transition.assignee_id is not None or transition.to_coordinators
            if opens_task:
                session.add(_new_task(request, transition))
                request.current_approver_id = transition.assignee_id
            elif transition.close_task_as:
                request.current_approver_id = None
            if transition.event == "reminded":
                await session.execute(
                    update(Task)
                    .where(Task.subject_type == "training_request", Task.subject_id == request.id,
                           Task.status == TaskStatus.OPEN)
                    .values(reminded_at=now)
                )
            if transition.status is not None:
                request.status = transition.status
                if transition.status in _FINAL_STATUSES:
                    request.decided_at = now
            session.add(
                RequestEvent(
                    key=transition.key,
                    request_id=request.id,
                    kind=transition.event,
                    actor_id=transition.actor_id,
                    assignee_id=transition.assignee_id,
                    comment=transition.comment,
                    created_at=now,
                )
            )
            await record_workflow_audit(
                session, transition.actor_id, f"training_request.{transition.event}", "training_request", request.id,
                transition.source, request.agency_id,
                {"workflow_id": transition.workflow_id, "seq": transition.seq, "status": transition.status,
                 "assignee_id": transition.assignee_id},
            )


def _new_task(request: TrainingRequest, transition: Transition) -> Task:
    return Task(
        key=transition.key,
        agency_id=request.agency_id,
        kind=TaskKind.APPROVE_TRAINING_REQUEST,
        subject_type="training_request",
        subject_id=request.id,
        workflow_id=transition.workflow_id,
        assignee_id=transition.assignee_id,
        queue=TaskQueue.COORDINATORS if transition.to_coordinators else None,
        due_at=datetime.fromisoformat(transition.due_at_iso) if transition.due_at_iso else None,
    )


async def _chain_of_command(session: AsyncSession, officer: Person) -> list[int]:
    """Active supervisors with a login, nearest first; people on leave are passed over."""
    chain: list[int] = []
    seen = {officer.id}
    current_id = officer.supervisor_id
    while current_id is not None and current_id not in seen and len(seen) <= _CHAIN_LIMIT:
        seen.add(current_id)
        supervisor = await session.get_one(Person, current_id)
        can_act = await session.scalar(
            select(UserAccount.id).where(UserAccount.person_id == supervisor.id, UserAccount.is_active)
        )
        if supervisor.employment_status == EmploymentStatus.ACTIVE and can_act is not None:
            chain.append(supervisor.id)
        current_id = supervisor.supervisor_id
    return chain

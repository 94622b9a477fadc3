"""Database side of the training-request workflow: read the routing plan, record each transition,
and after the course ask the officer for the certificate.

Every write is keyed on (workflow id, transition number), so an activity retried after a crash
or a lost response writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notifications import add_notification
from compliance.wording import format_date
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
from services.business_calendar import load_business_calendar
from services.certificates import linked_submission
from services.time_zones import UnusableTimeZone, agency_zone
from settings import Settings
from workflows.training_request_types import AGENCY_CONFIGURATION_ERROR, ApprovalPlan

_CHAIN_LIMIT = 10
_FINAL_STATUSES = {RequestStatus.APPROVED, RequestStatus.DENIED, RequestStatus.WITHDRAWN}
# The morning after the course: the reminder arrives at the start of a working day, not at midnight.
_CERTIFICATE_REMINDER_TIME = time(9, 0)


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


@dataclass
class CertificateReminder:
    request_id: int
    workflow_id: str
    seq: int
    number: int  # 1 the day after the course, 2 two weeks later

    @property
    def key(self) -> str:
        return f"{self.workflow_id}:{self.seq}"


class TrainingRequestActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    @activity.defn
    async def load_approval_plan(self, request_id: int) -> ApprovalPlan:
        async with self._sessions() as session:
            request = await session.get(TrainingRequest, request_id)
            if request is None:
                raise ApplicationError(f"training request {request_id} does not exist", non_retryable=True)
            agency = await session.get_one(Agency, request.agency_id)
            officer = await session.get_one(Person, request.officer_id)
            chain = await _chain_of_command(session, officer)
            # An unusable zone is refused just below (the request goes on hold): its UTC fallback never counts.
            calendar = await load_business_calendar(session, agency, utcnow())
        needs_second_level = (
            request.total_cost_cents > agency.approval_cost_threshold_cents or request.overnight_travel
        )
        required_level = min(1 if needs_second_level else 0, max(len(chain) - 1, 0))
        try:
            reminder_at = certificate_reminder_at(request.end_date, agency.timezone)
        except UnusableTimeZone as problem:
            # Retrying cannot fix a setting: fail now, so the workflow can tell the coordinators.
            raise ApplicationError(str(problem), type=AGENCY_CONFIGURATION_ERROR, non_retryable=True) from None
        return ApprovalPlan(
            request_id=request.id,
            agency_id=request.agency_id,
            officer_id=request.officer_id,
            chain=chain,
            required_level=required_level,
            reminder_business_days=agency.approval_reminder_business_days,
            escalation_business_days=agency.approval_escalation_business_days,
            certificate_reminder_at_iso=reminder_at.isoformat(),
            calendar=calendar,
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


    @activity.defn
    async def remind_to_upload_certificate(self, reminder: CertificateReminder) -> list[int] | None:
        """Ask the officer for the certificate; None (nothing written) when one is linked already.

        Returns the notifications still to email. The timeline shows the reminder.
        """
        async with self._sessions() as session, session.begin():
            request = await session.get_one(TrainingRequest, reminder.request_id)
            written = await session.scalar(select(RequestEvent.id).where(RequestEvent.key == reminder.key))
            if written is None and await linked_submission(session, request.id) is not None:
                return None
            subject, body = _certificate_reminder_message(request, reminder.number)
            notification = await add_notification(
                session, self._settings, key=f"{reminder.key}:certificate_reminder:{request.officer_id}",
                person_id=request.officer_id, subject=subject, body=body,
                link=f"/certificates/new?request={request.id}", title=subject.removeprefix("[Muster] "),
                summary=f"{request.title} ended on {format_date(request.end_date)}: upload its completion "
                        "certificate so the hours reach your training history.",
            )
            if written is None:
                session.add(RequestEvent(key=reminder.key, request_id=request.id, kind="certificate_reminder",
                                         created_at=utcnow()))
                await record_workflow_audit(
                    session, None, "training_request.certificate_reminder", "training_request", request.id, None,
                    request.agency_id, {"workflow_id": reminder.workflow_id, "seq": reminder.seq,
                                        "number": reminder.number},
                )
            return [notification.id] if notification.email_pending else []


def certificate_reminder_at(end_date: date, timezone: str) -> datetime:
    """09:00 agency time on the day after the course's last day, in UTC (UnusableTimeZone for a bad zone)."""
    local = datetime.combine(end_date + timedelta(days=1), _CERTIFICATE_REMINDER_TIME, agency_zone(timezone))
    return local.astimezone(UTC)


def _certificate_reminder_message(request: TrainingRequest, number: int) -> tuple[str, str]:
    lead = "Reminder: upload" if number > 1 else "Upload"
    return (
        f"[Muster] {lead} your certificate: {request.title}",
        f"Your approved training {request.title} ({request.provider}) ended on {format_date(request.end_date)}. "
        "Upload your completion certificate so a training coordinator can add the hours to your training "
        "history; the form is filled in from your request.",
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

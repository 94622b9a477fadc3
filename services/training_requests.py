"""Training requests: validating the officer's form, saving it, and asking its workflow to act.

Pure validation (`validate_request_form`) works without a database or web framework; the rest
takes an AsyncSession (and a Temporal client for workflow Updates) so a CLI could call it too.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from compliance.wording import format_amount
from models import (
    CostCategory,
    EmploymentStatus,
    Person,
    RequestEvent,
    RequestStatus,
    Role,
    Task,
    TaskKind,
    TaskQueue,
    TaskStatus,
    Topic,
    TrainingRequest,
    TrainingRequestCost,
    TrainingRequestTopic,
    UserAccount,
    UserRole,
)
from services.agency_topics import AgencyTopics
from services.form_text import control_character_problem
from services.training_records import QUEUE_PAGE_SIZE, Page, paginate
from services.workflow_starts import enqueue_training_request_start

log = logging.getLogger(__name__)

TEXT_LIMITS = {"title": 200, "provider": 200, "location": 200}
JUSTIFICATION_LIMIT = 5000
COMMENT_LIMIT = 2000
MAX_HOURS = Decimal(1000)
MAX_COST = Decimal("1000000")
COST_FIELDS = {f"cost_{category.value}": category for category in CostCategory}


@dataclass(frozen=True)
class TrainingRequestForm:
    """A validated request form; money is in integer cents."""

    title: str
    provider: str
    location: str
    start_date: date
    end_date: date
    hours: Decimal
    overnight_travel: bool
    justification: str
    costs_cents: dict[CostCategory, int]
    topic_codes: tuple[str, ...] = field(default=())

    @property
    def total_cost_cents(self) -> int:
        return sum(self.costs_cents.values())


def _date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not raw:
        errors[key] = f"Enter the {label}."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"Enter the {label} as a date (YYYY-MM-DD)."
        return None


def _money_cents(raw: str, errors: dict[str, str], key: str) -> int:
    if not raw:
        return 0
    try:
        amount = Decimal(raw.replace(",", "").replace("$", ""))
    except InvalidOperation:
        errors[key] = "Enter an amount in dollars, e.g. 125.50."
        return 0
    if not amount.is_finite():
        errors[key] = "Enter an amount in dollars, e.g. 125.50."
    elif amount < 0:
        errors[key] = "The amount cannot be negative."
    elif amount > MAX_COST:
        errors[key] = "The amount is too large."
    elif amount != amount.quantize(Decimal("0.01")):
        errors[key] = "Use at most two decimal places (cents)."
    else:
        return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return 0


def validate_request_form(
    data: Mapping[str, str], topic_codes: Sequence[str], known_topics: AgencyTopics | Collection[str]
) -> TrainingRequestForm | dict[str, str]:
    """Return the cleaned form, or a message per field name for everything that is wrong."""
    errors: dict[str, str] = {}
    text: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        value = (data.get(name) or "").strip()
        if not value:
            errors[name] = f"Enter the {name}."
        elif len(value) > limit:
            errors[name] = f"Keep the {name} to {limit} characters or fewer."
        elif problem := control_character_problem(value):
            errors[name] = problem
        text[name] = value
    justification = (data.get("justification") or "").strip()
    if not justification:
        errors["justification"] = "Explain why this training is needed."
    elif len(justification) > JUSTIFICATION_LIMIT:
        errors["justification"] = f"Keep the justification to {JUSTIFICATION_LIMIT} characters or fewer."
    elif problem := control_character_problem(justification, multiline=True):
        errors["justification"] = problem

    start = _date((data.get("start_date") or "").strip(), "start date", errors, "start_date")
    end = _date((data.get("end_date") or "").strip(), "end date", errors, "end_date")
    if start and end and end < start:
        errors["end_date"] = "The end date cannot be before the start date."

    hours = Decimal(0)
    raw_hours = (data.get("hours") or "").strip()
    try:
        hours = Decimal(raw_hours)
        if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
            errors["hours"] = "Enter the hours: more than 0 and at most 1000."
        elif hours != hours.quantize(Decimal("0.01")):
            errors["hours"] = "Use at most two decimal places."
    except InvalidOperation:
        errors["hours"] = "Enter the hours as a number, e.g. 16 or 7.5." if raw_hours else "Enter the hours."

    costs = {
        category: _money_cents((data.get(key) or "").strip(), errors, key) for key, category in COST_FIELDS.items()
    }
    chosen = tuple(dict.fromkeys(topic_codes))
    if any(code not in known_topics for code in chosen):
        # The agency's topics can say which topic is not theirs; a bare set of codes cannot.
        problem = known_topics.problem(chosen) if isinstance(known_topics, AgencyTopics) else None
        errors["topics"] = problem or "Choose topics from the list."

    if errors or start is None or end is None:
        return errors
    return TrainingRequestForm(
        title=text["title"],
        provider=text["provider"],
        location=text["location"],
        start_date=start,
        end_date=end,
        hours=hours,
        overnight_travel=(data.get("overnight_travel") or "") in {"on", "true", "1", "yes"},
        justification=justification,
        costs_cents=costs,
        topic_codes=chosen,
    )


def form_values(request: TrainingRequest) -> dict[str, str]:
    """The form's field values for an existing request (the edit page)."""
    values = {
        "title": request.title,
        "provider": request.provider,
        "location": request.location,
        "start_date": request.start_date.isoformat(),
        "end_date": request.end_date.isoformat(),
        "hours": format_amount(request.hours),
        "justification": request.justification,
        "overnight_travel": "on" if request.overnight_travel else "",
    }
    for cost in request.costs:
        values[f"cost_{cost.category}"] = f"{cost.amount_cents / 100:.2f}"
    return values


async def list_topics(session: AsyncSession) -> list[Topic]:
    """Every topic, to name what is already on record (forms offer services.agency_topics instead)."""
    return list(await session.scalars(select(Topic).order_by(Topic.name)))


def _apply_form(request: TrainingRequest, form: TrainingRequestForm) -> None:
    request.title = form.title
    request.provider = form.provider
    request.location = form.location
    request.start_date = form.start_date
    request.end_date = form.end_date
    request.hours = form.hours
    request.overnight_travel = form.overnight_travel
    request.justification = form.justification
    request.total_cost_cents = form.total_cost_cents
    request.costs = [
        TrainingRequestCost(category=category.value, amount_cents=cents)
        for category, cents in form.costs_cents.items()
        if cents > 0
    ]
    request.topics = [TrainingRequestTopic(topic_code=code) for code in form.topic_codes]


async def create_request(
    session: AsyncSession,
    agency_id: int,
    officer_id: int,
    form: TrainingRequestForm,
    workflow_id_prefix: str = "",
) -> tuple[TrainingRequest, int]:
    """Add the request and its workflow-start outbox row to the caller's transaction.

    Returns the request and the outbox message id (dispatch it after commit).
    """
    request = TrainingRequest(agency_id=agency_id, officer_id=officer_id, status=RequestStatus.SUBMITTED, revision=1)
    _apply_form(request, form)
    session.add(request)
    await session.flush()
    message = await enqueue_training_request_start(session, request, workflow_id_prefix)
    await session.flush()
    return request, message.id


async def save_edits(session: AsyncSession, request: TrainingRequest, form: TrainingRequestForm) -> int:
    """Replace the request's fields, costs and topics; returns the new revision number."""
    await session.execute(delete(TrainingRequestCost).where(TrainingRequestCost.request_id == request.id))
    await session.execute(delete(TrainingRequestTopic).where(TrainingRequestTopic.request_id == request.id))
    await session.refresh(request, ["costs", "topics"])
    _apply_form(request, form)
    request.revision += 1
    await session.flush()
    return request.revision


async def load_request(session: AsyncSession, agency_id: int, request_id: int) -> TrainingRequest | None:
    """The agency's request with what its pages show; another agency's id finds nothing."""
    return await session.scalar(
        select(TrainingRequest)
        .where(TrainingRequest.id == request_id, TrainingRequest.agency_id == agency_id)
        .options(
            selectinload(TrainingRequest.officer),
            selectinload(TrainingRequest.current_approver),
            selectinload(TrainingRequest.costs),
            selectinload(TrainingRequest.topics),
        )
        .execution_options(populate_existing=True)
    )


async def timeline(session: AsyncSession, request_id: int) -> list[RequestEvent]:
    return list(
        await session.scalars(
            select(RequestEvent)
            .where(RequestEvent.request_id == request_id)
            .options(selectinload(RequestEvent.actor), selectinload(RequestEvent.assignee))
            .order_by(RequestEvent.created_at, RequestEvent.id)
        )
    )


async def topic_names(session: AsyncSession, request: TrainingRequest) -> list[str]:
    codes = [t.topic_code for t in request.topics]
    if not codes:
        return []
    return list(await session.scalars(select(Topic.name).where(Topic.code.in_(codes)).order_by(Topic.name)))


async def officer_requests(session: AsyncSession, officer_id: int) -> list[TrainingRequest]:
    return list(
        await session.scalars(
            select(TrainingRequest)
            .where(TrainingRequest.officer_id == officer_id)
            .options(selectinload(TrainingRequest.current_approver))
            .order_by(TrainingRequest.submitted_at.desc(), TrainingRequest.id.desc())
        )
    )


def who_must_act(request: TrainingRequest) -> str:
    status = request.status_enum
    if status == RequestStatus.ESCALATED:
        return "Training coordinators"
    if status == RequestStatus.CHANGES_REQUESTED:
        return "You (the requesting officer)"
    if status == RequestStatus.SUBMITTED:
        return "Routing (the workflow will assign an approver)"
    if not status.is_open:
        return "No one — closed"
    if request.current_approver is not None:
        return request.current_approver.display_name
    return "—"


@dataclass
class TaskRow:
    task: Task
    request: TrainingRequest
    officer: Person


def _task_rows_query():  # type: ignore[no-untyped-def]
    officer = aliased(Person)
    return (
        select(Task, TrainingRequest, officer)
        .join(TrainingRequest, TrainingRequest.id == Task.subject_id)
        .join(officer, officer.id == TrainingRequest.officer_id)
        .where(Task.kind == TaskKind.APPROVE_TRAINING_REQUEST, Task.status == TaskStatus.OPEN)
        .order_by(Task.due_at, Task.id)
    )


async def inbox_rows(session: AsyncSession, person_id: int) -> list[TaskRow]:
    result = await session.execute(_task_rows_query().where(Task.assignee_id == person_id))
    return [TaskRow(task, request, officer) for task, request, officer in result.all()]


async def escalation_rows(session: AsyncSession, agency_id: int, page: int = 1) -> Page[TaskRow]:
    """One page of the requests escalated to the agency's coordinators, oldest escalation first."""
    stmt, total, page = await paginate(session, (
        _task_rows_query().where(Task.agency_id == agency_id, Task.queue == TaskQueue.COORDINATORS)
        .order_by(None).order_by(Task.created_at, Task.id)
    ), page, QUEUE_PAGE_SIZE)
    result = await session.execute(stmt)
    return Page(rows=[TaskRow(task, request, officer) for task, request, officer in result.all()],
                total=total, page=page, size=QUEUE_PAGE_SIZE)


async def inbox_count(session: AsyncSession, person_id: int | None) -> int:
    if person_id is None:
        return 0
    return (
        await session.scalar(
            select(func.count(Task.id)).where(
                Task.assignee_id == person_id,
                Task.status == TaskStatus.OPEN,
                Task.kind == TaskKind.APPROVE_TRAINING_REQUEST,
            )
        )
    ) or 0


async def task_row(session: AsyncSession, agency_id: int, task_id: int) -> TaskRow | None:
    """The agency's task with its request and officer, whatever the task's status."""
    officer = aliased(Person)
    result = await session.execute(
        select(Task, TrainingRequest, officer)
        .join(TrainingRequest, TrainingRequest.id == Task.subject_id)
        .join(officer, officer.id == TrainingRequest.officer_id)
        .where(Task.id == task_id, Task.agency_id == agency_id, Task.kind == TaskKind.APPROVE_TRAINING_REQUEST)
        .options(selectinload(TrainingRequest.current_approver))
        .execution_options(populate_existing=True)
    )
    found = result.first()
    return TaskRow(*found) if found else None


@dataclass(frozen=True)
class Reassignee:
    """A supervisor a coordinator may hand a request to (plain values: they outlive the session)."""

    id: int
    display_name: str


async def eligible_reassignees(session: AsyncSession, agency_id: int) -> list[Reassignee]:
    """Active supervisors (sergeant, lieutenant, command) of the agency with an active account."""
    people = await session.scalars(
        select(Person)
        .join(UserAccount, UserAccount.person_id == Person.id)
        .join(UserRole, UserRole.user_id == UserAccount.id)
        .where(
            Person.agency_id == agency_id,
            Person.employment_status == EmploymentStatus.ACTIVE,
            UserAccount.is_active.is_(True),
            UserRole.role.in_([Role.SERGEANT, Role.LIEUTENANT, Role.COMMAND]),
        )
        .distinct()
        .order_by(Person.last_name, Person.first_name)
    )
    return [Reassignee(person.id, person.display_name) for person in people]

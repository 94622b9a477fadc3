"""The approval inbox and the decision endpoint shared with the escalation queue."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome, RequestStatus, Role
from portal.errors import error_page
from portal.layout import client_ip, current_user, page
from services import training_requests as requests_service
from services.access import CurrentUser, can_decide_task, has_role
from services.audit import record_audit
from services.training_requests import TaskRow
from services.workflow_updates import WorkflowRefusal
from workflows.training_request_types import Decision, DecisionAction

INBOX_CHANGED = "inbox-changed"
_RETURN_TO = {"inbox": "/inbox", "escalations": "/escalations"}


@get("/inbox")
async def inbox(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    rows = await requests_service.inbox_rows(db, user.person_id) if user.person_id else []
    return await page(request, db, "inbox/inbox.html", rows=rows, view="inbox", candidates={})


@get("/inbox/count")
async def inbox_count_badge(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    count = await requests_service.inbox_count(db, current_user(request).person_id)
    return Template(template_name="inbox/_count.html", context={"nav_inbox_count": count})


def outcome_message(row: TaskRow, action: DecisionAction, user: CurrentUser) -> str:
    """What the approver sees in place of the row once the decision is recorded."""
    status = row.request.status_enum
    if action == DecisionAction.DENY:
        return "Denied"
    if action == DecisionAction.REQUEST_CHANGES:
        return "Returned to officer"
    approver = row.request.current_approver
    if status == RequestStatus.IN_REVIEW and approver is not None and approver.id != user.person_id:
        return f"Approved — sent on to {approver.display_name}"
    if status == RequestStatus.ESCALATED:
        return "Approved — sent on to training coordinators"
    return "Approved"


def _row_response(
    request: Request,
    row: TaskRow,
    *,
    view: str,
    outcome: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    candidates: list | None = None,
) -> Template:
    headers = {"HX-Trigger": INBOX_CHANGED} if outcome else {}
    return Template(
        template_name="inbox/_row.html",
        context={
            "row": row,
            "view": view,
            "outcome": outcome,
            "error": error,
            "candidates": {row.task.id: candidates or []},
        },
        status_code=status_code,
        headers=headers,
    )


@post("/inbox/tasks/{task_id:int}/decision", status_code=200)
async def decide_task(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    task_id: FromPath[int],
) -> Response | Template | Redirect:
    user = current_user(request)
    form = await request.form()
    view = "escalations" if form.get("view") == "escalations" else "inbox"
    is_htmx = bool(request.headers.get("hx-request") == "true")
    row = await requests_service.task_row(db, task_id)
    if row is None:
        raise NotFoundException()
    try:
        action = DecisionAction(str(form.get("action") or ""))
    except ValueError:
        return _row_response(request, row, view=view, error="Choose Approve, Request changes or Deny.", status_code=400)
    comment = str(form.get("comment") or "").strip()[: requests_service.COMMENT_LIMIT]
    source = client_ip(request)
    training_request_id = row.request.id

    def audit(outcome: AuditOutcome, **detail: object) -> None:
        record_audit(
            db,
            user.id,
            user.audit_label,
            "training_request.decide",
            "training_request",
            training_request_id,
            outcome,
            source,
            user.agency_id,
            {"task_id": task_id, "action": action.value, **detail},
        )

    reason = can_decide_task(user, row.task, row.request)
    if reason is not None:
        audit(AuditOutcome.DENIED, reason=reason)
        await db.commit()
        if is_htmx:
            return _row_response(request, row, view=view, error=reason, status_code=403)
        return error_page(403, reason)
    assert user.person_id is not None
    decision = Decision(
        actor_id=user.person_id,
        action=action,
        comment=comment,
        actor_is_coordinator=has_role(user, Role.COORDINATOR) and row.task.queue is not None,
        source=source,
    )
    try:
        await requests_service.decide(temporal, row.task.workflow_id, task_id, decision)
    except WorkflowRefusal as refusal:
        audit(AuditOutcome.FAILURE, reason=str(refusal))
        await db.commit()
        db.expire_all()
        row = await requests_service.task_row(db, task_id) or row
        return _row_response(request, row, view=view, error=str(refusal))
    audit(AuditOutcome.SUCCESS)
    await db.commit()
    # The update returns after the workflow's activities wrote the projection: re-read it.
    db.expire_all()
    row = await requests_service.task_row(db, task_id) or row
    if not is_htmx:
        return Redirect(_RETURN_TO[view], status_code=303)
    return _row_response(request, row, view=view, outcome=outcome_message(row, action, user))


ROUTES = [inbox, inbox_count_badge, decide_task]

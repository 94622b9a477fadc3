"""The approval inbox and the decision endpoint shared with the escalation queue."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import RequestStatus, Role, utcnow
from portal.errors import is_htmx, refusal_response
from portal.layout import client_ip, current_user, page
from portal.local_time import reader_zone
from services import training_requests as requests_service
from services.access import CurrentUser, has_role
from services.approval_context import CardContext, card_contexts
from services.approval_decisions import comment_problem
from services.training_request_actions import DECIDE_TASK
from services.training_requests import TaskRow
from services.workflow_actions import ActionStatus, Actor, Invalid, perform
from workflows.training_request_types import Decision, DecisionAction

INBOX_CHANGED = "inbox-changed"
_RETURN_TO = {"inbox": "/inbox", "escalations": "/escalations"}


@get("/inbox")
async def inbox(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    rows = await requests_service.inbox_rows(db, user.person_id) if user.person_id else []
    cards = await card_contexts(db, user, rows, reader_zone(request), utcnow())
    return await page(request, db, "inbox/inbox.html", rows=rows, cards=cards, view="inbox", candidates={})


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
    row: TaskRow,
    cards: dict[int, CardContext],
    *,
    view: str,
    outcome: str | None = None,
    error: str | None = None,
    comment: str = "",
    comment_error: bool = False,
    status_code: int = 200,
    candidates: list | None = None,
) -> Template:
    headers = {"HX-Trigger": INBOX_CHANGED} if outcome else {}
    return Template(
        template_name="inbox/_row.html",
        context={
            "row": row,
            "cards": cards,
            "view": view,
            "outcome": outcome,
            "error": error,
            "comment": comment,
            "comment_error": comment_error,
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

    comment = str(form.get("comment") or "").strip()[: requests_service.COMMENT_LIMIT]

    async def read_decision(row: TaskRow) -> Decision | Invalid:
        try:
            action = DecisionAction(str(form.get("action") or ""))
        except ValueError:
            return Invalid("Choose Approve, Request changes or Deny.")
        if problem := comment_problem(action, comment):
            return Invalid(problem, form="comment")  # the field to mark
        assert user.person_id is not None  # can_decide_task refuses accounts with no person
        return Decision(actor_id=user.person_id, action=action, comment=comment,
                        actor_is_coordinator=has_role(user, Role.COORDINATOR) and row.task.queue is not None,
                        source=client_ip(request))

    result = await perform(db, temporal, Actor(user, client_ip(request)), DECIDE_TASK, task_id, read_decision)
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    row = result.subject
    if result.status is ActionStatus.DONE and not is_htmx(request):
        return Redirect(_RETURN_TO[view], status_code=303)
    # Only now, past the pipeline's permission check, is anything of the officer read back.
    cards = await card_contexts(db, user, [row], reader_zone(request), utcnow())
    if result.status is ActionStatus.INVALID:
        return _row_response(row, cards, view=view, error=result.message, comment=comment,
                             comment_error=result.form == "comment", status_code=400)
    if result.status is ActionStatus.DECLINED:
        return _row_response(row, cards, view=view, error=result.message, comment=comment)
    return _row_response(row, cards, view=view, outcome=outcome_message(row, result.form.action, user))


ROUTES = [inbox, inbox_count_badge, decide_task]

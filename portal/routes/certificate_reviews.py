"""The coordinators' certificate review queue: approve (with the hours and topic credits to record)
or reject each uploaded certificate, in place (htmx), through services.workflow_actions."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from portal.errors import is_htmx, refusal_response
from portal.layout import client_ip, current_user, page
from services import certificates as service
from services import training_records as records_service
from services.access import can_review_certificates
from services.training_requests import list_topics
from services.workflow_actions import ActionStatus, Actor, Invalid, perform
from workflows.certificate_review_types import ReviewAction, ReviewDecision


def _reviewer(request: Request) -> None:
    if not can_review_certificates(current_user(request)):
        raise NotFoundException()


@get("/certificates/review")
async def review_queue(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    _reviewer(request)
    user = current_user(request)
    page_number = records_service.page_number(request.query_params.get("page"))
    queue = await service.review_queue(db, user.agency_id, page_number)
    return await page(request, db, "certificates/review.html", queue=queue, **await _row_context(db))


async def _row_context(db: AsyncSession) -> dict[str, Any]:
    # Credits are labelled with the topic's name, never its code.
    topic_names = {topic.code: topic.name for topic in await list_topics(db)}
    return {"amount": service.amount, "claimed_credits": service.claimed_credits, "topic_names": topic_names}


async def _row(db: AsyncSession, row: service.ReviewRow, *, outcome: str | None = None, error: str | None = None,
               status_code: int = 200) -> Template:
    # The decided row stays in place with its outcome (reloading the page shows the queue without it).
    return Template(template_name="certificates/_review_row.html",
                    context={"row": row, "outcome": outcome, "error": error, **await _row_context(db)},
                    status_code=status_code)


def _decision(form: Any, row: service.ReviewRow, actor_id: int, source: str | None) -> ReviewDecision | Invalid:
    try:
        action = ReviewAction(str(form.get("action") or ""))
    except ValueError:
        return Invalid("Choose Approve or Reject.")
    reason = str(form.get("reason") or "").strip()[:2000]
    hours = str(form.get("credited_hours") or "").strip()
    # The row's form shows the claimed topics prefilled; a cleared field means no credit for it.
    claimed = service.claimed_credits(row.version)
    credits = {code: str(form.get(f"credit_{code}") or "").strip() or "0" for code in claimed}
    if action == ReviewAction.APPROVE:
        problem = service.credit_problem(hours or service.amount(row.version.hours), credits)
        if problem:
            return Invalid(problem)
        if row.on_record and form.get("not_duplicate") != "yes":
            return Invalid("This looks like training already on the officer's record. Reject it as a duplicate, "
                           "or tick \"this is different training\" to approve it anyway.")
    return ReviewDecision(actor_id=actor_id, action=action, reason=reason, actor_is_coordinator=True,
                          source=source, credited_hours=hours or None, credited_credits=credits or None)


@post("/certificates/review/tasks/{task_id:int}/decision", status_code=200)
async def decide(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                 task_id: FromPath[int]) -> Template | Redirect | Response:
    user = current_user(request)
    form = await request.form()

    async def read_decision(row: service.ReviewRow) -> ReviewDecision | Invalid:
        assert user.person_id is not None  # can_review_certificate refuses accounts with no person
        return _decision(form, row, user.person_id, client_ip(request))

    result = await perform(db, temporal, Actor(user, client_ip(request)), service.DECIDE_REVIEW, task_id,
                           read_decision)
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    if result.status is not ActionStatus.DONE:
        return await _row(db, result.subject, error=result.message,
                    status_code=400 if result.status is ActionStatus.INVALID else 200)
    if not is_htmx(request):
        return Redirect("/certificates/review", status_code=303)
    return await _row(db, result.subject, outcome="Approved — added to the officer's training history"
                if result.answer == "approved" else "Rejected — returned to the officer")


ROUTES = [review_queue, decide]

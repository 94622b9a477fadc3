"""An officer's training requests: list, form, detail with live timeline, edit, withdraw."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome, RequestStatus, TrainingRequest
from portal.errors import is_htmx, refusal_response
from portal.layout import client_ip, current_user, page
from services import certificates as certificates_service
from services import training_requests as requests_service
from services.access import CurrentUser, can_change_own_request, can_view_request
from services.agency_topics import agency_topics
from services.audit import record_audit
from services.time_zones import agency_time_zone
from services.training_request_actions import WITHDRAW_REQUEST
from services.workflow_actions import ActionStatus, Actor, perform
from services.workflow_starts import (
    dispatch_one,
    enqueue_training_request_resubmission,
    refused_delivery,
    resubmission_pending,
)
from settings import Settings
from workflows.training_request_types import Resubmission, Withdrawal

FORM_FIELDS = (
    "title",
    "provider",
    "location",
    "start_date",
    "end_date",
    "hours",
    "justification",
    "overnight_travel",
    "cost_tuition",
    "cost_travel",
    "cost_lodging",
    "cost_other",
)


async def _visible_request(request: Request, db: AsyncSession, request_id: int) -> TrainingRequest:
    """The request if the user may see it; else audit the attempt and answer 404 (no existence leak)."""
    user = current_user(request)
    training_request = await requests_service.load_request(db, user.agency_id, request_id)
    if training_request is None or not await can_view_request(db, user, training_request):
        _audit(db, request, user, "training_request.view", request_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return training_request


def _audit(
    db: AsyncSession,
    request: Request,
    user: CurrentUser,
    action: str,
    request_id: int,
    outcome: AuditOutcome,
    detail: dict[str, Any] | None = None,
) -> None:
    record_audit(
        db,
        user.id,
        user.audit_label,
        action,
        "training_request",
        request_id,
        outcome,
        client_ip(request),
        user.agency_id,
        detail,
    )


async def _form_page(
    request: Request,
    db: AsyncSession,
    *,
    action: str,
    values: dict[str, str],
    selected: set[str],
    errors: dict[str, str],
    editing: TrainingRequest | None = None,
    message: str | None = None,
) -> Template:
    return await page(
        request,
        db,
        "requests/form.html",
        values=values,
        selected_topics=selected,
        errors=errors,
        topics=await agency_topics(db, current_user(request).agency_id,
                                   keep=[t.topic_code for t in editing.topics] if editing else ()),
        action=action,
        editing=editing,
        message=message,
    )


async def _read_form(request: Request) -> tuple[dict[str, str], list[str], str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    return values, [str(code) for code in form.getall("topics", [])], str(form.get("comment") or "")


@get("/requests")
async def my_requests(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    rows = await requests_service.officer_requests(db, user.person_id) if user.person_id else []
    return await page(request, db, "requests/list.html", rows=rows, who_must_act=requests_service.who_must_act)


@get("/requests/new")
async def new_request_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    return await _form_page(request, db, action="/requests", values={}, selected=set(), errors={})


@post("/requests", status_code=200)
async def submit_request(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    user = current_user(request)
    if user.person_id is None:
        raise NotFoundException()
    values, topic_codes, _ = await _read_form(request)
    known = await agency_topics(db, user.agency_id)
    result = requests_service.validate_request_form(values, topic_codes, known)
    if isinstance(result, dict):
        return await _form_page(
            request, db, action="/requests", values=values, selected=set(topic_codes), errors=result
        )
    training_request, message_id = await requests_service.create_request(
        db, user.agency_id, user.person_id, result, settings.workflow_id_prefix
    )
    _audit(
        db,
        request,
        user,
        "training_request.submit",
        training_request.id,
        AuditOutcome.SUCCESS,
        {"total_cost_cents": result.total_cost_cents},
    )
    await db.commit()
    factory = request.app.state.session_factory
    dispatched = await dispatch_one(factory, temporal, message_id, settings.task_queue)
    notice = "submitted" if dispatched else "queued"
    return Redirect(f"/requests/{training_request.id}?notice={notice}", status_code=303)


async def _detail_context(db: AsyncSession, user: CurrentUser, training_request: TrainingRequest) -> dict:
    status = training_request.status_enum
    owner = can_change_own_request(user, training_request)
    pending = owner and await resubmission_pending(db, training_request)
    agency_today = datetime.now(await agency_time_zone(db, training_request.agency_id)).date()
    return {
        "req": training_request,
        "is_owner": owner,
        "certificate": await certificates_service.linked_submission(db, training_request.id),
        "status": status,
        "who_must_act": requests_service.who_must_act(training_request),
        "events": await requests_service.timeline(db, training_request.id),
        "topic_names": await requests_service.topic_names(db, training_request),
        "can_withdraw": owner and status.is_open,
        "can_edit": owner and status == RequestStatus.CHANGES_REQUESTED and not pending,
        "resubmission_pending": pending,
        # A certificate exists from the course's last day on, not before.
        "course_over": training_request.end_date <= agency_today,
    }


@get("/requests/{request_id:int}")
async def request_detail(request: Request, db: NamedDependency[AsyncSession], request_id: FromPath[int]) -> Template:
    training_request = await _visible_request(request, db, request_id)
    context = await _detail_context(db, current_user(request), training_request)
    return await page(request, db, "requests/detail.html", error=None, **context)


@get("/requests/{request_id:int}/timeline")
async def request_timeline(request: Request, db: NamedDependency[AsyncSession],
                           request_id: FromPath[int]) -> Template | Redirect:
    """The timeline fragment the detail page polls; opened as its own URL, the whole detail page."""
    training_request = await _visible_request(request, db, request_id)
    if not is_htmx(request):
        return Redirect(f"/requests/{training_request.id}#timeline", status_code=303)
    context = await _detail_context(db, current_user(request), training_request)
    return Template(template_name="requests/_timeline.html", context=context)


@get("/requests/{request_id:int}/edit")
async def edit_request_form(request: Request, db: NamedDependency[AsyncSession], request_id: FromPath[int]) -> Template:
    training_request = await _editable_request(request, db, request_id)
    return await _form_page(
        request,
        db,
        action=f"/requests/{request_id}/edit",
        values=requests_service.form_values(training_request),
        selected={t.topic_code for t in training_request.topics},
        errors={},
        editing=training_request,
    )


async def _editable_request(request: Request, db: AsyncSession, request_id: int) -> TrainingRequest:
    training_request = await _visible_request(request, db, request_id)
    user = current_user(request)
    if (
        not can_change_own_request(user, training_request)
        or training_request.status_enum != RequestStatus.CHANGES_REQUESTED
        or await resubmission_pending(db, training_request)
    ):
        _audit(db, request, user, "training_request.edit", request_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return training_request


@post("/requests/{request_id:int}/edit", status_code=200)
async def resubmit_request(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
    request_id: FromPath[int],
) -> Template | Redirect:
    training_request = await _editable_request(request, db, request_id)
    user = current_user(request)
    values, topic_codes, comment = await _read_form(request)
    known = await agency_topics(db, user.agency_id, keep=[t.topic_code for t in training_request.topics])
    result = requests_service.validate_request_form(values, topic_codes, known)
    if isinstance(result, dict):
        return await _form_page(
            request,
            db,
            action=f"/requests/{request_id}/edit",
            values=values,
            selected=set(topic_codes),
            errors=result,
            editing=training_request,
        )
    assert user.person_id is not None
    revision = await requests_service.save_edits(db, training_request, result)
    message = await enqueue_training_request_resubmission(
        db, training_request, Resubmission(actor_id=user.person_id, comment=comment[:2000], source=client_ip(request))
    )
    _audit(db, request, user, "training_request.edit", request_id, AuditOutcome.SUCCESS, {"revision": revision})
    await db.commit()
    # Sent now if Temporal answers; otherwise the outbox relay sends it when it is back.
    dispatched = await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    refusal = await refused_delivery(db, message.id)
    if refusal is not None:
        context = await _detail_context(db, user, await _visible_request(request, db, request_id))
        return await page(request, db, "requests/detail.html", error=refusal, **context)
    notice = "resubmitted" if dispatched else "resubmit_queued"
    return Redirect(f"/requests/{request_id}?notice={notice}", status_code=303)


@post("/requests/{request_id:int}/withdraw", status_code=200)
async def withdraw_request(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    request_id: FromPath[int],
) -> Template | Redirect:
    user = current_user(request)
    form = await request.form()

    async def read_withdrawal(_training_request: TrainingRequest) -> Withdrawal:
        assert user.person_id is not None  # only the requesting officer gets this far
        return Withdrawal(actor_id=user.person_id, comment=str(form.get("comment") or "")[:2000],
                          source=client_ip(request))

    result = await perform(db, temporal, Actor(user, client_ip(request)), WITHDRAW_REQUEST, request_id,
                           read_withdrawal)
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    if result.status is ActionStatus.DECLINED:
        context = await _detail_context(db, user, result.subject)
        return await page(request, db, "requests/detail.html", error=result.message, **context)
    return Redirect(f"/requests/{request_id}?notice=withdrawn", status_code=303)


ROUTES = [
    my_requests,
    new_request_form,
    submit_request,
    request_detail,
    request_timeline,
    edit_request_form,
    resubmit_request,
    withdraw_request,
]

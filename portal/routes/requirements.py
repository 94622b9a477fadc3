"""The requirements page: the state rule pack as the engine applies it, and the agency's own requirements,
which coordinators add and retire (command staff read). Every change is audited and queues the fan-out
that has each officer's licensing-cycle workflow re-evaluate (transactional outbox)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_date
from models import Agency, AuditOutcome, Topic
from portal.layout import client_ip, current_user, page
from services import agency_requirements as requirements_service
from services.access import can_manage_requirements, can_view_requirements
from services.agency_topics import agency_topics
from services.audit import record_audit
from services.compliance import rule_pack
from services.proration import proration_notice
from services.training_records import agency_today
from services.workflow_starts import dispatch_one, enqueue_agency_recompute
from settings import Settings

SAVED_MESSAGES = {
    "added": "The requirement has been added. Every officer's standing is being recalculated.",
    "retired": "The requirement has been retired. Every officer's standing is being recalculated.",
}


def _audit(request: Request, db: AsyncSession, action: str, object_id: int | None, outcome: AuditOutcome,
           detail: dict[str, Any] | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, "agency_requirement", object_id, outcome, client_ip(request),
                 user.agency_id, detail)


async def _refuse(request: Request, db: AsyncSession, action: str, object_id: int | None = None) -> None:
    _audit(request, db, action, object_id, AuditOutcome.DENIED)
    await db.commit()
    raise PermissionDeniedException()


async def _page(request: Request, db: AsyncSession, *, values: dict[str, str] | None = None,
                chosen_topics: list[str] | None = None, errors: dict[str, str] | None = None,
                retire_errors: dict[int, str] | None = None, reasons: dict[int, str] | None = None) -> Template:
    user = current_user(request)
    pack = rule_pack(await db.scalar(select(Agency.rule_pack).where(Agency.id == user.agency_id)) or "MN-POST")
    method = await db.scalar(select(Agency.proration_method).where(Agency.id == user.agency_id))
    today = await agency_today(db, user.agency_id)
    # Every topic: a requirement of its own is how an agency takes on a topic its rule pack does not name.
    topics = await agency_topics(db, user.agency_id, everything=True)
    topic_names = dict(topics.names)
    state_rules = [r for r in pack.requirements if r.effective_to is None or r.effective_to >= today]
    own = await requirements_service.agency_requirement_rows(db, user.agency_id)
    retired = await requirements_service.agency_requirement_rows(db, user.agency_id, retired=True)
    return await page(
        request, db, "requirements/list.html",
        pack=pack, proration=proration_notice(pack, method or "none"),
        state_rules=state_rules, ended=len(pack.requirements) - len(state_rules), today=today,
        own=[(row, requirements_service.requirement_from_row(row)) for row in own],
        retired=[(row, requirements_service.requirement_from_row(row)) for row in retired],
        topics=topics, topic_names=topic_names, can_manage=can_manage_requirements(user),
        values=values or {"period_kind": "cycle", "effective_from": today.isoformat()},
        chosen_topics=chosen_topics or [], errors=errors or {}, retire_errors=retire_errors or {},
        reasons=reasons or {}, other_errors=[text for key, text in (retire_errors or {}).items()
                                             if key not in {row.id for row in own}],
        kind_labels=requirements_service.KIND_LABELS,
        period_labels=requirements_service.PERIOD_LABELS,
        describe_what=lambda r: requirements_service.describe_what(r, topic_names, pack.credit_unit),
        describe_period=requirements_service.describe_period, describe_scope=requirements_service.describe_scope,
        format_date=format_date, saved=SAVED_MESSAGES.get(request.query_params.get("saved") or ""),
    )


@get("/requirements")
async def requirements_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    if not can_view_requirements(current_user(request)):
        await _refuse(request, db, "agency_requirements.view")
    return await _page(request, db)


@post("/requirements", status_code=200)
async def add_requirement(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    user = current_user(request)
    if not can_manage_requirements(user):
        await _refuse(request, db, "agency_requirement.add")
    form = await request.form()
    values = requirements_service.form_values({name: str(form.get(name) or "") for name in
                                               requirements_service.FORM_FIELDS})
    chosen = [str(code) for code in form.getall("topics", [])]
    known = {topic.code for topic in await db.scalars(select(Topic))}
    validated = requirements_service.validate_requirement_form(values, chosen, known)
    if not isinstance(validated, dict) and user.person_id is None:
        validated = {"form": "Your account is not linked to a person on the roster, so it cannot add requirements."}
    result = validated if isinstance(validated, dict) else await requirements_service.add_requirement(
        db, user.agency_id, validated, user.person_id or 0)
    if isinstance(result, dict):
        return await _page(request, db, values=values, chosen_topics=chosen, errors=result)
    message = await enqueue_agency_recompute(db, user.agency_id, f"add-{result.id}", settings.workflow_id_prefix)
    _audit(request, db, "agency_requirement.add", result.id, AuditOutcome.SUCCESS,
           {"after": requirements_service.requirement_snapshot(result)})
    await db.commit()
    # Start the fan-out now if Temporal is up; otherwise the worker's outbox relay starts it later.
    await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect("/requirements?saved=added", status_code=303)


@post("/requirements/{requirement_id:int}/retire", status_code=200)
async def retire_requirement(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
    requirement_id: FromPath[int],
) -> Template | Redirect:
    user = current_user(request)
    if not can_manage_requirements(user):
        await _refuse(request, db, "agency_requirement.retire", requirement_id)
    reason = str((await request.form()).get("reason") or "").strip()
    result = await requirements_service.retire_requirement(db, user.agency_id, requirement_id, reason)
    if isinstance(result, str):
        return await _page(request, db, retire_errors={requirement_id: result}, reasons={requirement_id: reason})
    message = await enqueue_agency_recompute(db, user.agency_id, f"retire-{result.id}", settings.workflow_id_prefix)
    _audit(request, db, "agency_requirement.retire", result.id, AuditOutcome.SUCCESS,
           {"reason": reason, "requirement": requirements_service.requirement_snapshot(result)})
    await db.commit()
    # Start the fan-out now if Temporal is up; otherwise the worker's outbox relay starts it later.
    await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect("/requirements?saved=retired", status_code=303)


ROUTES = [requirements_page, add_requirement, retire_requirement]

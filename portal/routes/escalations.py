"""The coordinators' escalation queue: decide (shared endpoint) or reassign to a supervisor."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome
from portal.errors import is_htmx, refusal_response
from portal.layout import client_ip, current_user, page
from portal.routes.inbox import INBOX_CHANGED
from services import compliance_cases
from services import training_requests as requests_service
from services.access import CurrentUser, can_handle_escalations
from services.audit import record_audit
from services.training_records import page_number
from services.training_request_actions import REASSIGN_TASK
from services.training_requests import Reassignee, TaskRow
from services.workflow_actions import ActionStatus, Actor, Invalid, perform
from workflows.training_request_types import Reassignment


async def _refuse(request: Request, db: NamedDependency[AsyncSession], user: CurrentUser) -> None:
    record_audit(
        db,
        user.id,
        user.audit_label,
        "escalations.view",
        None,
        None,
        AuditOutcome.DENIED,
        client_ip(request),
        user.agency_id,
    )
    await db.commit()
    raise PermissionDeniedException()


@get("/escalations")
async def escalations(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    if not can_handle_escalations(user):
        await _refuse(request, db, user)
    # The two lists page separately: `?page=` the escalated requests, `?cases_page=` the cases.
    requests = await requests_service.escalation_rows(db, user.agency_id,
                                                      page_number(request.query_params.get("page")))
    supervisors = await requests_service.eligible_reassignees(db, user.agency_id)
    candidates = {
        row.task.id: [person for person in supervisors if person.id != row.request.officer_id]
        for row in requests.rows
    }
    cases = await compliance_cases.open_cases(db, user.agency_id, page_number(request.query_params.get("cases_page")))
    return await page(request, db, "inbox/escalations.html", requests=requests, view="escalations",
                      candidates=candidates, cases=cases, case_error=request.query_params.get("case_error"))


@post("/escalations/cases/{task_id:int}/resolve", status_code=303)
async def resolve_compliance_case(
    request: Request, db: NamedDependency[AsyncSession], task_id: FromPath[int]
) -> Redirect:
    """A coordinator closes an end-of-cycle case with a note of what was done (audited)."""
    user = current_user(request)
    if not can_handle_escalations(user):
        await _refuse(request, db, user)
    note = str((await request.form()).get("note") or "").strip()
    problem = await compliance_cases.resolve_case(db, user.agency_id, task_id, user.person_id, note)
    record_audit(db, user.id, user.audit_label, "compliance.case_resolved", "task", task_id,
                 AuditOutcome.FAILURE if problem else AuditOutcome.SUCCESS, client_ip(request), user.agency_id,
                 {"note": note[: compliance_cases.NOTE_LIMIT], "problem": problem})
    await db.commit()
    if problem:
        return Redirect("/escalations", query_params={"case_error": problem}, status_code=303)
    return Redirect("/escalations", status_code=303)


@post("/escalations/tasks/{task_id:int}/reassign", status_code=200)
async def reassign_task(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    task_id: FromPath[int],
) -> Template | Redirect:
    user = current_user(request)
    form = await request.form()
    chosen = str(form.get("new_approver_id") or "")
    candidates: list[Reassignee] = []

    async def read_reassignment(row: TaskRow) -> Reassignment | Invalid:
        # Read only once the pipeline let this coordinator act: the list is the agency's supervisors.
        candidates.extend(person for person in await requests_service.eligible_reassignees(db, user.agency_id)
                          if person.id != row.request.officer_id)
        if not any(str(person.id) == chosen for person in candidates):
            return Invalid("Choose a supervisor from the list.")
        assert user.person_id is not None
        return Reassignment(actor_id=user.person_id, new_approver_id=int(chosen), actor_is_coordinator=True,
                            comment=str(form.get("comment") or "").strip()[: requests_service.COMMENT_LIMIT],
                            source=client_ip(request))

    result = await perform(db, temporal, Actor(user, client_ip(request)), REASSIGN_TASK, task_id, read_reassignment)
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    if result.status is ActionStatus.DONE and not is_htmx(request):
        return Redirect("/escalations", status_code=303)
    context = {"row": result.subject, "view": "escalations", "outcome": None, "error": result.message,
               "candidates": {task_id: candidates}}
    if result.status is not ActionStatus.DONE:
        status_code = 400 if result.status is ActionStatus.INVALID else 200
        return Template(template_name="inbox/_row.html", context=context, status_code=status_code)
    context["outcome"] = "Reassigned to " + next(p.display_name for p in candidates if str(p.id) == chosen)
    return Template(template_name="inbox/_row.html", context=context, headers={"HX-Trigger": INBOX_CHANGED})


ROUTES = [escalations, reassign_task, resolve_compliance_case]

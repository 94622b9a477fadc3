"""The roster as coordinators and administrators keep it: the list of people, hiring, a person's page and
their details. Changes to employment (transfer, leave, separation, re-hire) are in roster_changes.py."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_date
from models import AuditOutcome, Person
from portal.layout import client_ip, current_user, page
from services import roster_people as people
from services.access import can_manage_roster
from services.audit import record_audit
from services.roster_employment import employment_history
from services.roster_listing import STATUS_LABELS, agency_person, parse_roster_filters, roster_people
from services.roster_units import unit_tree
from services.roster_workflows import after_roster_change
from services.training_records import agency_today
from settings import Settings

FIELDS = ("first_name", "last_name", "rank", "badge_number", "license_number", "license_date", "email", "unit_id",
          "supervisor_id", "employment_type", "hired_on")
SAVED = {
    "hired": "Hired. Their licensing cycle starts as soon as the workflow service has it.",
    "updated": "Details saved.", "unchanged": "Nothing changed.",
    "transferred": "Transferred.", "leave": "On leave: their deadlines pause while the leave lasts.",
    "returned": "Back from leave.", "separated": "Separated. Their account is disabled and signed out everywhere.",
    "rehired": "Re-hired. Their licensing cycle starts again.",
}


async def roster_manager(request: Request, db: AsyncSession, action: str, object_id: int | None = None) -> None:
    """Refuse (403, audited) anyone who may not keep the roster, before anything is read."""
    user = current_user(request)
    if not can_manage_roster(user):
        record_audit(db, user.id, user.audit_label, action, "agency", object_id or user.agency_id,
                     AuditOutcome.DENIED, client_ip(request), user.agency_id)
        await db.commit()
        raise PermissionDeniedException()


async def managed_person(request: Request, db: AsyncSession, person_id: int, action: str) -> Person:
    """The person, once the user may keep the roster and the person is of their agency (else 404)."""
    await roster_manager(request, db, action, person_id)
    person = await agency_person(db, current_user(request).agency_id, person_id)
    if person is None:
        raise NotFoundException()
    return person


async def form_values(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    data = await request.form()
    return {name: str(data.get(name) or "")[:500] for name in names}


async def finish(request: Request, db: AsyncSession, temporal: Client, settings: Settings, person_id: int,
                 saved: str, outbox_ids: list[int] | None = None) -> Redirect:
    """Commit the change, then let its workflows hear of it (best-effort) and show the person's page."""
    await db.commit()
    await after_roster_change(request.app.state.session_factory, temporal, settings, person_id, outbox_ids or [])
    return Redirect(f"/roster/people/{person_id}?saved={saved}", status_code=303)


@get("/roster")
async def roster_list(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await roster_manager(request, db, "roster.view")
    user = current_user(request)
    filters = parse_roster_filters(request.query_params)
    return await page(request, db, "roster/index.html", people=await roster_people(db, user.agency_id, filters),
                      filters=filters, units=await unit_tree(db, user.agency_id), statuses=STATUS_LABELS)


async def _person_form(request: Request, db: AsyncSession, values: dict[str, str], errors: dict[str, str],
                       person: Person | None = None) -> Template:
    choices = await people.roster_choices(db, current_user(request).agency_id)
    supervisors = {key: name for key, name in choices.supervisors.items() if person is None or key != person.id}
    return await page(request, db, "roster/person_form.html", values=values, errors=errors, person=person,
                      choices=choices, supervisors=supervisors, employment_types=people.EMPLOYMENT_TYPES)


@get("/roster/people/new")
async def hire_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await roster_manager(request, db, "roster.hire")
    today = await agency_today(db, current_user(request).agency_id)
    return await _person_form(request, db, {"employment_type": people.FULL_TIME, "hired_on": today.isoformat()}, {})


@post("/roster/people", status_code=200)
async def hire(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
               settings: NamedDependency[Settings]) -> Template | Redirect:
    await roster_manager(request, db, "roster.hire")
    values = await form_values(request, FIELDS)
    choices = await people.roster_choices(db, current_user(request).agency_id)
    details, errors = people.validate_person_details(values, choices)
    if details is None:
        return await _person_form(request, db, values, errors)
    try:
        person = await people.hire(db, current_user(request), client_ip(request), details,
                                   workflow_id_prefix=settings.workflow_id_prefix)
    except people.RosterRefusal as refusal:
        await db.rollback()
        return await _person_form(request, db, values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "hired")


@get("/roster/people/{person_id:int}")
async def person_page(request: Request, db: NamedDependency[AsyncSession], person_id: FromPath[int]) -> Template:
    person = await managed_person(request, db, person_id, "roster.view_person")
    return await person_view(request, db, person, "", {}, {})


async def person_view(request: Request, db: AsyncSession, person: Person, form: str, values: dict[str, str],
                      errors: dict[str, str]) -> Template:
    """The person's page; `form` names the change form that failed, shown again with `values` and `errors`."""
    choices = await people.roster_choices(db, person.agency_id)
    today = await agency_today(db, person.agency_id)
    defaults = {"unit_id": str(person.unit_id or ""), "supervisor_id": str(person.supervisor_id or ""),
                "effective_on": today.isoformat(), "starts_on": today.isoformat(), "returned_on": today.isoformat(),
                "separated_on": today.isoformat(), "hired_on": today.isoformat(),
                "employment_type": people.PART_TIME if person.part_time else people.FULL_TIME}
    saved = SAVED.get(str(request.query_params.get("saved") or ""))
    return await page(request, db, "roster/person.html", status_code=200, person=person, form=form,
                      values={**defaults, **values}, errors=errors, choices=choices, saved=saved,
                      supervisors={key: name for key, name in choices.supervisors.items() if key != person.id},
                      periods=await employment_history(db, person.id), statuses=STATUS_LABELS,
                      employment_types=people.EMPLOYMENT_TYPES, format_date=format_date)


@get("/roster/people/{person_id:int}/edit")
async def edit_form(request: Request, db: NamedDependency[AsyncSession], person_id: FromPath[int]) -> Template:
    person = await managed_person(request, db, person_id, "roster.update")
    return await _person_form(request, db, people.details_form(person), {}, person)


@post("/roster/people/{person_id:int}/edit", status_code=200)
async def edit(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
               settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.update")
    values = await form_values(request, FIELDS)
    # Unit and supervisor change by transfer: the edit form shows them but keeps the person's own.
    values.update(unit_id=str(person.unit_id or ""), supervisor_id=str(person.supervisor_id or ""))
    choices = await people.roster_choices(db, person.agency_id)
    # A person in a unit retired since, or under a supervisor who left, can still have their details corrected.
    own_unit = {person.unit_id: ""} if person.unit_id else {}
    own_supervisor = {person.supervisor_id: ""} if person.supervisor_id else {}
    choices = people.RosterChoices({**choices.units, **own_unit},
                                   choices.ranks if person.rank in choices.ranks else (*choices.ranks, person.rank),
                                   {**choices.supervisors, **own_supervisor})
    details, errors = people.validate_person_details(values, choices)
    if details is None:
        return await _person_form(request, db, values, errors, person)
    try:
        changed = await people.update_details(db, current_user(request), client_ip(request), person, details,
                                              workflow_id_prefix=settings.workflow_id_prefix)
    except people.RosterRefusal as refusal:
        await db.rollback()
        person = await managed_person(request, db, person_id, "roster.update")
        return await _person_form(request, db, values, refusal.errors, person)
    return await finish(request, db, temporal, settings, person.id, "updated" if changed else "unchanged")


ROUTES = [roster_list, hire_form, hire, person_page, edit_form, edit]

"""Changes to a person's employment from their roster page: transfer, leave and return, separation, re-hire.
Each form that fails is shown again on the person's page with what was typed and why."""

from __future__ import annotations

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import Person
from portal.layout import client_ip, current_user
from portal.routes.roster import finish, form_values, managed_person, person_view
from services import roster_employment as employment
from services import roster_people as people
from services.agency_officers import parse_id
from services.roster_people import RosterRefusal
from services.training_records import agency_today
from settings import Settings


async def _again(request: Request, db: AsyncSession, person_id: int, form: str, values: dict[str, str],
                 errors: dict[str, str]) -> Template:
    await db.rollback()
    person = await managed_person(request, db, person_id, f"roster.{form}")
    return await person_view(request, db, person, form, values, errors)


@post("/roster/people/{person_id:int}/transfer", status_code=200)
async def transfer(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                   settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.transfer")
    values = await form_values(request, ("unit_id", "supervisor_id", "effective_on"))
    choices = await people.roster_choices(db, person.agency_id)
    errors: dict[str, str] = {}
    unit_id = parse_id(values["unit_id"])
    if unit_id is None or unit_id not in choices.units:
        errors["unit_id"] = "Choose one of the agency's open units."
    supervisor_id = parse_id(values["supervisor_id"]) if values["supervisor_id"] else None
    if values["supervisor_id"] and supervisor_id not in choices.supervisors:
        errors["supervisor_id"] = "Choose an active person of the agency as supervisor, or none."
    effective_on, problem = people.parse_effective_date(values["effective_on"],
                                                        await agency_today(db, person.agency_id))
    if problem:
        errors["effective_on"] = problem
    if errors or effective_on is None:
        return await person_view(request, db, person, "transfer", values, errors)
    try:
        moved = await people.transfer(db, current_user(request), client_ip(request), person, unit_id,
                                      supervisor_id, effective_on)
    except RosterRefusal as refusal:
        return await _again(request, db, person_id, "transfer", values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "transferred" if moved.changed else "unchanged",
                        moved.outbox_ids)


@post("/roster/people/{person_id:int}/leave", status_code=200)
async def start_leave(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                      settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.leave")
    values = await form_values(request, ("starts_on", "expected_end", "reason"))
    leave, errors = employment.validate_leave(values)
    if leave is None:
        return await person_view(request, db, person, "leave", values, errors)
    try:
        await employment.start_leave(db, current_user(request), client_ip(request), person, leave)
    except RosterRefusal as refusal:
        return await _again(request, db, person_id, "leave", values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "leave")


@post("/roster/people/{person_id:int}/return", status_code=200)
async def end_leave(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                    settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.return")
    values = await form_values(request, ("returned_on",))
    returned_on, problem = people.parse_effective_date(values["returned_on"], await agency_today(db, person.agency_id))
    if returned_on is None:
        return await person_view(request, db, person, "return", values, {"returned_on": problem or ""})
    try:
        await employment.end_leave(db, current_user(request), client_ip(request), person, returned_on)
    except RosterRefusal as refusal:
        return await _again(request, db, person_id, "return", values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "returned")


@post("/roster/people/{person_id:int}/separate", status_code=200)
async def separate(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                   settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.separate")
    values = await form_values(request, ("separated_on", "reason"))
    separation, errors = employment.validate_separation(values)
    if separation is None:
        return await person_view(request, db, person, "separate", values, errors)
    if _is_self(request, person):
        return await person_view(request, db, person, "separate", values,
                                 {"separated_on": "Another coordinator or administrator must record your separation."})
    try:
        await employment.separate(db, current_user(request), client_ip(request), person, separation)
    except RosterRefusal as refusal:
        return await _again(request, db, person_id, "separate", values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "separated")


def _is_self(request: Request, person: Person) -> bool:
    # Separating oneself would disable the account doing it, mid-request.
    return current_user(request).person_id == person.id


@post("/roster/people/{person_id:int}/rehire", status_code=200)
async def rehire(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                 settings: NamedDependency[Settings], person_id: FromPath[int]) -> Template | Redirect:
    person = await managed_person(request, db, person_id, "roster.rehire")
    values = await form_values(request, ("hired_on", "employment_type"))
    hired_on, problem = people.parse_effective_date(values["hired_on"], await agency_today(db, person.agency_id))
    errors = {"hired_on": problem} if problem else {}
    if values["employment_type"] not in people.EMPLOYMENT_TYPES:
        errors["employment_type"] = "Choose full-time or part-time."
    if errors or hired_on is None:
        return await person_view(request, db, person, "rehire", values, errors)
    try:
        await employment.rehire(db, current_user(request), client_ip(request), person, hired_on,
                                values["employment_type"] == people.PART_TIME,
                                workflow_id_prefix=settings.workflow_id_prefix)
    except RosterRefusal as refusal:
        return await _again(request, db, person_id, "rehire", values, refusal.errors)
    return await finish(request, db, temporal, settings, person.id, "rehired")


ROUTES = [transfer, start_leave, end_leave, separate, rehire]

"""Coordinators record one course for many officers at once: course details, attendees, one click.

Bad input re-renders the form with everything kept and every problem named; nothing is written until
every attendee is sound. The records then commit together with the outbox row of the workflow that
tells each officer's licensing cycle to re-evaluate (so the page never waits on hundreds of signals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome, Person
from portal.layout import client_ip, current_user, page
from portal.routes.records import FORMATTERS, audit
from services import bulk_entry as service
from services import training_records as records_service
from services.access import can_enter_records_in_bulk
from services.agency_topics import agency_topics
from services.workflow_starts import dispatch_one, enqueue_officer_recompute
from settings import Settings


async def coordinator_only(request: Request, db: AsyncSession, action: str = service.BULK_ACTION) -> None:
    """Bulk entry and CSV import are for coordinators; anyone else is refused, and `action` audited."""
    user = current_user(request)
    if not can_enter_records_in_bulk(user):
        audit(request, db, action, "agency", user.agency_id, AuditOutcome.DENIED)
        await db.commit()
        raise PermissionDeniedException()


@dataclass
class BulkForm:
    """What the coordinator typed and ticked, kept whole for a re-rendered form."""

    values: dict[str, str] = field(default_factory=dict)
    credits: dict[str, str] = field(default_factory=dict)
    ticked: list[int] = field(default_factory=list)
    badges: str = ""
    roster_q: str = ""
    roster_unit: str = ""
    confirmed: str = ""  # the duplicates the "record anyway" box confirms


async def _choices(db: AsyncSession, agency_id: int, form: BulkForm, selected: list[Person]) -> dict[str, Any]:
    """The attendee list's context: the ticked officers, then the roster rows the filter matches."""
    units = await service.agency_units(db, agency_id)
    unit_id = int(form.roster_unit) if form.roster_unit.isdigit() and len(form.roster_unit) < 10 else None
    unit_ids = service.unit_and_below(units, unit_id) if unit_id in {unit.id for unit in units} else None
    matches, total = await service.roster_choices(db, agency_id, unit_ids, form.roster_q,
                                                  [person.id for person in selected])
    return {"units": units, "selected": selected, "matches": matches, "match_total": total,
            "roster_limit": service.ROSTER_LIMIT, "form": form}


async def _form_page(request: Request, db: AsyncSession, form: BulkForm, *, errors: dict[str, str],
                     selected: list[Person], problems: list[str] | None = None,
                     duplicates: list[Person] | None = None) -> Template:
    agency_id = current_user(request).agency_id
    return await page(
        request, db, "records/bulk.html",
        values=form.values, credits=form.credits, errors=errors, problems=problems or [],
        duplicates=duplicates or [], duplicates_key=service.duplicates_key(duplicates or []),
        topics=await agency_topics(db, agency_id),
        today=(await records_service.agency_today(db, agency_id)).isoformat(),
        max_hours=records_service.MAX_HOURS, max_attendees=service.MAX_ATTENDEES,
        **await _choices(db, agency_id, form, selected),
    )


@get("/records/bulk")
async def bulk_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await coordinator_only(request, db)
    return await _form_page(request, db, BulkForm(), errors={}, selected=[])


@get("/records/bulk/attendees")
async def attendee_choices(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    """The attendee list for the filter (htmx), the ticked officers kept at the top."""
    await coordinator_only(request, db)
    user = current_user(request)
    params = request.query_params
    form = BulkForm(ticked=service.parse_ticked(params.getall("attendee", [])),
                    roster_q=str(params.get("roster_q") or "").strip()[:100],
                    roster_unit=str(params.get("roster_unit") or "").strip())
    attendees = await service.resolve_attendees(db, user, form.ticked, [])
    context = await _choices(db, user.agency_id, form, attendees.ticked)
    return Template(template_name="records/_bulk_attendees.html", context=context)


async def _read(request: Request, db: AsyncSession) -> BulkForm:
    data = await request.form()
    topics = await agency_topics(db, current_user(request).agency_id)
    return BulkForm(
        values={name: str(data.get(name) or "") for name in records_service.RECORD_FIELDS},
        credits=topics.credits_from(data),
        ticked=service.parse_ticked(str(value) for value in data.getall("attendee", [])),
        badges=str(data.get("badges") or "")[:service.BADGE_TEXT_LIMIT],
        roster_q=str(data.get("roster_q") or "").strip()[:100],
        roster_unit=str(data.get("roster_unit") or "").strip(),
        confirmed=str(data.get("record_duplicates") or ""),
    )


@post("/records/bulk", status_code=200)
async def record_bulk(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                      settings: NamedDependency[Settings]) -> Template | Redirect:
    await coordinator_only(request, db)
    user = current_user(request)
    form = await _read(request, db)
    today = await records_service.agency_today(db, user.agency_id)
    checked = records_service.validate_record_form(form.values, form.credits, today,
                                                   await agency_topics(db, user.agency_id))
    errors = checked if isinstance(checked, dict) else {}
    attendees = await service.resolve_attendees(db, user, form.ticked, service.parse_badges(form.badges))
    if attendees.problems:
        count = len(attendees.problems)
        errors["attendees"] = f"Correct the attendee list: {count} problem{'s' if count != 1 else ''} below."
    elif not attendees.officers:
        errors["attendees"] = "Tick at least one attendee, or paste their badge numbers."
    duplicates: list[Person] = []
    if not errors and not isinstance(checked, dict):
        duplicates = await service.already_recorded(db, attendees.officers, checked)
        if duplicates and service.duplicates_key(duplicates) != form.confirmed:
            who = "1 attendee already has" if len(duplicates) == 1 else f"{len(duplicates)} attendees already have"
            errors["record_duplicates"] = f"{who} this record: tick “Record anyway”, or untick them."
    if errors or isinstance(checked, dict):
        return await _form_page(request, db, form, errors=errors, selected=attendees.ticked,
                                problems=attendees.problems, duplicates=duplicates)
    batch = service.new_batch_id()
    await service.record_attendance(db, user, client_ip(request), attendees.officers, checked, batch, duplicates)
    message = await enqueue_officer_recompute(db, [person.id for person in attendees.officers], f"bulk-{batch}",
                                              settings.workflow_id_prefix)
    await db.commit()
    # Now if Temporal answers; otherwise the worker's outbox relay starts it when it is back.
    await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect(f"/records/bulk/{batch}", status_code=303)


@get("/records/bulk/{batch:str}")
async def bulk_entry_done(request: Request, db: NamedDependency[AsyncSession], batch: FromPath[str]) -> Template:
    """Who got a record from one bulk entry."""
    await coordinator_only(request, db)
    found = await service.bulk_entry(db, current_user(request).agency_id, batch) if service.is_batch_id(batch) else None
    if found is None:
        raise NotFoundException()
    event, records = found
    return await page(request, db, "records/bulk_done.html", event=event, records=records,
                      duplicates=set(event.detail.get("recorded_despite_duplicate", [])), **FORMATTERS)


ROUTES = [bulk_form, attendee_choices, record_bulk, bulk_entry_done]

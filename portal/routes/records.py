"""Training history, PDF transcripts, and coordinators' record entry and correction.

`/records...` is the signed-in officer's own; `/officers/{id}/records...` is the same for someone allowed
to view that officer (services.access). Refusals answer 404, so ids reveal nothing, and are audited.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_amount, format_date
from models import AuditOutcome, Person, RecordSource, TrainingRecord
from portal.errors import error_page
from portal.layout import client_ip, current_user, page
from services import training_records as records_service
from services.access import can_edit_officer_records, can_view_officer_records
from services.agency_topics import AgencyTopics, agency_topics
from services.audit import record_audit
from services.licensing import tell_cycle_changed
from services.likely_duplicates import CourseFacts, records_like
from services.transcripts import build_transcript, render_pdf
from settings import Settings

FORMATTERS: dict[str, Any] = {"format_date": format_date, "amount": format_amount}
SAVED_MESSAGES = {
    "added": "The record has been added.",
    "corrected": "The record has been corrected.",
}


def audit(request: Request, db: AsyncSession, action: str, object_type: str, object_id: int,
          outcome: AuditOutcome, detail: dict[str, Any] | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, object_type, object_id, outcome, client_ip(request),
                 user.agency_id, detail)


async def viewable_officer(request: Request, db: AsyncSession, officer_id: int | None, what: str) -> Person:
    """The officer whose pages are asked for (None: the signed-in user's own), if the user may see them.

    Looks by someone else are audited with `what`; refusals are audited and answer 404.
    """
    user = current_user(request)
    own = officer_id is None or officer_id == user.person_id
    person = await db.get(Person, officer_id if officer_id is not None else user.person_id or 0)
    if person is None or not await can_view_officer_records(db, user, person):
        if not own:
            audit(request, db, "officer_records.view", "person", officer_id or 0, AuditOutcome.DENIED, {"page": what})
            await db.commit()
        raise NotFoundException()
    if not own:
        audit(request, db, "officer_records.view", "person", person.id, AuditOutcome.SUCCESS, {"page": what})
        await db.commit()
    return person


def records_url(request: Request, person: Person) -> str:
    return "/records" if person.id == current_user(request).person_id else f"/officers/{person.id}/records"


# --- History and transcript ------------------------------------------------------------------------


async def _history(request: Request, db: AsyncSession, officer_id: int | None) -> Template:
    person = await viewable_officer(request, db, officer_id, "history")
    topics = await agency_topics(db, person.agency_id)
    filters, page_number, raw, errors = records_service.parse_history_filters(request.query_params, topics.codes)
    history = await records_service.history_page(db, person.id, filters, page_number)
    kept = {key: value for key, value in raw.items() if value and key not in errors and key != "page"}
    return await page(
        request, db, "records/history.html",
        person=person, history=history, topics=topics, topic_names=topics.names,
        sources=list(RecordSource), source_label=records_service.source_label, values=raw, errors=errors,
        filters=kept, base_url=records_url(request, person),
        own=person.id == current_user(request).person_id,
        can_edit=can_edit_officer_records(current_user(request), person),
        saved=SAVED_MESSAGES.get(request.query_params.get("saved") or ""), **FORMATTERS,
    )


@get("/records")
async def my_history(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    return await _history(request, db, None)


@get("/officers/{officer_id:int}/records")
async def officer_history(request: Request, db: NamedDependency[AsyncSession], officer_id: FromPath[int]) -> Template:
    return await _history(request, db, officer_id)


async def _transcript(request: Request, db: AsyncSession, officer_id: int | None) -> Response:
    person = await viewable_officer(request, db, officer_id, "transcript")
    filters, _, _, errors = records_service.parse_history_filters(
        {key: request.query_params.get(key) or "" for key in ("from", "to")}, ()
    )
    if errors:
        return error_page(400, "The transcript dates are not valid: " + " ".join(errors.values()))
    today = await records_service.agency_today(db, person.agency_id)
    transcript = await build_transcript(db, person, today, filters.date_from, filters.date_to)
    return Response(
        render_pdf(transcript),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{transcript.filename}"',
                 "Cache-Control": "no-store"},
    )


@get("/records/transcript.pdf")
async def my_transcript(request: Request, db: NamedDependency[AsyncSession]) -> Response:
    return await _transcript(request, db, None)


@get("/officers/{officer_id:int}/records/transcript.pdf")
async def officer_transcript(request: Request, db: NamedDependency[AsyncSession], officer_id: FromPath[int]
                             ) -> Response:
    return await _transcript(request, db, officer_id)


# --- Coordinator entry and correction --------------------------------------------------------------


async def editable_officer(request: Request, db: AsyncSession, officer_id: int, action: str) -> Person:
    person = await db.get(Person, officer_id)
    if person is None or not can_edit_officer_records(current_user(request), person):
        audit(request, db, action, "person", officer_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return person


async def _editable_record(request: Request, db: AsyncSession, record_id: int) -> TrainingRecord:
    record = await records_service.load_record(db, record_id)
    if record is None or not can_edit_officer_records(current_user(request), record.officer):
        audit(request, db, "training_record.correct", "training_record", record_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return record


async def _topics(db: AsyncSession, person: Person, record: TrainingRecord | None = None) -> AgencyTopics:
    """The agency's topics, plus those the corrected record already credits (so none is dropped unseen)."""
    return await agency_topics(db, person.agency_id, keep=[c.topic_code for c in record.credits] if record else ())


async def _read_form(request: Request, topics: AgencyTopics) -> tuple[dict[str, str], dict[str, str], str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in records_service.RECORD_FIELDS}
    return values, topics.credits_from(form), str(form.get("reason") or "").strip()


async def _form_page(request: Request, db: AsyncSession, person: Person, *, action: str,
                     values: dict[str, str], credits: dict[str, str], errors: dict[str, str],
                     record: TrainingRecord | None = None, reason: str = "") -> Template:
    return await page(
        request, db, "records/form.html",
        person=person, action=action, values=values, credits=credits, errors=errors, record=record,
        reason=reason, topics=await _topics(db, person, record),
        today=(await records_service.agency_today(db, person.agency_id)).isoformat(),
        max_hours=records_service.MAX_HOURS, cancel_url=f"/officers/{person.id}/records",
    )


async def _already_on_record(request: Request, db: AsyncSession, person: Person,
                             form: records_service.RecordForm) -> str | None:
    """Why the record looks like one already on file, unless the coordinator has confirmed it is not."""
    if (await request.form()).get("not_duplicate") == "yes":
        return None
    facts = CourseFacts(officer_id=person.id, course_title=form.course_title, course_number=form.course_number,
                        completed_on=form.completed_on, hours=form.hours)
    same = await records_like(db, facts)
    if not same:
        return None
    first = same[0]
    return (f"{person.full_name} already has {first.course_title}, completed {format_date(first.completed_on)}, "
            f"{format_amount(first.hours)} hours, on record. Adding it again would credit it twice.")


@get("/officers/{officer_id:int}/records/new")
async def new_record_form(request: Request, db: NamedDependency[AsyncSession], officer_id: FromPath[int]) -> Template:
    person = await editable_officer(request, db, officer_id, "training_record.add")
    return await _form_page(request, db, person, action=f"/officers/{officer_id}/records/new",
                            values={}, credits={}, errors={})


@post("/officers/{officer_id:int}/records/new", status_code=200)
async def add_record(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
    officer_id: FromPath[int],
) -> Template | Redirect:
    person = await editable_officer(request, db, officer_id, "training_record.add")
    topics = await _topics(db, person)
    values, credits, _ = await _read_form(request, topics)
    today = await records_service.agency_today(db, person.agency_id)
    result = records_service.validate_record_form(values, credits, today, topics)
    if isinstance(result, dict):
        return await _form_page(request, db, person, action=f"/officers/{officer_id}/records/new",
                                values=values, credits=credits, errors=result)
    problem = await _already_on_record(request, db, person, result)
    if problem:
        return await _form_page(request, db, person, action=f"/officers/{officer_id}/records/new",
                                values=values, credits=credits, errors={"not_duplicate": problem})
    record = await records_service.add_record(db, person, result, current_user(request).person_id)
    audit(request, db, "training_record.add", "training_record", record.id, AuditOutcome.SUCCESS,
          {"officer_id": person.id, "before": None, "after": records_service.record_snapshot(record)})
    await db.commit()
    # Best-effort: the licensing-cycle workflow re-evaluates at its next wake-up in any case.
    await tell_cycle_changed(temporal, person.id, settings.workflow_id_prefix)
    return Redirect(f"/officers/{person.id}/records?saved=added", status_code=303)


@get("/records/{record_id:int}/edit")
async def edit_record_form(request: Request, db: NamedDependency[AsyncSession], record_id: FromPath[int]) -> Template:
    record = await _editable_record(request, db, record_id)
    values, credits = records_service.form_values(record)
    return await _form_page(request, db, record.officer, action=f"/records/{record_id}/edit",
                            values=values, credits=credits, errors={}, record=record)


@post("/records/{record_id:int}/edit", status_code=200)
async def correct_record(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
    record_id: FromPath[int],
) -> Template | Redirect:
    record = await _editable_record(request, db, record_id)
    person = record.officer
    topics = await _topics(db, person, record)
    values, credits, reason = await _read_form(request, topics)
    today = await records_service.agency_today(db, person.agency_id)
    result = records_service.validate_record_form(values, credits, today, topics)
    errors = result if isinstance(result, dict) else {}
    if not reason:
        errors["reason"] = "Say why the record is being corrected."
    elif len(reason) > records_service.REASON_LIMIT:
        errors["reason"] = f"Use at most {records_service.REASON_LIMIT} characters."
    change = None
    if not errors:
        assert not isinstance(result, dict)
        change = records_service.correct_record(record, result)
        if change is None:
            errors["form"] = "Nothing was changed: edit a field, or cancel."
    if change is None:
        return await _form_page(request, db, person, action=f"/records/{record_id}/edit", values=values,
                                credits=credits, errors=errors, record=record, reason=reason)
    before, after = change
    audit(request, db, "training_record.correct", "training_record", record.id, AuditOutcome.SUCCESS,
          {"officer_id": person.id, "reason": reason, "before": before, "after": after})
    await db.commit()
    # Best-effort: the licensing-cycle workflow re-evaluates at its next wake-up in any case.
    await tell_cycle_changed(temporal, person.id, settings.workflow_id_prefix)
    return Redirect(f"/officers/{person.id}/records?saved=corrected", status_code=303)


ROUTES = [
    my_history,
    officer_history,
    my_transcript,
    officer_transcript,
    new_record_form,
    add_record,
    edit_record_form,
    correct_record,
]

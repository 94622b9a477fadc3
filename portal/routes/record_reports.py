"""Record error reports: officers report errors in their training records; coordinators resolve them.

`/records/reports` and `/records/reports/new` are the signed-in officer's own; `/records/reports/review`
is the coordinators' queue; a report's page serves everyone services.access lets see it, with the
forms each may use. Refusals answer 404 (ids reveal nothing) and are audited, as is every report,
resolution, withdrawal and attachment download.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_amount
from models import AuditOutcome, Person, RecordErrorReport, ReportKind, ReportStatus
from portal.errors import error_page, refusal_response
from portal.layout import client_ip, current_user, page
from portal.uploads import UPLOAD_BODY
from services import record_reports as service
from services import training_records as records_service
from services.access import (
    can_resolve_record_report,
    can_resolve_record_reports,
    can_view_record_report,
    can_withdraw_record_report,
)
from services.agency_topics import agency_topics
from services.audit import record_audit
from services.certificates import inspect
from services.workflow_actions import ActionStatus, Actor, Invalid, perform
from services.workflow_starts import dispatch_one
from settings import Settings
from storage import ObjectNotFound, StorageError, store_from_settings
from storage.serving import download_headers
from storage.uploads import TRY_AGAIN
from storage.validation import InspectedFile
from workflows.record_report_types import ALREADY_CLOSED, Resolution, ResolveAction, Withdrawal

log = logging.getLogger(__name__)
FORM_FIELDS = ("kind", "record", "description", *service.COURSE_DETAILS)
DONE = {
    "filed": "Your report has been sent to the training coordinators.",
    "corrected": "The report is resolved: the record has been corrected and the officer told.",
    "declined": "The report is declined and the officer told.",
    "withdrawn": "Your report has been withdrawn.",
}


def audit(request: Request, db: AsyncSession, action: str, object_id: int, outcome: AuditOutcome,
          detail: dict[str, Any] | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, "record_error_report", object_id, outcome,
                 client_ip(request), user.agency_id, detail)


# Messages shown next to the decline and withdraw forms, not in the correction form's summary.
_NOT_CORRECTION = {"decline_reason", "decline_refused", "correct_refused", "withdraw_refused", "closed"}


def _officer_id(request: Request) -> int:
    person_id = current_user(request).person_id
    if person_id is None:
        raise NotFoundException()
    return person_id


async def _viewable(request: Request, db: AsyncSession, report_id: int, action: str) -> RecordErrorReport:
    """The report, if the user may see it; refusals are audited and answer 404."""
    report = await service.load_report(db, current_user(request).agency_id, report_id)
    if report is None or not await can_view_record_report(db, current_user(request), report.officer):
        audit(request, db, action, report_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return report


# --- Officer: list and new report ----------------------------------------------------------------------


@get("/records/reports")
async def my_reports(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    reports = await service.officer_reports(db, _officer_id(request))
    return await page(request, db, "record_reports/list.html", reports=reports, subject_title=service.subject_title,
                      kinds=ReportKind, status_labels=service.STATUS_LABELS)


async def _form_page(request: Request, db: AsyncSession, *, values: dict[str, str], errors: dict[str, str],
                     status_code: int = 200) -> Template:
    user = current_user(request)
    settings: Settings = request.app.state.settings
    return await page(
        request, db, "record_reports/form.html", status_code=status_code, values=values, errors=errors,
        kinds=list(ReportKind), records=await service.own_records(db, _officer_id(request)),
        today=(await records_service.agency_today(db, user.agency_id)).isoformat(),
        max_size=f"{settings.max_upload_mb} MB", description_limit=service.DESCRIPTION_LIMIT,
    )


@get("/records/reports/new")
async def new_report_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    record = (request.query_params.get("record") or "")[:12]
    kind = request.query_params.get("kind") or ("" if not record else ReportKind.HOURS_WRONG.value)
    return await _form_page(request, db, values={"record": record, "kind": kind[:20]}, errors={})


async def _read_report(request: Request) -> tuple[dict[str, str], bytes, str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    file = form.get("attachment")
    if isinstance(file, UploadFile):
        return values, await file.read(), file.filename or ""
    return values, b"", ""


@post("/records/reports/new", status_code=200, opt=UPLOAD_BODY)
async def file_report(
    request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    officer = await db.get_one(Person, _officer_id(request))
    values, data, file_name = await _read_report(request)
    draft = await service.validate_report(db, officer, values,
                                          await records_service.agency_today(db, officer.agency_id))
    errors = draft if isinstance(draft, dict) else {}
    attachment = None
    if data or file_name:  # an empty file input sends neither: no attachment
        upload = await inspect(data, file_name, settings.max_upload_bytes)
        if not isinstance(upload, InspectedFile):
            audit(request, db, "record_report.file", 0, AuditOutcome.DENIED, {"reason": upload.reason})
            await db.commit()
            errors["attachment"] = upload.message
            return await _form_page(request, db, values=values, errors=errors, status_code=upload.http_status)
        attachment = upload, data
    if isinstance(draft, dict):
        if attachment is not None:
            errors["attachment"] = "Choose the file again."
        return await _form_page(request, db, values=values, errors=errors)
    try:
        report, message = await service.file_report(db, store_from_settings(settings), officer, draft, attachment,
                                                    settings.workflow_id_prefix)
    except Exception:  # storage or database down: nothing was kept
        log.exception("record report failed")
        await db.rollback()
        return await _form_page(request, db, values=values, errors={"attachment": TRY_AGAIN}, status_code=503)
    audit(request, db, "record_report.file", report.id, AuditOutcome.SUCCESS,
          {"kind": report.kind, "record_id": report.record_id, "attachment_sha256": report.attachment_sha256})
    await db.commit()
    await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect(f"/records/reports/{report.id}?done=filed", status_code=303)


# --- Coordinators: the queue ---------------------------------------------------------------------------


@get("/records/reports/review")
async def review_queue(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    if not can_resolve_record_reports(user):
        raise NotFoundException()
    page_number = records_service.page_number(request.query_params.get("page"))
    queue = await service.review_queue(db, user.agency_id, page_number)
    return await page(request, db, "record_reports/review.html", queue=queue, subject_title=service.subject_title,
                      kinds=ReportKind)


# --- One report: details, resolve, withdraw, attachment -----------------------------------------------


async def _detail_page(request: Request, db: AsyncSession, report: RecordErrorReport, *,
                       errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                       credits: dict[str, str] | None = None, reasons: dict[str, str] | None = None) -> Template:
    user = current_user(request)
    errors = errors or {}
    is_open = report.status == ReportStatus.OPEN
    can_resolve = is_open and can_resolve_record_report(user, report.agency_id, report.officer_id) is None
    if can_resolve and values is None:
        values, credits = service.correction_values(report)
    topics = await agency_topics(db, report.agency_id, keep=_credited(report))
    return await page(
        request, db, "record_reports/detail.html", report=report, kind=ReportKind(report.kind),
        status=ReportStatus(report.status), subject_title=service.subject_title(report),
        own=report.officer_id == user.person_id, can_resolve=can_resolve,
        can_withdraw=is_open and can_withdraw_record_report(user, report.officer_id),
        errors=errors, correction_errors={key: text for key, text in errors.items() if key not in _NOT_CORRECTION},
        values=values or {}, credits=credits or {}, reasons=reasons or {},
        status_labels=service.STATUS_LABELS, event_labels=service.EVENT_LABELS,
        topics=topics, topic_names=topics.names, amount=format_amount,
        # Only the correction form needs the agency's date (its latest allowed completion date).
        today=(await records_service.agency_today(db, report.agency_id)).isoformat() if can_resolve else "",
        max_hours=records_service.MAX_HOURS, reason_limit=records_service.REASON_LIMIT,
        done=DONE.get(request.query_params.get("done") or ""),
    )


@get("/records/reports/{report_id:int}")
async def report_detail(request: Request, db: NamedDependency[AsyncSession], report_id: FromPath[int]) -> Template:
    report = await _viewable(request, db, report_id, "record_report.view")
    return await _detail_page(request, db, report)


def _credited(report: RecordErrorReport) -> list[str]:
    """The topics the reported record credits now: the correction form keeps them even outside the agency's."""
    return [credit.topic_code for credit in report.record.credits] if report.record is not None else []


def _reason_problem(reason: str) -> str | None:
    if not reason:
        return "Give a reason: the officer sees it, and it is kept in the audit trail."
    return service.reason_problem(reason)


@dataclass
class FormAgain:
    """A resolution form to show again: a message per problem, and everything typed."""

    errors: dict[str, str]
    values: dict[str, str] | None = None
    credits: dict[str, str] | None = None
    reasons: dict[str, str] = field(default_factory=dict)


async def _resolution(request: Request, db: AsyncSession, report: RecordErrorReport) -> Resolution | Invalid:
    """The coordinator's resolution from the posted form, checked as far as the portal can."""
    user = current_user(request)
    assert user.person_id is not None
    if report.status != ReportStatus.OPEN:
        return Invalid(ALREADY_CLOSED, FormAgain({"closed": ALREADY_CLOSED}))
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    values = {name: str(form.get(name) or "") for name in records_service.RECORD_FIELDS}
    topics = await agency_topics(db, report.agency_id, keep=_credited(report))
    credits = topics.credits_from(form)
    action = str(form.get("action") or "")
    if action == ResolveAction.DECLINE:
        problem = _reason_problem(reason)
        if problem:
            return Invalid(problem, FormAgain({"decline_reason": problem}, reasons={"decline": reason}))
        return Resolution(actor_id=user.person_id, action=ResolveAction.DECLINE, reason=reason,
                          actor_is_coordinator=True, actor_agency_id=user.agency_id, source=client_ip(request))
    today = await records_service.agency_today(db, report.agency_id)
    result = records_service.validate_record_form(values, credits, today, topics)
    errors = result if isinstance(result, dict) else {}
    if problem := _reason_problem(reason):
        errors["reason"] = problem
    if action != ResolveAction.CORRECT:
        errors["form"] = "Choose to correct the record or to decline the report."
    if errors or isinstance(result, dict):
        return Invalid("; ".join(errors.values()), FormAgain(errors, values, credits, {"correct": reason}))
    corrected, corrected_credits = service.form_strings(result)
    return Resolution(actor_id=user.person_id, action=ResolveAction.CORRECT, reason=reason,
                      actor_is_coordinator=True, actor_agency_id=user.agency_id, values=corrected,
                      credits=corrected_credits, source=client_ip(request))


async def _form_again(request: Request, db: AsyncSession, report: RecordErrorReport, form: FormAgain) -> Template:
    return await _detail_page(request, db, report, errors=form.errors, values=form.values, credits=form.credits,
                              reasons=form.reasons)


def _refused_resolution(message: str, resolution: Resolution, report: RecordErrorReport) -> FormAgain:
    """The form shown again after the workflow refused: what was typed, and why."""
    if report.status != ReportStatus.OPEN:
        return FormAgain({"closed": message})
    key = "decline" if resolution.action == ResolveAction.DECLINE else "correct"
    return FormAgain({f"{key}_refused": message}, resolution.values,
                     resolution.credits if resolution.values else None, {key: resolution.reason})


@post("/records/reports/{report_id:int}/resolve", status_code=200)
async def resolve_report(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                         report_id: FromPath[int]) -> Template | Redirect | Response:
    result = await perform(db, temporal, Actor(current_user(request), client_ip(request)), service.RESOLVE_REPORT,
                           report_id, lambda report: _resolution(request, db, report))
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    if result.status is ActionStatus.INVALID:
        return await _form_again(request, db, result.subject, result.form)
    if result.status is ActionStatus.DECLINED:
        assert result.message is not None
        return await _form_again(request, db, result.subject,
                                 _refused_resolution(result.message, result.form, result.subject))
    return Redirect(f"/records/reports/{report_id}?done={result.answer}", status_code=303)


@post("/records/reports/{report_id:int}/withdraw", status_code=200)
async def withdraw_report(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                          report_id: FromPath[int]) -> Template | Redirect | Response:
    user = current_user(request)

    async def read_withdrawal(report: RecordErrorReport) -> Withdrawal | Invalid:
        if report.status != ReportStatus.OPEN:
            return Invalid(ALREADY_CLOSED, FormAgain({"closed": ALREADY_CLOSED}))
        assert user.person_id is not None  # only the reporting officer gets this far
        return Withdrawal(actor_id=user.person_id, source=client_ip(request))

    result = await perform(db, temporal, Actor(user, client_ip(request)), service.WITHDRAW_REPORT, report_id,
                           read_withdrawal)
    if result.refused or result.subject is None:
        return refusal_response(request, result)
    if result.status is ActionStatus.INVALID:
        return await _form_again(request, db, result.subject, result.form)
    if result.status is ActionStatus.DECLINED:
        return await _detail_page(request, db, result.subject, errors={"withdraw_refused": result.message or ""})
    return Redirect(f"/records/reports/{report_id}?done={result.answer}", status_code=303)


@get("/records/reports/{report_id:int}/attachment")
async def report_attachment(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
                            report_id: FromPath[int]) -> Response:
    report = await _viewable(request, db, report_id, "record_report.download")
    if not report.attachment_key or not report.attachment_content_type:
        raise NotFoundException()
    try:
        data = await store_from_settings(settings).get(report.attachment_key)
    except ObjectNotFound:
        log.error("record report %s: stored file %s is missing", report.id, report.attachment_key)
        return error_page(404, "The attachment of this report is missing. Ask an administrator for help.")
    except StorageError:
        return error_page(503, "The file cannot be read right now. Please try again in a few minutes.")
    audit(request, db, "record_report.download", report.id, AuditOutcome.SUCCESS)
    await db.commit()
    headers = download_headers(report.attachment_name or "attachment", report.attachment_content_type)
    return Response(data, headers=headers, media_type=report.attachment_content_type)


ROUTES = [my_reports, new_report_form, file_report, review_queue, report_detail, resolve_report, withdraw_report,
          report_attachment]

"""Certificates: officers upload proof of training; coordinators review it in a queue.

`/certificates...` is the officer's own; `/certificates/review` is the coordinators' queue. Files are
served only to people services.access allows; refusals answer 404 (ids reveal nothing) and are
audited, as is every upload, download and decision.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import (
    AuditOutcome,
    CertificateStatus,
    CertificateSubmission,
    CertificateVersion,
    OutboxMessage,
    Person,
    RequestStatus,
    TrainingRequest,
)
from portal.errors import error_page
from portal.layout import client_ip, current_user, page
from portal.uploads import UPLOAD_BODY
from services import certificates as service
from services import training_records as records_service
from services import training_requests as requests_service
from services.access import can_view_certificate
from services.agency_topics import agency_topics
from services.audit import record_audit
from services.likely_duplicates import records_like_each
from services.training_request_actions import tell_certificate_uploaded
from services.workflow_starts import dispatch_one
from services.workflow_updates import WorkflowRefusal
from settings import Settings
from storage import ObjectNotFound, StorageError, store_from_settings
from storage.prefill import TooComplexToRead
from storage.serving import download_headers
from storage.uploads import TRY_AGAIN
from storage.validation import InspectedFile
from workflows.certificate_review_types import NewVersion

log = logging.getLogger(__name__)
PREFILLED = "We filled in the details we could read from your PDF. Check them, then choose the file again."
ALREADY_LINKED = "You have already uploaded a certificate for this training; see My certificates for its review."


def audit(request: Request, db: AsyncSession, action: str, object_id: int, outcome: AuditOutcome,
          detail: dict[str, Any] | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, "certificate_submission", object_id, outcome,
                 client_ip(request), user.agency_id, detail)


# --- Officer: list and upload ----------------------------------------------------------------------------


def _officer(request: Request) -> int:
    person_id = current_user(request).person_id
    if person_id is None:
        raise NotFoundException()
    return person_id


@get("/certificates")
async def my_certificates(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    officer_id = _officer(request)
    submissions = await service.officer_submissions(db, officer_id)
    waiting = [s for s in submissions if s.status == CertificateStatus.AWAITING_REVIEW]
    on_record = await records_like_each(db, [(s.id, service.course_facts(officer_id, s.versions[-1])) for s in waiting])
    return await page(request, db, "certificates/list.html", submissions=submissions, on_record=on_record,
                      earlier_upload=service.earlier_upload_by, officer_id=officer_id, amount=service.amount,
                      uploaded=request.query_params.get("uploaded"))


async def _form_page(request: Request, db: AsyncSession, *, action: str, values: dict[str, str],
                     credits: dict[str, str], errors: dict[str, str], status_code: int = 200,
                     submission: CertificateSubmission | None = None, note: str | None = None,
                     training_request: TrainingRequest | None = None) -> Template:
    user = current_user(request)
    settings: Settings = request.app.state.settings
    return await page(
        request, db, "certificates/form.html", status_code=status_code, action=action, values=values,
        credits=credits, errors=errors, submission=submission, note=note, training_request=training_request,
        topics=await agency_topics(db, user.agency_id),
        today=(await records_service.agency_today(db, user.agency_id)).isoformat(),
        max_size=f"{settings.max_upload_mb} MB",
    )


async def _read(request: Request, db: AsyncSession) -> tuple[dict[str, str], dict[str, str], bytes, str]:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in records_service.RECORD_FIELDS}
    credits = (await agency_topics(db, current_user(request).agency_id)).credits_from(form)
    file = form.get("certificate")
    if isinstance(file, UploadFile):
        return values, credits, await file.read(), file.filename or ""
    return values, credits, b"", ""


async def _checked_upload(request: Request, db: AsyncSession, action: str, object_id: int,
                          training_request: TrainingRequest | None = None,
                          ) -> tuple[InspectedFile, bytes, records_service.RecordForm] | Template:
    """The accepted file and claims, or the form again with what to fix (nothing is stored)."""
    settings: Settings = request.app.state.settings
    values, credits, data, file_name = await _read(request, db)
    upload = await service.inspect(data, file_name, settings.max_upload_bytes)
    if not isinstance(upload, InspectedFile):
        audit(request, db, "certificate.upload", object_id, AuditOutcome.DENIED, {"reason": upload.reason})
        await db.commit()
        return await _form_page(request, db, action=action, values=values, credits=credits,
                                errors={"certificate": upload.message}, status_code=upload.http_status,
                                training_request=training_request)
    today = await records_service.agency_today(db, current_user(request).agency_id)
    form = records_service.validate_record_form(values, credits, today,
                                                await agency_topics(db, current_user(request).agency_id))
    if isinstance(form, dict):
        note = None
        if upload.content_type == "application/pdf":
            try:
                filled = await service.prefill(data, values)
                note, values = (PREFILLED if filled != values else None), filled
            except TooComplexToRead as refusal:
                note = refusal.message
        form["certificate"] = "Choose the certificate file again."
        return await _form_page(request, db, action=action, values=values, credits=credits, errors=form, note=note,
                                training_request=training_request)
    return upload, data, form


async def _request_to_link(request: Request, db: AsyncSession, officer_id: int) -> TrainingRequest | None:
    """The training request named by `?request=`, when the certificate completes the officer's own approved one.

    Someone else's request (or none with that id) is a 404, audited; the officer's own request that
    is not approved is ignored: the certificate is then uploaded on its own.
    """
    raw = request.query_params.get("request") or ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return None
    training_request = await requests_service.load_request(db, current_user(request).agency_id, int(raw))
    if training_request is None or training_request.officer_id != officer_id:
        audit(request, db, "certificate.link_request", 0, AuditOutcome.DENIED, {"training_request_id": int(raw)})
        await db.commit()
        raise NotFoundException()
    return training_request if training_request.status == RequestStatus.APPROVED else None


def _from_request(training_request: TrainingRequest) -> dict[str, str]:
    return {"course_title": training_request.title, "provider": training_request.provider,
            "started_on": training_request.start_date.isoformat(),
            "completed_on": training_request.end_date.isoformat(), "hours": service.amount(training_request.hours)}


def _new_action(training_request: TrainingRequest | None) -> str:
    return f"/certificates/new?request={training_request.id}" if training_request else "/certificates/new"


READ_NOTHING = "We could not read any details from this file; please fill them in."
READ_FILLED = "We filled in the details we could read from your PDF: please check them against the certificate."


@post("/certificates/read-details", status_code=200, opt=UPLOAD_BODY)
async def read_certificate_details(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    """The details fields again, with the empty ones filled from the chosen PDF's text (htmx, on
    choosing the file). Nothing is stored; the file is sent again with the form itself."""
    _officer(request)
    settings: Settings = request.app.state.settings
    values, credits, data, file_name = await _read(request, db)
    upload = await service.inspect(data, file_name, settings.max_upload_bytes)
    if not isinstance(upload, InspectedFile):
        note = upload.message
    elif upload.content_type != "application/pdf":
        note = None  # a photo of a certificate: nothing to read
    else:
        try:
            filled = await service.prefill(data, values)
            note, values = (READ_FILLED if filled != values else READ_NOTHING), filled
        except TooComplexToRead as refusal:  # bounded reading gave up: the officer types the details
            note = refusal.message
    user = current_user(request)
    return Template(template_name="certificates/_details.html", context={
        "values": values, "credits": credits, "errors": {}, "details_note": note,
        "topics": await agency_topics(db, user.agency_id),
        "today": (await records_service.agency_today(db, user.agency_id)).isoformat(),
    })


@get("/certificates/new")
async def new_certificate_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    linked = await _request_to_link(request, db, _officer(request))
    if linked is not None and await service.linked_submission(db, linked.id) is not None:
        return error_page(409, ALREADY_LINKED)
    return await _form_page(request, db, action=_new_action(linked), values=_from_request(linked) if linked else {},
                            credits={}, errors={}, training_request=linked)


@post("/certificates/new", status_code=200, opt=UPLOAD_BODY)
async def upload_certificate(
    request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    officer = await db.get_one(Person, _officer(request))
    linked = await _request_to_link(request, db, officer.id)
    if linked is not None and await service.linked_submission(db, linked.id) is not None:
        return error_page(409, ALREADY_LINKED)
    action = _new_action(linked)
    checked = await _checked_upload(request, db, action, 0, training_request=linked)
    if isinstance(checked, Template):
        return checked
    upload, data, form = checked
    try:
        submission = await service.submit_certificate(db, store_from_settings(settings), officer, upload, data,
                                                      form, settings.workflow_id_prefix,
                                                      training_request_id=linked.id if linked else None)
    except Exception:  # storage or database down: nothing was kept
        log.exception("certificate upload failed")
        await db.rollback()
        return await _form_page(request, db, action=action, values={}, credits={}, training_request=linked,
                                errors={"certificate": TRY_AGAIN}, status_code=503)
    version = submission.versions[0]
    audit(request, db, "certificate.upload", submission.id, AuditOutcome.SUCCESS,
          {"version": 1, "sha256": upload.sha256, "size": upload.size, "content_type": upload.content_type,
           "duplicate_of": version.duplicate_of_id, "training_request_id": submission.training_request_id})
    await db.commit()
    message_id = await _outbox_id(db, submission)
    if message_id is not None:
        await dispatch_one(request.app.state.session_factory, temporal, message_id, settings.task_queue)
    if linked is not None:
        await tell_certificate_uploaded(temporal, linked, submission.id)
    return Redirect(f"/certificates?uploaded={submission.id}", status_code=303)


async def _outbox_id(db: AsyncSession, submission: CertificateSubmission) -> int | None:
    return await db.scalar(select(OutboxMessage.id).where(OutboxMessage.workflow_id == submission.workflow_id))


async def _own_rejected(request: Request, db: AsyncSession, submission_id: int) -> CertificateSubmission:
    submission = await service.load_submission(db, submission_id)
    if submission is None or submission.officer_id != current_user(request).person_id:
        audit(request, db, "certificate.new_version", submission_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return submission


@get("/certificates/{submission_id:int}/versions/new")
async def new_version_form(request: Request, db: NamedDependency[AsyncSession], submission_id: FromPath[int]
                           ) -> Template:
    submission = await _own_rejected(request, db, submission_id)
    if submission.status != CertificateStatus.REJECTED:
        return error_page(409, "This certificate is not waiting for a corrected version.")
    latest = submission.versions[-1]
    values = {"course_title": latest.course_title, "provider": latest.provider,
              "course_number": latest.course_number or "", "completed_on": latest.completed_on.isoformat(),
              "started_on": latest.started_on.isoformat() if latest.started_on else "",
              "hours": service.amount(latest.hours)}
    return await _form_page(request, db, action=f"/certificates/{submission.id}/versions/new", values=values,
                            credits=service.claimed_credits(latest), errors={}, submission=submission)


@post("/certificates/{submission_id:int}/versions/new", status_code=200, opt=UPLOAD_BODY)
async def upload_new_version(
    request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
    settings: NamedDependency[Settings], submission_id: FromPath[int],
) -> Template | Redirect:
    submission = await _own_rejected(request, db, submission_id)
    action = f"/certificates/{submission.id}/versions/new"
    checked = await _checked_upload(request, db, action, submission.id)
    if isinstance(checked, Template):
        return checked
    upload, data, form = checked
    user = current_user(request)
    assert user.person_id is not None
    number = submission.current_version + 1
    try:
        await service.submit_new_version(db, store_from_settings(settings), temporal, submission, upload, data,
                                         form, NewVersion(actor_id=user.person_id, version=number,
                                                          source=client_ip(request)))
    except (WorkflowRefusal, StorageError) as error:
        await db.rollback()
        message = str(error) if isinstance(error, WorkflowRefusal) else TRY_AGAIN
        audit(request, db, "certificate.upload", submission.id, AuditOutcome.FAILURE,
              {"version": number, "reason": message})
        await db.commit()
        return await _form_page(request, db, action=action, values={}, credits={}, submission=submission,
                                errors={"certificate": f"{message} Nothing was kept; please try again."},
                                status_code=503 if isinstance(error, StorageError) else 409)
    audit(request, db, "certificate.upload", submission.id, AuditOutcome.SUCCESS,
          {"version": number, "sha256": upload.sha256, "size": upload.size, "content_type": upload.content_type})
    await db.commit()
    return Redirect(f"/certificates?uploaded={submission.id}", status_code=303)


# --- The file ---------------------------------------------------------------------------------------------


@get("/certificates/{submission_id:int}/file")
async def certificate_file(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
                           submission_id: FromPath[int]) -> Response:
    user = current_user(request)
    submission = await service.load_submission(db, submission_id)
    try:
        number = int(request.query_params.get("version") or 0)
    except ValueError:
        number = 0
    version = next((v for v in submission.versions if v.version == number), None) if submission else None
    allowed = submission is not None and await can_view_certificate(db, user, submission.agency_id,
                                                                    submission.officer_id)
    if submission is None or version is None or not allowed:
        audit(request, db, "certificate.download", submission_id, AuditOutcome.DENIED, {"version": number})
        await db.commit()
        raise NotFoundException()
    download = request.query_params.get("download") == "1"
    try:
        data = await store_from_settings(settings).get(version.object_key)
    except ObjectNotFound:
        log.error("certificate %s version %s: stored file %s is missing", submission.id, number, version.object_key)
        return error_page(404, "The file of this certificate is missing. Ask an administrator for help.")
    except StorageError:
        return error_page(503, "The file cannot be read right now. Please try again in a few minutes.")
    audit(request, db, "certificate.download", submission.id, AuditOutcome.SUCCESS,
          {"version": number, "disposition": "attachment" if download else "inline"})
    await db.commit()
    return Response(data, headers=file_headers(version, download), media_type=version.content_type)


def file_headers(version: CertificateVersion, download: bool) -> dict[str, str]:
    """Always nosniff and a sandboxing CSP; inline for viewing in the browser, attachment to download."""
    headers = download_headers(version.display_name, version.content_type)
    if not download:
        headers["Content-Disposition"] = headers["Content-Disposition"].replace("attachment", "inline", 1)
    return headers


ROUTES = [my_certificates, new_certificate_form, read_certificate_details, upload_certificate, new_version_form,
          upload_new_version, certificate_file]

"""Certificate submissions: storing an upload with its claims, listing them, sending review inputs.

The portal calls these; so could a CLI or an import job. Files are judged by content
(storage.validation), stored before the row that points at them (storage.uploads), and the review
workflow is started through the outbox in the same transaction as the submission.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from temporalio.client import Client

from compliance.wording import format_amount
from models import (
    CertificateCredit,
    CertificateSubmission,
    CertificateVersion,
    OutboxMessage,
    Person,
    Task,
    TaskKind,
    TaskStatus,
    TrainingRecord,
    TrainingRequest,
    certificate_review_workflow_id,
)
from services.access import CurrentUser, can_review_certificate
from services.likely_duplicates import CourseFacts, records_like, records_like_each
from services.training_records import MAX_HOURS, QUEUE_PAGE_SIZE, Page, RecordForm, paginate
from services.workflow_actions import Denied, WorkflowAction
from services.workflow_starts import START_CERTIFICATE_REVIEW
from services.workflow_updates import WorkflowRefusal, send_update
from storage import CertificateStore
from storage.prefill import prefill_from_pdf
from storage.uploads import stored_upload
from storage.validation import InspectedFile, UploadRefusal, inspect_upload
from workflows.certificate_review_types import UPDATE_DECIDE, UPDATE_NEW_VERSION, NewVersion, ReviewDecision

NO_LONGER_PENDING = "This certificate is no longer waiting for that."


async def inspect(data: bytes, file_name: str, max_bytes: int) -> InspectedFile | UploadRefusal:
    # Parsing a large PDF takes a moment: keep it off the event loop.
    return await asyncio.to_thread(inspect_upload, data, file_name, max_bytes)


async def prefill(data: bytes, values: dict[str, str]) -> dict[str, str]:
    """`values` with the empty fields filled from the PDF's text, where it has any.

    Raises `storage.prefill.TooComplexToRead` when the PDF is too large or complex to read: its message
    asks the officer to fill the details in."""
    facts = await asyncio.to_thread(prefill_from_pdf, data)
    found = {
        "course_title": facts.course_title,
        "provider": facts.provider,
        "course_number": facts.course_number,
        "completed_on": facts.completed_on.isoformat() if facts.completed_on else None,
        "hours": format_amount(facts.hours) if facts.hours is not None and facts.hours_unit == "hours" else None,
    }
    return {**values, **{key: value for key, value in found.items() if value and not values.get(key)}}


async def find_duplicate(session: AsyncSession, agency_id: int, sha256: str) -> CertificateVersion | None:
    """The earliest upload of this very file in the agency, by anyone."""
    return await session.scalar(
        select(CertificateVersion)
        .join(CertificateSubmission)
        .where(CertificateSubmission.agency_id == agency_id, CertificateVersion.sha256 == sha256)
        .order_by(CertificateVersion.id)
        .limit(1)
    )


def _version(number: int, upload: InspectedFile, key: str, form: RecordForm,
             duplicate: CertificateVersion | None) -> CertificateVersion:
    return CertificateVersion(
        version=number, object_key=key, content_type=upload.content_type, size=upload.size, sha256=upload.sha256,
        display_name=upload.display_name, page_count=upload.page_count,
        duplicate_of_id=duplicate.id if duplicate else None,
        course_title=form.course_title, provider=form.provider, course_number=form.course_number,
        started_on=form.started_on, completed_on=form.completed_on, hours=form.hours,
        credits=[CertificateCredit(topic_code=code, credits=amount) for code, amount in sorted(form.credits.items())],
    )


async def submit_certificate(session: AsyncSession, store: CertificateStore, officer: Person, upload: InspectedFile,
                             data: bytes, form: RecordForm, workflow_id_prefix: str,
                             training_request_id: int | None = None) -> CertificateSubmission:
    """Store the file, then commit the submission with its first version and its workflow's outbox row.

    `training_request_id`: the officer's approved request this certificate completes (see
    `linkable_request`). A failure at any step leaves nothing behind (the file is deleted again)
    and propagates.
    """
    duplicate = await find_duplicate(session, officer.agency_id, upload.sha256)
    async with stored_upload(store, upload, data) as key:
        submission = CertificateSubmission(agency_id=officer.agency_id, officer_id=officer.id, current_version=1,
                                           training_request_id=training_request_id,
                                           versions=[_version(1, upload, key, form, duplicate)])
        session.add(submission)
        await session.flush()
        submission.workflow_id = certificate_review_workflow_id(submission.id, workflow_id_prefix)
        session.add(OutboxMessage(kind=START_CERTIFICATE_REVIEW, workflow_id=submission.workflow_id,
                                  payload={"submission_id": submission.id}))
        await session.commit()
    return submission


async def submit_new_version(session: AsyncSession, store: CertificateStore, client: Client,
                             submission: CertificateSubmission, upload: InspectedFile, data: bytes,
                             form: RecordForm, new_version: NewVersion) -> CertificateVersion:
    """Store the corrected file and its row, then hand it to the workflow.

    If the workflow refuses or cannot be reached, the row and the file are removed again and
    `WorkflowRefusal` says why: the officer tries again, nothing half-done is left.
    """
    duplicate = await find_duplicate(session, submission.agency_id, upload.sha256)
    async with stored_upload(store, upload, data) as key:
        version = _version(new_version.version, upload, key, form, duplicate)
        version.submission_id = submission.id
        session.add(version)
        submission.current_version = new_version.version
        await session.commit()
        try:
            await _update(client, submission.workflow_id, UPDATE_NEW_VERSION, new_version,
                          f"certificate-version:{submission.id}:{new_version.version}")
        except WorkflowRefusal:
            await session.rollback()
            await session.delete(await session.get_one(CertificateVersion, version.id))
            fresh = await session.get_one(CertificateSubmission, submission.id)
            fresh.current_version = new_version.version - 1
            await session.commit()
            raise
    return version


async def decide(client: Client, workflow_id: str, task_id: int, decision: ReviewDecision) -> str:
    return await _update(client, workflow_id, UPDATE_DECIDE, decision, f"certificate-decision:{task_id}")


async def _update(client: Client, workflow_id: str | None, name: str, arg: object, update_id: str) -> str:
    return await send_update(client, workflow_id, name, arg, update_id=update_id, not_running=NO_LONGER_PENDING)


# --- Reading ----------------------------------------------------------------------------------------


def _with_versions():  # type: ignore[no-untyped-def]
    return (
        selectinload(CertificateSubmission.versions).selectinload(CertificateVersion.credits),
        selectinload(CertificateSubmission.versions).selectinload(CertificateVersion.reviewed_by),
        selectinload(CertificateSubmission.versions).selectinload(CertificateVersion.duplicate_of)
        .selectinload(CertificateVersion.submission).selectinload(CertificateSubmission.officer),
        selectinload(CertificateSubmission.officer),
        selectinload(CertificateSubmission.training_request),
    )


async def load_submission(session: AsyncSession, submission_id: int) -> CertificateSubmission | None:
    return await session.scalar(
        select(CertificateSubmission).where(CertificateSubmission.id == submission_id).options(*_with_versions())
    )


async def officer_submissions(session: AsyncSession, officer_id: int) -> list[CertificateSubmission]:
    rows = await session.scalars(
        select(CertificateSubmission)
        .where(CertificateSubmission.officer_id == officer_id)
        .order_by(CertificateSubmission.created_at.desc(), CertificateSubmission.id.desc())
        .options(*_with_versions())
    )
    return list(rows)


@dataclass
class ReviewRow:
    task: Task
    submission: CertificateSubmission
    # Training already on the officer's record that this certificate very likely repeats.
    on_record: list[TrainingRecord] = field(default_factory=list)

    @property
    def version(self) -> CertificateVersion:
        return self.submission.versions[-1]

    @property
    def training_request(self) -> TrainingRequest | None:
        """The approved training request the certificate completes, if it was uploaded for one."""
        return self.submission.training_request


async def linked_submission(session: AsyncSession, request_id: int) -> CertificateSubmission | None:
    """The certificate uploaded for this training request, if any (the first, should there be several)."""
    return await session.scalar(
        select(CertificateSubmission).where(CertificateSubmission.training_request_id == request_id)
        .order_by(CertificateSubmission.id).limit(1)
    )


async def review_row(session: AsyncSession, agency_id: int, task_id: int) -> ReviewRow | None:
    """The agency's review task with its certificate; another agency's id finds nothing."""
    task = await session.get(Task, task_id, populate_existing=True)
    if task is None or task.kind != TaskKind.REVIEW_CERTIFICATE or task.agency_id != agency_id:
        return None
    submission = await load_submission(session, task.subject_id)
    if submission is None:
        return None
    row = ReviewRow(task, submission)
    row.on_record = await records_like(session, course_facts(submission.officer_id, row.version))
    return row


async def review_queue(session: AsyncSession, agency_id: int, page: int = 1) -> Page[ReviewRow]:
    """One page of the agency's open reviews, oldest first, in a fixed number of queries whatever the queue's length."""
    tasks_stmt, total, page = await paginate(session, (
        select(Task)
        .join(CertificateSubmission, CertificateSubmission.id == Task.subject_id)
        .where(Task.agency_id == agency_id, Task.kind == TaskKind.REVIEW_CERTIFICATE, Task.status == TaskStatus.OPEN)
        .order_by(Task.created_at, Task.id)
    ), page, QUEUE_PAGE_SIZE)
    tasks = list(await session.scalars(tasks_stmt))
    submissions = {
        submission.id: submission
        for submission in await session.scalars(
            select(CertificateSubmission)
            .where(CertificateSubmission.id.in_([task.subject_id for task in tasks]))
            .options(*_with_versions())
        )
    }
    rows = [ReviewRow(task, submissions[task.subject_id]) for task in tasks if task.subject_id in submissions]
    on_record = await records_like_each(
        session, [(row.task.id, course_facts(row.submission.officer_id, row.version)) for row in rows])
    for row in rows:
        row.on_record = on_record.get(row.task.id, [])
    return Page(rows=rows, total=total, page=page, size=QUEUE_PAGE_SIZE)


def course_facts(officer_id: int, version: CertificateVersion) -> CourseFacts:
    return CourseFacts(officer_id=officer_id, course_title=version.course_title, course_number=version.course_number,
                       completed_on=version.completed_on, hours=version.hours)


def earlier_upload_by(version: CertificateVersion, officer_id: int) -> datetime | None:
    """When the officer uploaded this same file before (their own uploads only), for their page."""
    earlier = version.duplicate_of
    if earlier is None or earlier.submission.officer_id != officer_id:
        return None
    return earlier.uploaded_at


def claimed_credits(version: CertificateVersion) -> dict[str, str]:
    return {credit.topic_code: format_amount(credit.credits) for credit in version.credits}


def credit_problem(hours: str, credits: dict[str, str]) -> str | None:
    """What is wrong with a coordinator's credited hours and topic credits, if anything."""
    try:
        total, parts = Decimal(hours), [Decimal(value) for value in credits.values()]
    except InvalidOperation:
        return "Enter hours and credits as numbers, e.g. 4 or 1.5."
    if not total.is_finite() or not 0 < total <= MAX_HOURS:
        return f"Credited hours must be more than 0 and at most {MAX_HOURS}."
    if any(not part.is_finite() or part < 0 for part in parts):
        return "Topic credits cannot be negative."
    if sum(parts, Decimal(0)) > total:
        return "The topic credits add up to more than the credited hours."
    return None


def amount(value: Decimal | None) -> str:
    return "" if value is None else format_amount(value)


# --- The coordinator's decision, for services.workflow_actions.perform ------------------------------------


async def _may_review(_db: AsyncSession, user: CurrentUser, row: ReviewRow) -> Denied | None:
    reason = can_review_certificate(user, row.submission.agency_id, row.submission.officer_id)
    return None if reason is None else Denied(reason)


async def _send_decision(client: Client, row: ReviewRow, decision: ReviewDecision) -> str:
    return await decide(client, row.task.workflow_id, row.task.id, decision)


DECIDE_REVIEW = WorkflowAction[ReviewRow, ReviewDecision](
    audit_action="certificate.decide", object_type="certificate_submission", key_name="task_id",
    load=review_row, audited_id=lambda row: row.submission.id, permission=_may_review, send=_send_decision,
    describe=lambda decision: {"action": decision.action.value, "credited_hours": decision.credited_hours},
)

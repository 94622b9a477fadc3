"""Errors officers report in their training records: filing a report, reading reports, sending inputs.

The portal calls these; so could a CLI. A report and its workflow's outbox row commit together; an
optional attachment is judged by content (storage.validation) and stored before the row that points
at it (storage.uploads). Resolving and withdrawing are Updates to the report's workflow, which writes
the outcome (activities/record_reports.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import Exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload
from temporalio.client import Client

from compliance.wording import format_amount
from models import (
    OutboxMessage,
    Person,
    RecordErrorReport,
    RecordReportEvent,
    ReportKind,
    ReportStatus,
    TrainingRecord,
    record_report_workflow_id,
)
from services.access import CurrentUser, can_resolve_record_report, can_view_record_report, can_withdraw_record_report
from services.form_text import control_character_problem, parse_date
from services.training_records import (
    MAX_HOURS,
    QUEUE_PAGE_SIZE,
    REASON_LIMIT,
    Page,
    RecordForm,
    form_values,
    paginate,
)
from services.workflow_actions import Denied, WorkflowAction
from services.workflow_starts import START_RECORD_REPORT
from services.workflow_updates import send_update
from storage import CertificateStore
from storage.uploads import stored_upload
from storage.validation import InspectedFile
from workflows.record_report_types import UPDATE_RESOLVE, UPDATE_WITHDRAW, Resolution, Withdrawal

DESCRIPTION_LIMIT = 2000
# What an officer may tell about a missing course, to help the coordinator add it.
COURSE_DETAILS = {"course_title": "Course title", "provider": "Provider", "completed_on": "Completed on",
                  "hours": "Hours"}
DETAILS_HEADING = "Course details given by the officer:"
STATUS_LABELS = {
    ReportStatus.OPEN: "Open: waiting for a training coordinator",
    ReportStatus.CORRECTED: "Corrected",
    ReportStatus.DECLINED: "Declined: the record stands",
    ReportStatus.WITHDRAWN: "Withdrawn",
}
EVENT_LABELS = {
    "reported": "Sent to the training coordinators",
    "reminded": "Coordinators reminded",
    "escalated": "Overdue: administrators told",
    "corrected": "Corrected",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
NOT_STARTED = "This report is still being set up. Please try again in a minute."
NO_LONGER_OPEN = "This report is no longer open."


# --- Filing a report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDraft:
    """A validated report form."""

    kind: ReportKind
    record_id: int | None
    description: str  # the officer's text, with any course details appended (see compose_description)


def compose_description(text: str, details: Mapping[str, str]) -> str:
    """The officer's text, then the course details they gave (there are no columns of their own)."""
    given = [f"{COURSE_DETAILS[key]}: {value}" for key, value in details.items() if value]
    return "\n\n".join([text, "\n".join([DETAILS_HEADING, *given])]) if given else text


def course_details(description: str) -> dict[str, str]:
    """The course details `compose_description` appended, as form values (to prefill a correction)."""
    _, heading, block = description.rpartition(DETAILS_HEADING)
    if not heading:
        return {}
    labels = {label: key for key, label in COURSE_DETAILS.items()}
    found = (line.partition(": ") for line in block.strip().splitlines())
    return {labels[label]: value for label, _, value in found if label in labels}


def _detail_problems(details: Mapping[str, str], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in ("course_title", "provider"):
        if len(details[key]) > 200:
            errors[key] = "Use at most 200 characters."
        elif problem := control_character_problem(details[key]):
            errors[key] = problem
    completed = parse_date(details["completed_on"])
    if details["completed_on"] and (completed is None or completed > today):
        errors["completed_on"] = "Enter the completion date as a date (YYYY-MM-DD), not in the future."
    if details["hours"]:
        try:
            hours = Decimal(details["hours"])
        except InvalidOperation:
            hours = Decimal("NaN")
        if not hours.is_finite() or not 0 < hours <= MAX_HOURS:
            errors["hours"] = f"Enter the hours as a number more than 0 and at most {MAX_HOURS}."
    return errors


async def validate_report(session: AsyncSession, officer: Person, values: Mapping[str, str], today: date
                          ) -> ReportDraft | dict[str, str]:
    """The report, or a message per bad field. Only the officer's own records can be reported."""
    errors: dict[str, str] = {}
    try:
        kind = ReportKind(values.get("kind", ""))
    except ValueError:
        kind = None
        errors["kind"] = "Choose what is wrong."
    record_id = None
    if kind is not None and kind.needs_record:
        raw = values.get("record", "").strip()
        record_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        owned = record_id is not None and await session.scalar(
            select(TrainingRecord.id).where(TrainingRecord.id == record_id, TrainingRecord.officer_id == officer.id))
        if not owned:
            errors["record"] = "Choose the record that is wrong."
    text = values.get("description", "").strip()
    if not text:
        errors["description"] = "Describe what is wrong, so the coordinator can correct it."
    elif len(text) > DESCRIPTION_LIMIT:
        errors["description"] = f"Use at most {DESCRIPTION_LIMIT} characters."
    elif problem := control_character_problem(text, multiline=True):
        errors["description"] = problem
    details = {key: values.get(key, "").strip() for key in COURSE_DETAILS} if kind is ReportKind.MISSING_COURSE \
        else dict.fromkeys(COURSE_DETAILS, "")
    errors |= _detail_problems(details, today)
    if errors or kind is None:
        return errors
    return ReportDraft(kind, record_id, compose_description(text, details))


async def file_report(session: AsyncSession, store: CertificateStore, officer: Person, draft: ReportDraft,
                      attachment: tuple[InspectedFile, bytes] | None, workflow_id_prefix: str
                      ) -> tuple[RecordErrorReport, OutboxMessage]:
    """Store the attachment (if any), then commit the report with its workflow's outbox row.

    A failure at any step leaves nothing behind (the file is deleted again) and propagates.
    """
    report = RecordErrorReport(agency_id=officer.agency_id, officer_id=officer.id, record_id=draft.record_id,
                               kind=draft.kind.value, description=draft.description, status=ReportStatus.OPEN)
    async with AsyncExitStack() as stored:
        if attachment is not None:
            upload, data = attachment
            report.attachment_key = await stored.enter_async_context(stored_upload(store, upload, data))
            report.attachment_content_type, report.attachment_size = upload.content_type, upload.size
            report.attachment_sha256, report.attachment_name = upload.sha256, upload.display_name
        session.add(report)
        await session.flush()
        report.workflow_id = record_report_workflow_id(report.id, workflow_id_prefix)
        message = OutboxMessage(kind=START_RECORD_REPORT, workflow_id=report.workflow_id,
                                payload={"report_id": report.id})
        session.add(message)
        await session.commit()
    return report, message


# --- Resolving and withdrawing (Updates to the workflow) --------------------------------------------


def reason_problem(reason: str) -> str | None:
    """What is wrong with a resolution's reason (too long, control characters); the portal and the
    activity both check it. Whether one is required is the caller's rule."""
    if len(reason) > REASON_LIMIT:
        return f"Use at most {REASON_LIMIT} characters."
    return control_character_problem(reason, multiline=True)


def form_strings(form: RecordForm) -> tuple[dict[str, str], dict[str, str]]:
    """A validated record form as the plain strings an Update carries (the activity validates again)."""
    values = {
        "course_title": form.course_title, "provider": form.provider, "course_number": form.course_number or "",
        "started_on": form.started_on.isoformat() if form.started_on else "",
        "completed_on": form.completed_on.isoformat(), "hours": format_amount(form.hours),
    }
    return values, {code: format_amount(amount) for code, amount in sorted(form.credits.items())}


# Each input is an Update of its own (no fixed Update id): Temporal keeps a failed Update's outcome
# under its id, so a coordinator retrying after a refusal the activity made (not a validator's) would
# get the old failure back. A double click is safe all the same: the workflow writes one outcome at a
# time, and the second finds the report closed.


async def resolve(client: Client, report: RecordErrorReport, resolution: Resolution) -> str:
    return await _update(client, report.workflow_id, UPDATE_RESOLVE, resolution)


async def withdraw(client: Client, report: RecordErrorReport, withdrawal: Withdrawal) -> str:
    return await _update(client, report.workflow_id, UPDATE_WITHDRAW, withdrawal)


async def _update(client: Client, workflow_id: str | None, name: str, arg: object) -> str:
    return await send_update(client, workflow_id, name, arg, not_running=NOT_STARTED, closed=NO_LONGER_OPEN)


# --- Reading ----------------------------------------------------------------------------------------


async def load_report(session: AsyncSession, agency_id: int, report_id: int) -> RecordErrorReport | None:
    """The agency's report with its timeline; another agency's id finds nothing."""
    return await session.scalar(
        select(RecordErrorReport).where(RecordErrorReport.id == report_id, RecordErrorReport.agency_id == agency_id)
        .options(
            joinedload(RecordErrorReport.officer),
            joinedload(RecordErrorReport.record).selectinload(TrainingRecord.credits),
            joinedload(RecordErrorReport.result_record),
            joinedload(RecordErrorReport.resolved_by),
            selectinload(RecordErrorReport.events).joinedload(RecordReportEvent.actor),
        )
    )


async def officer_reports(session: AsyncSession, officer_id: int) -> list[RecordErrorReport]:
    """The officer's reports, newest first, with what the list shows (one query)."""
    rows = await session.scalars(
        select(RecordErrorReport).where(RecordErrorReport.officer_id == officer_id)
        .options(joinedload(RecordErrorReport.record), joinedload(RecordErrorReport.result_record),
                 joinedload(RecordErrorReport.resolved_by))
        .order_by(RecordErrorReport.created_at.desc(), RecordErrorReport.id.desc())
    )
    return list(rows)


@dataclass
class QueueRow:
    report: RecordErrorReport
    reminded: bool
    escalated: bool


def _has_event(kind: str) -> Exists:
    return (select(RecordReportEvent.id)
            .where(RecordReportEvent.report_id == RecordErrorReport.id, RecordReportEvent.kind == kind).exists())


async def review_queue(session: AsyncSession, agency_id: int, page: int = 1) -> Page[QueueRow]:
    """One page of the agency's open reports, oldest first, each marked when reminded or escalated."""
    stmt, total, page = await paginate(session, (
        select(RecordErrorReport, _has_event("reminded"), _has_event("escalated"))
        .where(RecordErrorReport.agency_id == agency_id, RecordErrorReport.status == ReportStatus.OPEN)
        .order_by(RecordErrorReport.created_at, RecordErrorReport.id)
    ), page, QUEUE_PAGE_SIZE)
    rows = await session.execute(
        stmt.options(joinedload(RecordErrorReport.officer), joinedload(RecordErrorReport.record))
    )
    return Page(rows=[QueueRow(report, bool(reminded), bool(escalated)) for report, reminded, escalated in rows],
                total=total, page=page, size=QUEUE_PAGE_SIZE)


async def own_records(session: AsyncSession, officer_id: int) -> list[tuple[int, str, date]]:
    """(id, course title, completed on) of each of the officer's records, newest first, for the picker."""
    rows = await session.execute(
        select(TrainingRecord.id, TrainingRecord.course_title, TrainingRecord.completed_on)
        .where(TrainingRecord.officer_id == officer_id)
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
    )
    return [(record_id, title, completed) for record_id, title, completed in rows]


def correction_values(report: RecordErrorReport) -> tuple[dict[str, str], dict[str, str]]:
    """The coordinator's correction form, prefilled: the record as it is, or what the officer gave."""
    if report.record is not None:
        return form_values(report.record)
    return course_details(report.description), {}


def subject_title(report: RecordErrorReport) -> str:
    """What the report is about, in a few words (lists, mail subjects)."""
    if report.record is not None:
        return report.record.course_title
    if report.result_record is not None:
        return report.result_record.course_title
    if ReportKind(report.kind).needs_record:
        return "a record that no longer exists"
    return course_details(report.description).get("course_title") or "a course"


# --- The actions on a report, for services.workflow_actions.perform ---------------------------------------

ONLY_THE_REPORTER = "Only the officer who reported it can withdraw this report."


async def _may_resolve(db: AsyncSession, user: CurrentUser, report: RecordErrorReport) -> Denied | None:
    # Someone who may not see the report is answered as if it did not exist.
    if not await can_view_record_report(db, user, report.officer):
        return Denied("may not see the report", hidden=True)
    reason = can_resolve_record_report(user, report.agency_id, report.officer_id)
    return None if reason is None else Denied(reason)


async def _may_withdraw(db: AsyncSession, user: CurrentUser, report: RecordErrorReport) -> Denied | None:
    if not await can_view_record_report(db, user, report.officer):
        return Denied("may not see the report", hidden=True)
    return None if can_withdraw_record_report(user, report.officer_id) else Denied(ONLY_THE_REPORTER)


RESOLVE_REPORT = WorkflowAction[RecordErrorReport, Resolution](
    audit_action="record_report.resolve", object_type="record_error_report", key_name="report_id",
    load=load_report, audited_id=lambda report: report.id, permission=_may_resolve, send=resolve,
    describe=lambda resolution: {"action": resolution.action.value},
)
WITHDRAW_REPORT = WorkflowAction[RecordErrorReport, Withdrawal](
    audit_action="record_report.withdraw", object_type="record_error_report", key_name="report_id",
    load=load_report, audited_id=lambda report: report.id, permission=_may_withdraw, send=withdraw,
)

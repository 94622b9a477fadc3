"""Database side of the record-report workflow: read the plan, record each step, close, notify.

Every write is keyed on (workflow id, step number), so an activity retried after a crash or a lost
response writes nothing twice: the closing step writes its event, the corrected or added record,
the audit rows and the report's outcome in one transaction, and a retry finds the event and stops.
Bad data (a correction that does not validate, a record deleted meanwhile) is refused with a
non-retryable error that the workflow turns into a refusal; the report stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.notifications import add_notification, admin_ids, coordinator_ids
from models import (
    Agency,
    Person,
    RecordErrorReport,
    RecordReportEvent,
    ReportKind,
    ReportStatus,
    Task,
    TaskKind,
    TaskQueue,
    TaskStatus,
    Topic,
    TrainingRecord,
    utcnow,
)
from models.notifications import SUBJECT_PREFIX, first_sentence
from services.audit import record_workflow_audit
from services.business_calendar import load_business_calendar
from services.licensing import tell_cycle_changed
from services.record_reports import reason_problem, subject_title
from services.training_records import (
    RecordForm,
    add_record,
    agency_today,
    correct_record,
    load_record,
    record_snapshot,
    validate_record_form,
)
from settings import Settings
from workflows.business_days import business_days_text
from workflows.record_report_types import ReportPlan
from workflows.refusals import REFUSED

SUBJECT_TYPE = "record_error_report"
RECORD_GONE = ("The reported record no longer exists, so it cannot be corrected. Decline the report with a "
               "reason, or add the course to the officer's records.")
NOTHING_CHANGES = "Nothing would change: edit a field, or decline the report with a reason."


def record_report_source_ref(report_id: int) -> str:
    """The source_ref of a record added to resolve a "missing course" report: its provenance."""
    return f"record-report:{report_id}"


@dataclass
class ReportStep:
    report_id: int
    workflow_id: str
    seq: int
    event: str  # reported, reminded, escalated
    due_at_iso: str | None = None

    @property
    def key(self) -> str:
        return f"{self.workflow_id}:{self.seq}"


@dataclass
class ClosingStep:
    report_id: int
    workflow_id: str
    seq: int
    event: str  # corrected, declined, withdrawn: the report's status it writes
    actor_id: int
    reason: str | None = None
    source: str | None = None
    # "corrected" only: the record as the coordinator's validated form gave it, as strings.
    values: dict[str, str] | None = None
    credits: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.workflow_id}:{self.seq}"


@dataclass
class ReportNotice:
    key: str
    report_id: int
    event: str
    to_officer: bool = False
    to_coordinators: bool = False
    to_admins: bool = False
    actor_id: int | None = None
    waited_business_days: int | None = None


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, type=REFUSED, non_retryable=True)


class RecordReportActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings) -> None:
        self._sessions = session_factory
        self._client = client
        self._settings = settings

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of the report's workflow, for the worker."""
        return [self.load_plan, self.record_step, self.close, self.notify, self.tell_cycle]

    @activity.defn(name="load_record_report_plan")
    async def load_plan(self, report_id: int) -> ReportPlan:
        async with self._sessions() as session:
            report = await session.get(RecordErrorReport, report_id)
            if report is None:
                raise ApplicationError(f"record error report {report_id} does not exist", non_retryable=True)
            agency = await session.get_one(Agency, report.agency_id)
            return ReportPlan(report_id=report.id, agency_id=report.agency_id, officer_id=report.officer_id,
                              reminder_business_days=agency.certificate_reminder_business_days,
                              escalation_business_days=agency.certificate_escalation_business_days,
                              calendar=await load_business_calendar(session, agency, utcnow()))

    @activity.defn(name="record_record_report_step")
    async def record_step(self, step: ReportStep) -> None:
        async with self._sessions() as session, session.begin():
            if await _done(session, step.key):
                return
            report = await session.get_one(RecordErrorReport, step.report_id, with_for_update=True)
            if step.event == "reported":
                session.add(_new_task(report, step))
            elif step.event == "reminded":
                await session.execute(
                    update(Task).where(*_open_tasks(report.id)).values(reminded_at=utcnow())
                )
            session.add(RecordReportEvent(key=step.key, report_id=report.id, kind=step.event))
            await record_workflow_audit(session, None, f"record_report.{step.event}", SUBJECT_TYPE, report.id, None,
                                        report.agency_id, {"workflow_id": step.workflow_id, "seq": step.seq})

    @activity.defn(name="close_record_report")
    async def close(self, step: ClosingStep) -> str:
        """Write the outcome; returns the report's status. Refuses (non-retryable) on bad data."""
        async with self._sessions() as session, session.begin():
            report = await session.get(RecordErrorReport, step.report_id, with_for_update=True)
            if report is None:
                raise _refuse("This report no longer exists.")
            if await _done(session, step.key) or report.status != ReportStatus.OPEN:
                # Written by an earlier attempt whose answer was lost: report what the database holds.
                return report.status
            if problem := reason_problem(step.reason or ""):
                raise _refuse(problem)
            now = utcnow()
            if step.event == "corrected":
                record = await self._apply_correction(session, report, step)
                report.result_record_id = record.id
            if step.event != "withdrawn":
                report.resolution, report.resolved_by_id, report.resolved_at = step.reason, step.actor_id, now
            report.status = ReportStatus(step.event)
            await session.execute(
                update(Task).where(*_open_tasks(report.id)).values(
                    status=TaskStatus.CANCELLED if step.event == "withdrawn" else TaskStatus.DONE,
                    closed_at=now, closed_by_id=step.actor_id)
            )
            session.add(RecordReportEvent(key=step.key, report_id=report.id, kind=step.event, actor_id=step.actor_id,
                                          comment=step.reason or None, created_at=now))
            await record_workflow_audit(
                session, step.actor_id, f"record_report.{step.event}", SUBJECT_TYPE, report.id, step.source,
                report.agency_id, {"workflow_id": step.workflow_id, "seq": step.seq, "reason": step.reason,
                                   "result_record_id": report.result_record_id},
            )
            return report.status

    async def _apply_correction(self, session: AsyncSession, report: RecordErrorReport, step: ClosingStep
                                ) -> TrainingRecord:
        """Correct the reported record or add the missing one, with its audit row (before, after, reason)."""
        form = await _validated(session, report, step)
        if ReportKind(report.kind).needs_record:
            record = await load_record(session, report.record_id) if report.record_id is not None else None
            if record is None or record.officer_id != report.officer_id:
                raise _refuse(RECORD_GONE)
            change = correct_record(record, form)
            if change is None:
                raise _refuse(NOTHING_CHANGES)
            action, (before, after) = "training_record.correct", change
        else:
            officer = await session.get_one(Person, report.officer_id)
            record = await add_record(session, officer, form, step.actor_id)
            record.source_ref = record_report_source_ref(report.id)
            action, before, after = "training_record.add", None, record_snapshot(record)
        await record_workflow_audit(
            session, step.actor_id, action, "training_record", record.id, step.source, report.agency_id,
            {"officer_id": report.officer_id, "record_report_id": report.id, "reason": step.reason,
             "before": before, "after": after},
        )
        return record

    @activity.defn(name="notify_record_report")
    async def notify(self, notice: ReportNotice) -> list[int]:
        """One notification per recipient (idempotent by key); returns those whose email is due now."""
        async with self._sessions() as session, session.begin():
            report = await session.scalar(
                select(RecordErrorReport).where(RecordErrorReport.id == notice.report_id)
                .options(joinedload(RecordErrorReport.record), joinedload(RecordErrorReport.result_record),
                         joinedload(RecordErrorReport.officer))
            )
            assert report is not None
            recipients: set[int] = set()
            if notice.to_officer:
                recipients.add(report.officer_id)
            if notice.to_coordinators:
                recipients |= set(await coordinator_ids(session, report.agency_id))
            if notice.to_admins:
                recipients |= set(await admin_ids(session, report.agency_id))
            recipients.discard(notice.actor_id)  # nobody needs mail about their own click
            subject, body = _message(notice, report)
            pending: list[int] = []
            for person_id in sorted(recipients):
                notification = await add_notification(
                    session, self._settings, key=f"{notice.key}:{notice.event}:{person_id}", person_id=person_id,
                    subject=subject, body=body, link=f"/records/reports/{report.id}",
                    title=subject.removeprefix(SUBJECT_PREFIX), summary=first_sentence(body),
                    urgent=notice.event == "escalated",
                )
                if notification.email_pending:
                    pending.append(notification.id)
            return pending

    @activity.defn(name="tell_licensing_cycle_record_corrected")
    async def tell_cycle(self, officer_id: int) -> bool:
        # Best-effort: a missing cycle workflow must not fail the report (it re-evaluates on waking).
        return await tell_cycle_changed(self._client, officer_id, self._settings.workflow_id_prefix)


async def _validated(session: AsyncSession, report: RecordErrorReport, step: ClosingStep) -> RecordForm:
    """The coordinator's correction, validated again here: an Update's payload is never trusted."""
    form = validate_record_form(step.values or {}, step.credits, await agency_today(session, report.agency_id))
    if isinstance(form, dict):
        raise _refuse("The correction is not valid: " + " ".join(dict.fromkeys(form.values())))
    known = set(await session.scalars(select(Topic.code).where(Topic.code.in_(form.credits))))
    if known != set(form.credits):
        raise _refuse("The correction credits a topic that does not exist.")
    return form


def _message(notice: ReportNotice, report: RecordErrorReport) -> tuple[str, str]:
    title, kind = subject_title(report), ReportKind(report.kind)
    reason = f"\n\nReason: {report.resolution}" if report.resolution else ""
    days = business_days_text(notice.waited_business_days) if notice.waited_business_days else "several business days"
    officer = report.officer.display_name
    if notice.event == "corrected":
        what = "corrected in your training history" if kind.needs_record else "added to your training history"
        return (f"[Muster] Your record report was resolved: {title}",
                f"A training coordinator resolved your report: the record was {what}.{reason}")
    if notice.event == "declined":
        return (f"[Muster] Your record report was declined: {title}",
                f"A training coordinator looked at your report and the record stands as it is.{reason}")
    if notice.event == "reminded":
        return (f"[Muster] Reminder: a record report is waiting: {title}",
                f"{officer}'s report about {title} has waited {days} for a training coordinator.")
    if notice.event == "escalated":
        return (f"[Muster] Record report overdue: {title}",
                f"{officer}'s report about {title} has not been resolved within {days}.")
    what = (f"their record of {title} is wrong ({kind.label.lower()})" if kind.needs_record
            else f"{title} is missing from their training records")
    return (f"[Muster] A record error was reported: {title}",
            f"{officer} reported that {what}. The report is waiting in the record reports queue.")


async def _done(session: AsyncSession, key: str) -> bool:
    return await session.scalar(select(RecordReportEvent.id).where(RecordReportEvent.key == key)) is not None


def _open_tasks(report_id: int) -> tuple[Any, ...]:
    return Task.subject_type == SUBJECT_TYPE, Task.subject_id == report_id, Task.status == TaskStatus.OPEN


def _new_task(report: RecordErrorReport, step: ReportStep) -> Task:
    return Task(key=step.key, agency_id=report.agency_id, kind=TaskKind.RESOLVE_RECORD_REPORT,
                subject_type=SUBJECT_TYPE, subject_id=report.id, workflow_id=step.workflow_id,
                queue=TaskQueue.COORDINATORS,
                due_at=datetime.fromisoformat(step.due_at_iso) if step.due_at_iso else None)



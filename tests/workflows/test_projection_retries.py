"""A retried projection activity writes nothing twice.

Temporal runs an activity again when its answer is lost (a worker crash after the commit, a timeout
on a slow network). Each activity that writes a workflow's state into tables is run here twice with
the same input, as that retry would, on the real database: after the second run every table holds
exactly what it held after the first, and the rows the first wrote are counted by hand.
(The record-report closing step has its own tests in tests/record_reports/test_report_activities.py,
a record import's batches in tests/services/test_record_import.py, the weekly digest in
test_weekly_digest.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.certificates import CertificateActivities, ReviewNotice, ReviewStep
from activities.licensing_cycles import LicensingCycleActivities
from activities.notifications import NotificationActivities, NotifyInput
from activities.record_import import RecordImportActivities
from activities.record_reports import ClosingStep, RecordReportActivities, ReportNotice, ReportStep
from activities.training_requests import CertificateReminder, TrainingRequestActivities, Transition
from models import (
    AuditEvent,
    Base,
    CertificateEvent,
    CertificateSubmission,
    Notification,
    RecordErrorReport,
    RecordReportEvent,
    ReportKind,
    RequestEvent,
    Task,
    TaskStatus,
    TrainingRecord,
    TrainingRequest,
)
from tests.certificates.support import certificate_pdf, submit_directly
from tests.services.import_support import csv_file, days_ago, stage, start
from tests.services.records_support import license_officer
from tests.support import Org, create_request
from workflows.licensing_cycle_types import ComplianceCaseInput, ReminderInput
from workflows.record_import_types import ImportBatch

Factory = async_sessionmaker[AsyncSession]
DUE = datetime(2027, 3, 8, 15, 0, tzinfo=UTC).isoformat()


async def database_rows(factory: Factory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: what a retry must leave exactly as it was."""
    async with factory() as session:
        return {
            table.name: [tuple(row) for row in await session.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


async def run_twice(factory: Factory, activity: Callable[..., Awaitable[Any]], arg: Any) -> Any:
    """Run the activity, then again with the same input; the second run must change no row."""
    env = ActivityEnvironment()
    first = await env.run(activity, arg)
    written = await database_rows(factory)
    again = await env.run(activity, arg)
    assert await database_rows(factory) == written, "the retry wrote to the database"
    assert again == first, "the retry answered differently"
    return first


async def count(factory: Factory, model: Any, *where: Any) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def audits(factory: Factory, action: str) -> int:
    return await count(factory, AuditEvent, AuditEvent.action == action)


async def task_states(factory: Factory, subject_type: str, subject_id: int) -> list[tuple[int | None, str]]:
    async with factory() as session:
        rows = await session.execute(select(Task.assignee_id, Task.status).where(
            Task.subject_type == subject_type, Task.subject_id == subject_id).order_by(Task.id))
        return [(assignee, str(status)) for assignee, status in rows]


# --- Training requests ----------------------------------------------------------------------------


async def test_each_training_request_transition_retried_is_recorded_once(session_factory, settings, demo_org: Org):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    activities = TrainingRequestActivities(session_factory, settings)
    wf = "wf-request"

    await run_twice(session_factory, activities.record_transition, Transition(
        request_id, wf, 1, "submitted", "in_review", actor_id=demo_org.officer1, assignee_id=demo_org.sgt1,
        due_at_iso=DUE))
    assert await task_states(session_factory, "training_request", request_id) == [(demo_org.sgt1, "open")]

    await run_twice(session_factory, activities.record_transition,
                    Transition(request_id, wf, 2, "reminded", None))
    await run_twice(session_factory, activities.record_transition, Transition(
        request_id, wf, 3, "escalated", "in_review", assignee_id=demo_org.lt1, close_task_as="cancelled",
        due_at_iso=DUE))
    await run_twice(session_factory, activities.record_transition, Transition(
        request_id, wf, 4, "approved", "approved", actor_id=demo_org.lt1, comment="Fine", close_task_as="done"))

    async with session_factory() as session:
        kinds = list(await session.scalars(
            select(RequestEvent.kind).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)))
        request = await session.get_one(TrainingRequest, request_id)
    assert kinds == ["submitted", "reminded", "escalated", "approved"]
    assert await task_states(session_factory, "training_request", request_id) == [
        (demo_org.sgt1, "cancelled"), (demo_org.lt1, "done")]
    assert request.status == "approved" and request.current_approver_id is None
    for event in ("submitted", "reminded", "escalated", "approved"):
        assert await audits(session_factory, f"training_request.{event}") == 1, event


async def test_two_attempts_of_one_transition_at_once_leave_one_task(session_factory, settings, demo_org: Org):
    """An attempt timed out while still running, and its retry: the unique keys let one of them write."""
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    activities = TrainingRequestActivities(session_factory, settings)
    step = Transition(request_id, "wf-request", 1, "submitted", "in_review", assignee_id=demo_org.sgt1)
    env = ActivityEnvironment()

    outcomes = await asyncio.gather(env.run(activities.record_transition, step),
                                    env.run(activities.record_transition, step), return_exceptions=True)
    # The loser fails on the unique key (or a lock): Temporal retries it, and the retry finds the row.
    assert all(outcome is None or isinstance(outcome, DBAPIError) for outcome in outcomes), outcomes
    await env.run(activities.record_transition, step)

    assert await count(session_factory, RequestEvent, RequestEvent.request_id == request_id) == 1
    assert await task_states(session_factory, "training_request", request_id) == [(demo_org.sgt1, "open")]
    assert await audits(session_factory, "training_request.submitted") == 1


async def test_request_notifications_and_the_certificate_reminder_retried_are_written_once(
    session_factory, settings, demo_org: Org
):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    requests = TrainingRequestActivities(session_factory, settings)
    notifications = NotificationActivities(session_factory, settings)

    pending = await run_twice(session_factory, notifications.create_request_notifications, NotifyInput(
        key="wf-request:1", request_id=request_id, event="submitted", person_ids=[demo_org.officer1, demo_org.sgt1],
        assignee_id=demo_org.sgt1))
    assert len(pending) == 2  # the officer and the sergeant, each mailed once
    reminder = await run_twice(session_factory, requests.remind_to_upload_certificate,
                               CertificateReminder(request_id, "wf-request", 5, number=1))
    assert reminder is not None and len(reminder) == 1

    assert await count(session_factory, Notification, Notification.person_id == demo_org.officer1) == 2
    assert await count(session_factory, Notification, Notification.person_id == demo_org.sgt1) == 1
    assert await count(session_factory, RequestEvent, RequestEvent.kind == "certificate_reminder") == 1
    assert await audits(session_factory, "training_request.certificate_reminder") == 1


# --- Certificate reviews --------------------------------------------------------------------------


async def test_each_certificate_review_step_retried_is_recorded_once(
    session_factory, settings, demo_org: Org, unreachable_temporal
):
    submission = await submit_directly(session_factory, settings, demo_org.officer1, certificate_pdf())
    assert submission.workflow_id is not None
    activities = CertificateActivities(session_factory, unreachable_temporal, settings)
    wf, sid = submission.workflow_id, submission.id

    await run_twice(session_factory, activities.record_step, ReviewStep(sid, wf, 1, "submitted", 1, due_at_iso=DUE))
    await run_twice(session_factory, activities.record_step, ReviewStep(sid, wf, 2, "reminded", 1))
    pending = await run_twice(session_factory, activities.notify, ReviewNotice(
        key=f"{wf}:2", submission_id=sid, event="reminded", to_coordinators=True, waited_business_days=3))
    assert len(pending) == 1  # the one coordinator
    await run_twice(session_factory, activities.record_step, ReviewStep(
        sid, wf, 3, "approved", 1, actor_id=demo_org.coord1, credited_hours="38",
        credited_credits={"crisis_intervention": "8"}))

    async with session_factory() as session:
        kinds = list(await session.scalars(select(CertificateEvent.kind).order_by(CertificateEvent.id)))
        approved = await session.get_one(CertificateSubmission, sid)
        [record] = list(await session.scalars(select(TrainingRecord)))
    assert kinds == ["submitted", "reminded", "approved"]
    assert await task_states(session_factory, "certificate_submission", sid) == [(None, "done")]
    assert approved.status == "approved" and approved.record_id == record.id and record.hours == Decimal("38")
    assert await count(session_factory, Notification, Notification.person_id == demo_org.coord1) == 1
    for event in ("submitted", "reminded", "approved"):
        assert await audits(session_factory, f"certificate.{event}") == 1, event


# --- Record reports -------------------------------------------------------------------------------


async def test_each_record_report_step_retried_is_recorded_once(
    session_factory, settings, demo_org: Org, unreachable_temporal
):
    async with session_factory() as session, session.begin():
        report = RecordErrorReport(agency_id=demo_org.agency_id, officer_id=demo_org.officer1,
                                   kind=ReportKind.MISSING_COURSE.value, description="A course is missing.",
                                   workflow_id="wf-report")
        session.add(report)
        await session.flush()
        report_id = report.id
    activities = RecordReportActivities(session_factory, unreachable_temporal, settings)

    await run_twice(session_factory, activities.record_step, ReportStep(report_id, "wf-report", 1, "reported", DUE))
    await run_twice(session_factory, activities.record_step, ReportStep(report_id, "wf-report", 2, "reminded"))
    await run_twice(session_factory, activities.record_step, ReportStep(report_id, "wf-report", 3, "escalated"))
    pending = await run_twice(session_factory, activities.notify, ReportNotice(
        key="wf-report:3", report_id=report_id, event="escalated", to_admins=True, waited_business_days=7))
    assert len(pending) == 1  # the one administrator
    status = await run_twice(session_factory, activities.close, ClosingStep(
        report_id, "wf-report", 4, "declined", actor_id=demo_org.coord1, reason="Not on the roster."))
    assert status == "declined"

    async with session_factory() as session:
        kinds = list(await session.scalars(select(RecordReportEvent.kind).order_by(RecordReportEvent.id)))
    assert kinds == ["reported", "reminded", "escalated", "declined"]
    assert await task_states(session_factory, "record_error_report", report_id) == [(None, "done")]
    assert await count(session_factory, Notification, Notification.person_id == demo_org.admin1) == 1
    for event in ("reported", "reminded", "escalated", "declined"):
        assert await audits(session_factory, f"record_report.{event}") == 1, event


# --- Licensing cycles and imports -----------------------------------------------------------------


async def test_compliance_reminder_and_case_retried_are_written_once(session_factory, settings, demo_org: Org):
    activities = LicensingCycleActivities(session_factory, settings)
    missing = ["6 more crisis intervention credits"]

    mailed = await run_twice(session_factory, activities.send_compliance_reminder, ReminderInput(
        key="wf-cycle:reminder:30", officer_id=demo_org.officer1, due_on="2027-06-30", days_before=30,
        missing=missing, copy_supervisor=True))
    assert len(mailed) == 2  # the officer and the sergeant
    mailed = await run_twice(session_factory, activities.open_compliance_case, ComplianceCaseInput(
        key="wf-cycle:case", workflow_id="wf-cycle", officer_id=demo_org.officer1, cycle_end="2027-06-30",
        missing=missing))
    assert len(mailed) == 2  # the officer and the coordinator

    assert await count(session_factory, Notification, Notification.person_id == demo_org.officer1) == 2
    assert await count(session_factory, Notification, Notification.person_id == demo_org.sgt1) == 1
    assert await count(session_factory, Notification, Notification.person_id == demo_org.coord1) == 1
    assert await count(session_factory, Task, Task.status == TaskStatus.OPEN) == 1
    assert await audits(session_factory, "compliance.case_opened") == 1


async def test_a_record_import_retried_imports_and_completes_once(
    session_factory, settings, demo_org: Org, unreachable_temporal
):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    import_id = await stage(session_factory, demo_org, csv_file(
        f"MN-0001,,Firearms,Range,{days_ago(20)},2,", f"MN-0001,,Autism Awareness,Society,{days_ago(10)},4,"))
    await start(session_factory, import_id)
    activities = RecordImportActivities(session_factory, unreachable_temporal, settings)

    # A retried batch is covered in tests/services/test_record_import.py (its answer counts only new rows).
    batch = await ActivityEnvironment().run(activities.import_batch, ImportBatch(import_id=import_id, limit=10))
    assert (batch.imported, batch.more) == (2, False)
    completion = await run_twice(session_factory, activities.complete_import, import_id)

    assert completion.imported == 2 and completion.email_notification_id is not None
    assert await count(session_factory, TrainingRecord) == 2
    assert await count(session_factory, Notification, Notification.person_id == demo_org.coord1) == 1
    assert await audits(session_factory, "record_import.complete") == 1

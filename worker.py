"""Muster's Temporal worker: runs the workflows and activities, relays the outbox, and makes
sure the weekly digest, daily compliance refresh and monthly summary Schedules exist.

Run several of these for capacity; each polls the same task queue. `python worker.py`
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.runtime import Runtime
from temporalio.worker import Worker

from activities.agency_recompute import AgencyRecomputeActivities
from activities.certificates import CertificateActivities
from activities.compliance_refresh import ComplianceRefreshActivities
from activities.digests import DigestActivities
from activities.licensing_cycles import LicensingCycleActivities
from activities.monthly_summary import MonthlySummaryActivities
from activities.notifications import NotificationActivities
from activities.officer_signals import OfficerSignalActivities
from activities.record_import import RecordImportActivities
from activities.record_reports import RecordReportActivities
from activities.reimbursement_reminders import ReimbursementReminderActivities
from activities.report_export import ReportExportActivities
from activities.roster_import import RosterImportActivities
from activities.training_requests import TrainingRequestActivities
from models.database import create_engine, create_session_factory
from services.workflow_starts import relay_forever
from settings import Settings, get_settings
from telemetry.structured_logs import configure_json_root
from telemetry.tracing import client_interceptors, shut_down
from telemetry.worker import ActivityAttemptLog, publish_queue_gauges, runtime_for
from workflows.agency_recompute import AgencyRecomputeWorkflow
from workflows.certificate_review import CertificateReviewWorkflow
from workflows.compliance_refresh import ComplianceRefreshWorkflow
from workflows.compliance_refresh_types import COMPLIANCE_REFRESH_SCHEDULE_ID, ComplianceRefreshInput
from workflows.licensing_cycle import LicensingCycleWorkflow
from workflows.monthly_summary import MonthlySummaryWorkflow
from workflows.monthly_summary_types import MONTHLY_SUMMARY_SCHEDULE_ID, MonthlySummaryInput
from workflows.officer_recompute import OfficerRecomputeWorkflow
from workflows.record_import import RecordImportWorkflow
from workflows.record_report import RecordReportWorkflow
from workflows.reimbursement_reminders import ReimbursementRemindersWorkflow
from workflows.reimbursement_reminders_types import (
    REIMBURSEMENT_REMINDERS_SCHEDULE_ID,
    REMINDER_HOUR_UTC,
    ReimbursementRemindersInput,
)
from workflows.report_export import ReportExportWorkflow
from workflows.roster_import import RosterImportWorkflow
from workflows.training_request import TrainingRequestWorkflow
from workflows.weekly_digest import WEEKLY_DIGEST_SCHEDULE_ID, WeeklyDigestInput, WeeklyDigestWorkflow

log = logging.getLogger("muster.worker")

# Every workflow the worker runs (tests/workflows/test_replay.py requires a committed history of each).
WORKFLOWS = (TrainingRequestWorkflow, LicensingCycleWorkflow, WeeklyDigestWorkflow, AgencyRecomputeWorkflow,
             CertificateReviewWorkflow, RecordReportWorkflow, RecordImportWorkflow, OfficerRecomputeWorkflow,
             ComplianceRefreshWorkflow, MonthlySummaryWorkflow, ReportExportWorkflow, ReimbursementRemindersWorkflow,
             RosterImportWorkflow)


def build_worker(
    client: Client, session_factory: async_sessionmaker[AsyncSession], settings: Settings, task_queue: str
) -> Worker:
    requests = TrainingRequestActivities(session_factory, settings)
    notifications = NotificationActivities(session_factory, settings)
    cycles = LicensingCycleActivities(session_factory, settings)
    digests = DigestActivities(session_factory, settings)
    recompute = AgencyRecomputeActivities(session_factory, client, settings)
    certificates = CertificateActivities(session_factory, client, settings)
    record_import = RecordImportActivities(session_factory, client, settings)
    roster_import = RosterImportActivities(session_factory, client, settings)
    officer_signals = OfficerSignalActivities(client, settings)
    record_reports = RecordReportActivities(session_factory, client, settings)
    compliance_refresh = ComplianceRefreshActivities(session_factory)
    report_exports = ReportExportActivities(session_factory, settings)
    monthly_summaries = MonthlySummaryActivities(session_factory, settings)
    reimbursement_reminders = ReimbursementReminderActivities(session_factory, settings)
    return Worker(
        client,
        task_queue=task_queue,
        # Tracing, when on, comes with the client (telemetry/tracing.py); this logs every activity attempt.
        interceptors=[ActivityAttemptLog()],
        workflows=list(WORKFLOWS),
        activities=[
            requests.load_approval_plan,
            requests.record_transition,
            requests.remind_to_upload_certificate,
            notifications.create_request_notifications,
            notifications.send_notification_email,
            cycles.evaluate_officer,
            cycles.send_compliance_reminder,
            cycles.open_compliance_case,
            digests.send_weekly_digests,
            recompute.signal_officer_page,
            *certificates.all(),
            *record_import.all(),
            *roster_import.all(),
            officer_signals.signal_officers,
            *record_reports.all(),
            compliance_refresh.refresh_batch,
            compliance_refresh.take_snapshot,
            *report_exports.all(),
            monthly_summaries.write_summaries,
            reimbursement_reminders.send_reminders,
        ],
    )


async def _create_schedule(client: Client, settings: Settings, schedule_id: str, run: Any, argument: object,
                           workflow_id: str, calendar: ScheduleCalendarSpec, *, run_now: bool = False) -> bool:
    """Create the Schedule unless it exists; True when this call created it.

    Every worker calls this at start; the first one creates it, the rest find it there. An existing
    Schedule is left as it is, so an operator's pause or edit survives restarts.
    """
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            run, argument,
            id=f"{settings.workflow_id_prefix}{workflow_id}",  # Temporal appends the scheduled time
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(calendars=[calendar]),
    )
    try:
        await client.create_schedule(f"{settings.workflow_id_prefix}{schedule_id}", schedule,
                                     trigger_immediately=run_now)
    except ScheduleAlreadyRunningError:
        return False
    return True


async def ensure_weekly_digest_schedule(client: Client, settings: Settings) -> bool:
    """The Monday 13:00 UTC digest."""
    return await _create_schedule(
        client, settings, WEEKLY_DIGEST_SCHEDULE_ID, WeeklyDigestWorkflow.run, WeeklyDigestInput(), "weekly-digest",
        ScheduleCalendarSpec(day_of_week=[ScheduleRange(1)], hour=[ScheduleRange(13)], comment="Mondays 13:00 UTC"))


async def ensure_compliance_refresh_schedule(client: Client, settings: Settings) -> bool:
    """The daily compliance refresh at 11:00 UTC: just after midnight in every US time zone (Hawaii's
    included), and each agency's officers are evaluated on the agency's own date, so the run catches
    what the new day changed. Created with one run at once, so a fresh install has stored statuses and
    a first snapshot without waiting for the night."""
    return await _create_schedule(
        client, settings, COMPLIANCE_REFRESH_SCHEDULE_ID, ComplianceRefreshWorkflow.run, ComplianceRefreshInput(),
        "compliance-refresh", ScheduleCalendarSpec(hour=[ScheduleRange(11)], comment="Daily 11:00 UTC"),
        run_now=True)


async def ensure_monthly_summary_schedule(client: Client, settings: Settings) -> bool:
    """The command staff's summary, the 1st of each month at 13:00 UTC."""
    return await _create_schedule(
        client, settings, MONTHLY_SUMMARY_SCHEDULE_ID, MonthlySummaryWorkflow.run, MonthlySummaryInput(),
        "monthly-summary", ScheduleCalendarSpec(day_of_month=[ScheduleRange(1)], hour=[ScheduleRange(13)],
                                                comment="1st of each month 13:00 UTC"))


async def ensure_reimbursement_reminders_schedule(client: Client, settings: Settings) -> bool:
    """Minnesota POST reimbursement reminders: one run a year, started 1 June at 14:00 UTC."""
    return await _create_schedule(
        client, settings, REIMBURSEMENT_REMINDERS_SCHEDULE_ID, ReimbursementRemindersWorkflow.run,
        ReimbursementRemindersInput(), "reimbursement-reminders",
        ScheduleCalendarSpec(month=[ScheduleRange(6)], day_of_month=[ScheduleRange(1)],
                             hour=[ScheduleRange(REMINDER_HOUR_UTC)], comment="1 June 14:00 UTC"))


async def connect_with_retry(settings: Settings, runtime: Runtime | None = None) -> Client:
    """Wait for Temporal instead of crashing, so start order does not matter."""
    delay = 1.0
    while True:
        try:
            return await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                        runtime=runtime,
                                        interceptors=client_interceptors(settings, "muster-worker"))
        except Exception as error:  # not up yet
            log.warning("Temporal at %s not reachable (%s); retrying in %.0fs",
                        settings.temporal_address, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)


async def main() -> None:
    settings = get_settings()
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    runtime = runtime_for(settings)  # once: its metrics endpoint holds MUSTER_WORKER_METRICS_ADDRESS
    client = await connect_with_retry(settings, runtime)
    worker = build_worker(client, session_factory, settings, settings.task_queue)
    await ensure_weekly_digest_schedule(client, settings)
    await ensure_compliance_refresh_schedule(client, settings)
    await ensure_monthly_summary_schedule(client, settings)
    await ensure_reimbursement_reminders_schedule(client, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    relay = asyncio.create_task(
        relay_forever(session_factory, client, settings.task_queue, settings.outbox_poll_seconds,
                      settings.workflow_id_prefix)
    )
    gauges = asyncio.create_task(publish_queue_gauges(runtime, session_factory)) if runtime else None
    log.info("worker polling task queue %r at %s", settings.task_queue, settings.temporal_address)
    async with worker:
        await stop.wait()
        log.info("shutting down: finishing running activities")
    relay.cancel()
    if gauges is not None:
        gauges.cancel()
    shut_down(settings, "muster-worker")
    await engine.dispose()


if __name__ == "__main__":
    configure_json_root()  # one JSON object a line, activity attempts included (telemetry/structured_logs.py)
    asyncio.run(main())

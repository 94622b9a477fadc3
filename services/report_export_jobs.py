"""Compliance reports made in the background: a job row, from asked for to downloaded.

The portal queues a job (one row, with an object key generated here) and starts its workflow
(workflows/report_export.py). The workflow's activity marks the job running, writes the file with
services/report_exports.py while recording progress on the row, stores it and marks the job done; when
every attempt fails the workflow marks it failed. Only the account that asked may see the job or download
its file (services.access.can_see_report_export).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from models import ExportKind, ExportStatus, Person, ReportExport, Unit, report_export_workflow_id, utcnow
from services.access import CurrentUser, can_see_report_export
from services.compliance_report import ComplianceReport, agency_report, team_report
from services.report_exports import ExportFormat, file_name
from storage.objects import check_key
from workflows.report_export_types import REPORT_EXPORT_WORKFLOW, ReportExportInput

NOT_STARTED = ("The report service is not reachable just now, so the report was not started. "
               "Please ask for it again in a few minutes.")
RECENT_EXPORTS = 10


def report_object_key(now: datetime) -> str:
    """A fresh key such as `reports/2026/12/<32 hex digits>`: never derived from a name someone chose."""
    return check_key(f"reports/{now:%Y}/{now:%m}/{uuid.uuid4().hex}")


async def queue_export(session: AsyncSession, user: CurrentUser, report: ComplianceReport, fmt: ExportFormat,
                       workflow_id_prefix: str) -> ReportExport:
    """Add the job for `report` in `fmt` to the caller's transaction (the caller audits and commits)."""
    now = utcnow()
    job = ReportExport(
        agency_id=report.scope.agency_id, requested_by_id=user.id,
        kind=ExportKind.TEAM if report.scope.is_team else ExportKind.AGENCY,
        unit_id=report.scope.unit_id, supervisor_id=report.scope.supervisor_id, format=fmt,
        status=ExportStatus.QUEUED, total_rows=report.header.officers, object_key=report_object_key(now),
        file_name=file_name(report, fmt), created_at=now,
    )
    session.add(job)
    await session.flush()
    job.workflow_id = report_export_workflow_id(job.id, workflow_id_prefix)
    return job


async def start_export(session: AsyncSession, client: Client, job: ReportExport, task_queue: str) -> bool:
    """Start the job's workflow; when Temporal cannot be reached the job is marked failed (with a reason to
    try again) and committed, so its page says so instead of waiting for ever."""
    try:
        await client.start_workflow(
            REPORT_EXPORT_WORKFLOW, ReportExportInput(export_id=job.id), id=job.workflow_id or "",
            task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING, rpc_timeout=timedelta(seconds=5),
        )
    except Exception:  # unreachable, timed out: nothing was started
        await fail_export(session, job.id, NOT_STARTED)
        await session.commit()
        return False
    return True


async def own_export(session: AsyncSession, user: CurrentUser, export_id: int) -> ReportExport | None:
    """The job, if the user may see it (else None, whether or not it exists)."""
    job = await session.get(ReportExport, export_id)
    return job if job is not None and can_see_report_export(user, job) else None


async def recent_exports(session: AsyncSession, user: CurrentUser, kind: ExportKind) -> list[ReportExport]:
    """The user's latest background exports of this kind, newest first."""
    return list(await session.scalars(
        select(ReportExport).where(ReportExport.requested_by_id == user.id, ReportExport.agency_id == user.agency_id,
                                   ReportExport.kind == kind)
        .order_by(ReportExport.created_at.desc(), ReportExport.id.desc()).limit(RECENT_EXPORTS)
    ))


# --- The workflow's side ----------------------------------------------------------------------------


async def begin_export(session: AsyncSession, export_id: int) -> ReportExport | None:
    """Mark the job running (again, on a retried attempt: its progress starts over); None if it is gone."""
    job = await session.get(ReportExport, export_id, with_for_update=True)
    if job is None or job.status == ExportStatus.DONE:
        return job
    job.status, job.done_rows, job.started_at, job.error = ExportStatus.RUNNING, 0, utcnow(), None
    return job


async def export_report(session: AsyncSession, job: ReportExport, now: datetime) -> ComplianceReport:
    """The report the job asked for, as the data stands `now`."""
    if job.kind == ExportKind.TEAM:
        return await team_report(session, await session.get_one(Person, job.supervisor_id), now)
    unit = await session.get_one(Unit, job.unit_id) if job.unit_id is not None else None
    return await agency_report(session, job.agency_id, unit, now)


async def record_progress(factory: async_sessionmaker[AsyncSession], export_id: int, done: int) -> None:
    """The progress bar's numerator, in a transaction of its own while the writer keeps reading."""
    async with factory() as session, session.begin():
        await session.execute(update(ReportExport).where(ReportExport.id == export_id,
                                                         ReportExport.status == ExportStatus.RUNNING)
                              .values(done_rows=done))


async def finish_export(session: AsyncSession, export_id: int, rows: int, size_bytes: int) -> None:
    await session.execute(update(ReportExport).where(ReportExport.id == export_id).values(
        status=ExportStatus.DONE, done_rows=rows, total_rows=rows, size_bytes=size_bytes, finished_at=utcnow(),
        error=None))


async def fail_export(session: AsyncSession, export_id: int, reason: str) -> None:
    await session.execute(update(ReportExport).where(ReportExport.id == export_id,
                                                     ReportExport.status != ExportStatus.DONE)
                          .values(status=ExportStatus.FAILED, error=reason, finished_at=utcnow()))

"""Database and file-store side of the report-export workflow: write the file, or mark the job failed."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models import ExportStatus, utcnow
from services import report_export_jobs as jobs
from services.report_exports import FORMATS, ExportFormat, write_export
from settings import Settings
from storage import store_from_settings
from workflows.report_export_types import ExportFailure, ReportExportResult


class ReportExportActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of the export, for the worker."""
        return [self.write_export, self.fail_export]

    @activity.defn(name="write_report_export")
    async def write_export(self, export_id: int) -> ReportExportResult:
        """Write the job's file into a temporary folder, streaming the officers with progress on the job's row,
        then put it in the store under the job's key and mark the job done. A retry starts over."""
        async with self._sessions() as session, session.begin():
            job = await jobs.begin_export(session, export_id)
            if job is None:
                raise ApplicationError(f"report export {export_id} does not exist", non_retryable=True)
            if job.status == ExportStatus.DONE:  # an earlier attempt finished after its answer was lost
                return ReportExportResult(written=True, rows=job.done_rows, size_bytes=job.size_bytes or 0)
            fmt, key = ExportFormat(job.format), job.object_key
            report = await jobs.export_report(session, job, utcnow())

        async def progress(done: int) -> None:
            activity.heartbeat(done)
            await jobs.record_progress(self._sessions, export_id, done)

        with tempfile.TemporaryDirectory(prefix="muster-report-") as folder:
            path = Path(folder) / "report"
            rows = await write_export(self._sessions, report, fmt, path, progress)
            # The store takes whole objects: the finished file is read back once, to hand it over.
            data = path.read_bytes()
        await store_from_settings(self._settings).put(key, data, FORMATS[fmt].media_type)
        async with self._sessions() as session, session.begin():
            await jobs.finish_export(session, export_id, rows, len(data))
        return ReportExportResult(written=True, rows=rows, size_bytes=len(data))

    @activity.defn(name="fail_report_export")
    async def fail_export(self, failure: ExportFailure) -> None:
        async with self._sessions() as session, session.begin():
            await jobs.fail_export(session, failure.export_id, failure.reason)

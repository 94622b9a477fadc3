"""Database side of the record-import workflow: import a batch, complete the import, tell the officers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.notifications import add_notification
from activities.officer_signals import signal_recompute
from models import ImportStatus, RecordImport
from services import record_import_batches as batches
from settings import Settings
from workflows.record_import_types import (
    ImportBatch,
    ImportBatchResult,
    ImportCompletion,
    ImportedOfficersPage,
    ImportedOfficersResult,
)


def _in_app(record_import: RecordImport) -> tuple[str, str]:
    """Title and one sentence for the in-app list."""
    imported, errors = record_import.imported_rows, record_import.error_rows
    sentence = f"{imported} training record{'' if imported == 1 else 's'} imported from {record_import.file_name}"
    if errors:
        sentence += f"; {errors} row{' was' if errors == 1 else 's were'} not imported because of errors"
    return f"Import finished: {record_import.file_name}", sentence + "."


def _summary(record_import: RecordImport) -> tuple[str, str]:
    imported, errors = record_import.imported_rows, record_import.error_rows
    subject = f"[Muster] Import finished: {record_import.file_name}"
    body = (f"The import of {record_import.file_name} has finished: {imported} training record"
            f"{'' if imported == 1 else 's'} imported.")
    if errors:
        rows = "1 row was" if errors == 1 else f"{errors} rows were"
        body += f" {rows} not imported because of errors; the import page lists them."
    return subject, body


class RecordImportActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings) -> None:
        self._sessions = session_factory
        self._client = client
        self._settings = settings

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of the import, for the worker."""
        return [self.import_batch, self.complete_import, self.signal_imported_officers]

    @activity.defn(name="import_record_batch")
    async def import_batch(self, batch: ImportBatch) -> ImportBatchResult:
        try:
            async with self._sessions() as session, session.begin():
                outcome = await batches.import_batch(session, batch.import_id, batch.limit)
        except batches.ImportMissing as error:
            raise ApplicationError(str(error), non_retryable=True) from error
        return ImportBatchResult(imported=outcome.imported, dropped=outcome.dropped, more=outcome.more)

    @activity.defn(name="complete_record_import")
    async def complete_import(self, import_id: int) -> ImportCompletion:
        """Mark the import completed and tell the uploader (once: the notification is keyed)."""
        try:
            async with self._sessions() as session, session.begin():
                record_import = await batches.complete_import(session, import_id)
                if record_import.status != ImportStatus.COMPLETED:  # cancelled: nothing was imported
                    return ImportCompletion(record_import.imported_rows, None)
                subject, body = _summary(record_import)
                title, summary = _in_app(record_import)
                uploader = record_import.uploaded_by_id
                notification = await add_notification(
                    session, self._settings, key=f"{record_import.workflow_id}:completed:{uploader}",
                    person_id=uploader, subject=subject, body=body, title=title, summary=summary,
                    link=f"/records/imports/{record_import.id}",
                )
                return ImportCompletion(record_import.imported_rows,
                                        notification.id if notification.email_pending else None)
        except batches.ImportMissing as error:
            raise ApplicationError(str(error), non_retryable=True) from error

    @activity.defn(name="signal_imported_officers")
    async def signal_imported_officers(self, page: ImportedOfficersPage) -> ImportedOfficersResult:
        async with self._sessions() as session:
            officer_ids = await batches.imported_officers(session, page.import_id, page.after_id, page.limit)
        signalled = await signal_recompute(self._client, officer_ids, self._settings.workflow_id_prefix)
        return ImportedOfficersResult(
            next_after_id=officer_ids[-1] if len(officer_ids) == page.limit else None, signalled=signalled
        )

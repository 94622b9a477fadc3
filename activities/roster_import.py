"""Database side of the roster-import workflow: apply a batch, then complete the import and tell the uploader."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.notifications import add_notification
from models import ImportStatus, RosterImport
from services import roster_import_batches as batches
from services.roster_workflows import after_roster_change
from settings import Settings
from workflows.roster_import_types import RosterBatch, RosterBatchResult, RosterImportCompletion

log = logging.getLogger(__name__)


def _in_app(roster_import: RosterImport) -> tuple[str, str]:
    """Title and one sentence for the in-app list."""
    applied, errors = roster_import.applied_rows, roster_import.error_rows
    sentence = (f"{applied} {'person' if applied == 1 else 'people'} hired or updated from "
                f"{roster_import.file_name}")
    if errors:
        sentence += f"; {errors} row{' was' if errors == 1 else 's were'} not applied because of problems"
    return f"Roster import finished: {roster_import.file_name}", sentence + "."


def _summary(roster_import: RosterImport) -> tuple[str, str]:
    applied, errors = roster_import.applied_rows, roster_import.error_rows
    subject = f"[Muster] Roster import finished: {roster_import.file_name}"
    body = (f"The roster import of {roster_import.file_name} has finished: {applied} "
            f"{'person' if applied == 1 else 'people'} hired or updated.")
    if errors:
        rows = "1 row was" if errors == 1 else f"{errors} rows were"
        body += f" {rows} not applied because of problems; the import page lists them."
    body += " People on the roster whom the file does not name are listed there too: nothing was done to them."
    return subject, body


class RosterImportActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings) -> None:
        self._sessions = session_factory
        self._client = client
        self._settings = settings

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of the import, for the worker."""
        return [self.apply_batch, self.complete_import]

    @activity.defn(name="apply_roster_batch")
    async def apply_batch(self, batch: RosterBatch) -> RosterBatchResult:
        try:
            async with self._sessions() as session, session.begin():
                outcome = await batches.apply_batch(session, batch.import_id, batch.limit,
                                                    self._settings.workflow_id_prefix)
        except batches.ImportMissing as error:
            raise ApplicationError(str(error), non_retryable=True) from error
        # Committed: now send the task moves and tell the licensing cycles (best-effort; the outbox relay
        # and each cycle's next wake-up cover whatever Temporal misses now).
        outbox = list(outcome.outbox_ids)
        for person_id in outcome.changed_people:
            try:
                await after_roster_change(self._sessions, self._client, self._settings, person_id, outbox)
            except Exception:  # the change is committed; a missed nudge only waits for the relay
                log.warning("roster import %s: could not tell person %s's workflows", batch.import_id, person_id)
            outbox = []
        return RosterBatchResult(applied=outcome.applied, dropped=outcome.dropped, more=outcome.more)

    @activity.defn(name="complete_roster_import")
    async def complete_import(self, import_id: int) -> RosterImportCompletion:
        """Mark the import completed and tell the uploader (once: the notification is keyed)."""
        try:
            async with self._sessions() as session, session.begin():
                roster_import = await batches.complete_import(session, import_id)
                if roster_import.status != ImportStatus.COMPLETED:
                    return RosterImportCompletion(roster_import.applied_rows, None)
                subject, body = _summary(roster_import)
                title, summary = _in_app(roster_import)
                uploader = roster_import.uploaded_by_id
                notification = await add_notification(
                    session, self._settings, key=f"{roster_import.workflow_id}:completed:{uploader}",
                    person_id=uploader, subject=subject, body=body, link=f"/roster/imports/{roster_import.id}",
                    title=title, summary=summary,
                )
                return RosterImportCompletion(roster_import.applied_rows,
                                              notification.id if notification.email_pending else None)
        except batches.ImportMissing as error:
            raise ApplicationError(str(error), non_retryable=True) from error

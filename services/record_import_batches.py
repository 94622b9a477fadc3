"""CSV imports of training records, the workflow's side: import the next batch, complete the import,
and page through the officers it gave records.

A batch is one transaction: its records, their credits, each staged row's record_id and the progress
count commit together or not at all. A retried or crashed batch therefore continues with the rows
still without a record and never creates one twice. A row that cannot become a record (recorded in
the meantime, a topic since removed) is turned into an error row, so bad data never wedges a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import null, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.records import record_problem
from models import ImportStatus, RecordImport, RecordImportRow, RecordSource, Topic, import_source_ref, utcnow
from services.audit import record_workflow_audit
from services.record_batches import form_from_json, record_key, recorded_keys
from services.training_records import RecordForm, new_record

RECORDED_MEANWHILE = "Already recorded in Muster (recorded after this file was checked)."
UNREADABLE = "This row could not be imported; upload it again in a new file."
UNKNOWN_TOPIC = "A topic of this row no longer exists in Muster."


class ImportMissing(LookupError):
    """The import does not exist (deleted, or a wrong id): nothing to retry."""


@dataclass(frozen=True)
class BatchOutcome:
    imported: int
    dropped: int
    more: bool


async def _locked_import(session: AsyncSession, import_id: int) -> RecordImport:
    # FOR UPDATE (PostgreSQL) serialises two runs of the same batch; SQLite has one writer anyway.
    record_import = await session.get(RecordImport, import_id, with_for_update=True)
    if record_import is None:
        raise ImportMissing(f"record import {import_id} does not exist")
    return record_import


def _drop(row: RecordImportRow, message: str) -> None:
    row.parsed = null()  # type: ignore[assignment]  # SQL NULL, not JSON null: the row is an error row now
    row.errors = [message]


def _readable(rows: list[RecordImportRow], topics: set[str]) -> list[tuple[RecordImportRow, RecordForm]]:
    readable = []
    for row in rows:
        try:
            form = form_from_json(row.parsed or {})
        except (KeyError, TypeError, ValueError, ArithmeticError):
            _drop(row, UNREADABLE)
            continue
        if row.officer_id is None:
            _drop(row, UNREADABLE)
        elif not set(form.credits) <= topics:
            _drop(row, UNKNOWN_TOPIC)
        elif problem := record_problem(form.hours, form.credits):
            # The preview refuses such rows; a staged row changed since then is refused here, never stored.
            _drop(row, f"This row cannot be imported: {problem}.")
        else:
            readable.append((row, form))
    return readable


async def import_batch(session: AsyncSession, import_id: int, limit: int) -> BatchOutcome:
    """Turn the next `limit` valid rows without a record into records (in the caller's transaction)."""
    record_import = await _locked_import(session, import_id)
    if record_import.status != ImportStatus.IMPORTING:
        return BatchOutcome(0, 0, more=False)
    rows = list(await session.scalars(
        select(RecordImportRow)
        .where(RecordImportRow.import_id == import_id, RecordImportRow.record_id.is_(None),
               RecordImportRow.parsed.is_not(None))
        .order_by(RecordImportRow.row_number).limit(limit)
    ))
    readable = _readable(rows, set(await session.scalars(select(Topic.code))))
    recorded = await recorded_keys(session, {row.officer_id for row, _ in readable if row.officer_id},
                                   {form.completed_on for _, form in readable})
    created = []
    for row, form in readable:
        assert row.officer_id is not None
        key = record_key(row.officer_id, form)
        if key in recorded:
            _drop(row, RECORDED_MEANWHILE)
            continue
        recorded.add(key)
        created.append((row, new_record(form, agency_id=record_import.agency_id, officer_id=row.officer_id,
                                        source=RecordSource.BULK_IMPORT,
                                        source_ref=import_source_ref(import_id, row.row_number),
                                        approved_by_id=record_import.uploaded_by_id)))
    session.add_all(record for _, record in created)
    await session.flush()
    for row, record in created:
        row.record_id = record.id
    dropped = len(rows) - len(created)
    record_import.imported_rows += len(created)
    record_import.valid_rows -= dropped
    record_import.error_rows += dropped
    if rows:
        await record_workflow_audit(
            session, record_import.uploaded_by_id, "record_import.batch", "record_import", import_id, "workflow",
            record_import.agency_id,
            {"lines": [rows[0].row_number, rows[-1].row_number], "imported": len(created), "dropped": dropped,
             "record_ids": [created[0][1].id, created[-1][1].id] if created else []},
        )
    return BatchOutcome(len(created), dropped, more=len(rows) == limit)


async def complete_import(session: AsyncSession, import_id: int) -> RecordImport:
    """Mark the import completed and audit it, unless it no longer is importing (a retried call, or cancelled)."""
    record_import = await _locked_import(session, import_id)
    if record_import.status != ImportStatus.IMPORTING:
        return record_import
    record_import.status = ImportStatus.COMPLETED
    record_import.finished_at = utcnow()
    await record_workflow_audit(
        session, record_import.uploaded_by_id, "record_import.complete", "record_import", import_id, "workflow",
        record_import.agency_id,
        {"file_name": record_import.file_name, "sha256": record_import.sha256, "total_rows": record_import.total_rows,
         "imported_rows": record_import.imported_rows, "error_rows": record_import.error_rows,
         "workflow_id": record_import.workflow_id},
    )
    return record_import


async def imported_officers(session: AsyncSession, import_id: int, after_id: int, limit: int) -> list[int]:
    """The next `limit` officers (by id, after `after_id`) who got a record from the import."""
    return list(await session.scalars(
        select(RecordImportRow.officer_id)
        .where(RecordImportRow.import_id == import_id, RecordImportRow.record_id.is_not(None),
               RecordImportRow.officer_id > after_id)
        .group_by(RecordImportRow.officer_id).order_by(RecordImportRow.officer_id).limit(limit)
    ))

"""CSV imports of training records, the coordinator's side: stage a checked file, preview it, start
or cancel it. The import itself runs in batches in a workflow (services.record_import_batches).

Staging checks every row and writes it once, a chunk at a time: one officer lookup and one duplicate
lookup per chunk, never per row, and one bulk insert of the staged rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Row, Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance.wording import format_date
from models import (
    EmploymentStatus,
    ImportStatus,
    OutboxMessage,
    Person,
    RecordImport,
    RecordImportRow,
    record_import_workflow_id,
    utcnow,
)
from services.record_batches import RecordKey, form_json, officer_label, record_key, recorded_keys
from services.record_import_csv import CsvFile, CsvRow
from services.training_records import Page, paginate
from services.workflow_starts import enqueue_record_import

CHUNK = 1000  # rows looked up and inserted per round trip while staging
ERRORS_PAGE = 50
SAMPLE_SIZE = 10
LIST_PAGE = 25


@dataclass(frozen=True)
class Upload:
    agency_id: int
    uploaded_by_id: int  # the coordinator's person id: approver of the records it creates
    file_name: str
    sha256: str


def _chunks(rows: Sequence[CsvRow]) -> Iterator[Sequence[CsvRow]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


class _Officers:
    """The chunk's officers, by badge (within the agency) and by licence number (any agency)."""

    def __init__(self, by_badge: dict[str, Person], by_licence: dict[str, Person]) -> None:
        self.by_badge = by_badge
        self.by_licence = by_licence

    @classmethod
    async def load(cls, session: AsyncSession, agency_id: int, rows: Sequence[CsvRow]) -> _Officers:
        badges = {row.badge_number for row in rows if row.badge_number}
        licences = {row.license_number for row in rows if row.license_number}
        by_badge: dict[str, Person] = {}
        by_licence: dict[str, Person] = {}
        if badges:
            badges |= {badge.upper() for badge in badges}
            people = await session.scalars(select(Person).where(Person.agency_id == agency_id,
                                                                Person.badge_number.in_(badges)))
            by_badge = {person.badge_number.upper(): person for person in people}
        if licences:
            licences |= {licence.upper() for licence in licences}
            people = await session.scalars(select(Person).where(Person.license_number.in_(licences)))
            by_licence = {(person.license_number or "").upper(): person for person in people}
        return cls(by_badge, by_licence)

    def find(self, row: CsvRow) -> Person | str:
        """The row's officer, or why there is none."""
        licensed = self.by_licence.get(row.license_number.upper()) if row.license_number else None
        badged = self.by_badge.get(row.badge_number.upper()) if row.badge_number else None
        if row.license_number and licensed is None:
            return f"No officer in Muster has licence number {row.license_number[:30]}."
        if row.badge_number and not row.license_number and badged is None:
            return f"No officer of your agency has badge number {row.badge_number[:30]}."
        if licensed is not None and row.badge_number and badged is not licensed:
            return "The licence number and the badge number are of different officers."
        person = licensed or badged
        assert person is not None
        return person


def officer_problem(person: Person, row: CsvRow, upload: Upload) -> str | None:
    """Why this officer's record cannot be imported by this coordinator, if it cannot (the leaving date
    is checked only against a completion date that could be read)."""
    if person.agency_id != upload.agency_id:
        return "This licence number belongs to an officer of another agency."
    name = officer_label(person)
    if person.id == upload.uploaded_by_id:
        return "This is your own record: another coordinator must enter it."
    if person.license_number is None and person.license_date is None:
        return f"{name} is not a licensed officer in Muster."
    left = person.separated_on
    completed = row.form.completed_on if row.form else None
    if person.employment_status == EmploymentStatus.SEPARATED and (left is None or (completed and completed > left)):
        when = f" on {format_date(left)}" if left else ""
        return f"{name} left the agency{when}; training completed after leaving cannot be recorded."
    return None


def _staged(import_id: int, row: CsvRow, officer_id: int | None) -> dict[str, object]:
    values: dict[str, object] = {"import_id": import_id, "row_number": row.row_number, "officer_id": officer_id,
                                 "raw": row.raw, "errors": row.errors[:10]}
    if not row.errors and row.form is not None:
        values["parsed"] = form_json(row.form)
    return values


async def _stage_chunk(session: AsyncSession, record_import: RecordImport, upload: Upload,
                       rows: Sequence[CsvRow], seen: dict[RecordKey, int]) -> None:
    officers = await _Officers.load(session, upload.agency_id, rows)
    officer_ids: dict[int, int] = {}
    for row in rows:
        if not (row.badge_number or row.license_number):
            continue
        found = officers.find(row)
        problem = found if isinstance(found, str) else officer_problem(found, row, upload)
        if isinstance(found, Person) and found.agency_id == upload.agency_id:
            officer_ids[row.row_number] = found.id
        if problem:
            row.errors.insert(0, problem)
    candidates = [(officer_ids[row.row_number], row) for row in rows if not row.errors]
    recorded = await recorded_keys(session, {officer for officer, _ in candidates},
                                   {row.form.completed_on for _, row in candidates if row.form})
    for officer_id, row in candidates:
        assert row.form is not None
        key = record_key(officer_id, row.form)
        if key in recorded:
            row.errors.append("Already recorded in Muster (same officer, course, completion date and hours).")
        elif key in seen:
            row.errors.append(f"The same record as line {seen[key]} of this file.")
        else:
            seen[key] = row.row_number
    staged = [_staged(record_import.id, row, officer_ids.get(row.row_number)) for row in rows]
    for group in ([values for values in staged if "parsed" in values], [v for v in staged if "parsed" not in v]):
        # Valid and bad rows go in separate statements: a bad row's `parsed` must stay SQL NULL.
        if group:
            await session.execute(insert(RecordImportRow), group)
    record_import.valid_rows += sum(1 for row in rows if not row.errors)
    record_import.error_rows += sum(1 for row in rows if row.errors)


async def stage_import(session: AsyncSession, upload: Upload, csv_file: CsvFile) -> RecordImport:
    """The import in PREVIEW, every row staged with its errors (in the caller's transaction)."""
    record_import = RecordImport(agency_id=upload.agency_id, uploaded_by_id=upload.uploaded_by_id,
                                 file_name=upload.file_name[:100], sha256=upload.sha256, status=ImportStatus.PREVIEW,
                                 total_rows=len(csv_file.rows), valid_rows=0, error_rows=0, imported_rows=0)
    session.add(record_import)
    await session.flush()
    seen: dict[RecordKey, int] = {}
    for rows in _chunks(csv_file.rows):
        await _stage_chunk(session, record_import, upload, rows, seen)
    return record_import


# --- Reading an import -----------------------------------------------------------------------------


async def load_import(session: AsyncSession, import_id: int) -> RecordImport | None:
    return await session.scalar(
        select(RecordImport).where(RecordImport.id == import_id).options(selectinload(RecordImport.uploaded_by))
    )


async def agency_imports(session: AsyncSession, agency_id: int, page: int) -> Page[RecordImport]:
    stmt, total, page = await paginate(session, select(RecordImport).where(RecordImport.agency_id == agency_id)
                                       .order_by(RecordImport.created_at.desc(), RecordImport.id.desc()),
                                       page, LIST_PAGE)
    rows = list(await session.scalars(stmt.options(selectinload(RecordImport.uploaded_by))))
    return Page(rows=rows, total=total, page=page, size=LIST_PAGE)


def _rows_with_officers(import_id: int) -> Select[RecordImportRow, Person]:
    return (select(RecordImportRow, Person).outerjoin(Person, Person.id == RecordImportRow.officer_id)
            .where(RecordImportRow.import_id == import_id))


async def error_rows(session: AsyncSession, record_import: RecordImport, page: int
                     ) -> Page[Row[RecordImportRow, Person | None]]:
    """The rows with errors, in file order, ERRORS_PAGE a page."""
    total = record_import.error_rows
    page = min(max(page, 1), max(1, -(-total // ERRORS_PAGE)))
    result = await session.execute(
        _rows_with_officers(record_import.id).where(RecordImportRow.parsed.is_(None))
        .order_by(RecordImportRow.row_number).offset((page - 1) * ERRORS_PAGE).limit(ERRORS_PAGE)
    )
    return Page(rows=list(result.all()), total=total, page=page, size=ERRORS_PAGE)


async def sample_rows(session: AsyncSession, record_import: RecordImport
                      ) -> list[Row[RecordImportRow, Person | None]]:
    """The first few valid rows, to check that the columns were read as meant."""
    result = await session.execute(
        _rows_with_officers(record_import.id).where(RecordImportRow.parsed.is_not(None))
        .order_by(RecordImportRow.row_number).limit(SAMPLE_SIZE)
    )
    return list(result.all())


async def earlier_upload(session: AsyncSession, record_import: RecordImport) -> RecordImport | None:
    """An earlier import of the very same file by the agency, if any (cancelled ones aside)."""
    return await session.scalar(
        select(RecordImport).where(RecordImport.agency_id == record_import.agency_id,
                                   RecordImport.sha256 == record_import.sha256, RecordImport.id < record_import.id,
                                   RecordImport.status != ImportStatus.CANCELLED)
        .order_by(RecordImport.id.desc()).limit(1)
    )


# --- Starting and cancelling -----------------------------------------------------------------------


async def start_import(session: AsyncSession, record_import: RecordImport, workflow_id_prefix: str
                       ) -> OutboxMessage | str:
    """Queue the import's workflow (in the caller's transaction), or why it cannot start."""
    if record_import.status == ImportStatus.CANCELLED:
        return "This import was cancelled. Upload the file again to import it."
    if record_import.status != ImportStatus.PREVIEW:
        return "This import has already started."
    if record_import.valid_rows == 0:
        return "There are no valid rows to import. Correct the file and upload it again."
    record_import.status = ImportStatus.IMPORTING
    record_import.started_at = utcnow()
    record_import.workflow_id = record_import_workflow_id(record_import.id, workflow_id_prefix)
    return await enqueue_record_import(session, record_import.id, record_import.workflow_id)


async def cancel_import(session: AsyncSession, record_import: RecordImport) -> str | None:
    """Cancel an import still in preview and drop its staged rows; or why it cannot be cancelled."""
    if record_import.status != ImportStatus.PREVIEW:
        return "Only an import that has not started can be cancelled."
    record_import.status = ImportStatus.CANCELLED
    record_import.finished_at = utcnow()
    await session.execute(delete(RecordImportRow).where(RecordImportRow.import_id == record_import.id))
    return None

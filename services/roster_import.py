"""CSV imports of the roster, the coordinator's side: stage a checked file, preview it (rows by kind, and
the people the file leaves out), start or cancel it. Applying runs in batches in a workflow
(services.roster_import_batches).

Nothing happens to people missing from the file: they are listed for the coordinator, who separates
anyone who has left by hand on the person's roster page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import (
    EmploymentStatus,
    ImportStatus,
    Person,
    RosterImport,
    RosterImportRow,
    RosterRowKind,
    roster_import_workflow_id,
    utcnow,
)
from services.roster_import_csv import RosterCsvFile
from services.roster_import_roster import RosterIndex
from services.roster_import_rows import FileSoFar, classify
from services.roster_people import roster_choices
from services.training_records import Page, paginate

CHUNK = 1000  # staged rows inserted per statement
ROWS_PAGE = 50
LIST_PAGE = 25
KINDS = (RosterRowKind.PROBLEM, RosterRowKind.UPDATE, RosterRowKind.NEW, RosterRowKind.UNCHANGED)
MISSING = "missing"  # the preview's tab for people on the roster the file leaves out


@dataclass(frozen=True)
class Upload:
    agency_id: int
    uploaded_by_id: int  # the coordinator's person id
    uploaded_by_account_id: int  # whose changes the roster's audit rows record
    file_name: str
    sha256: str


async def stage_import(db: AsyncSession, upload: Upload, csv_file: RosterCsvFile) -> RosterImport:
    """The import in PREVIEW, every row classified and staged (in the caller's transaction)."""
    roster_import = RosterImport(
        agency_id=upload.agency_id, uploaded_by_id=upload.uploaded_by_id,
        uploaded_by_account_id=upload.uploaded_by_account_id, file_name=upload.file_name[:100],
        sha256=upload.sha256, status=ImportStatus.PREVIEW, total_rows=len(csv_file.rows), new_rows=0,
        update_rows=0, unchanged_rows=0, error_rows=0, applied_rows=0)
    db.add(roster_import)
    await db.flush()
    index = await RosterIndex.load(db, upload.agency_id, (row.cell("license_number") for row in csv_file.rows))
    choices = await roster_choices(db, upload.agency_id)
    columns = set(csv_file.rows[0].raw) if csv_file.rows else set()
    so_far = FileSoFar()
    staged: list[dict[str, object]] = []
    counts = dict.fromkeys(RosterRowKind, 0)
    for row in csv_file.rows:
        result = classify(row, index, so_far, choices, columns)
        counts[result.kind] += 1
        staged.append({"import_id": roster_import.id, "row_number": row.row_number, "kind": result.kind,
                       "person_id": result.person_id, "raw": row.raw, "values": result.values,
                       "changes": result.changes, "errors": result.errors})
    # Rows with values and rows without go in separate statements: a missing `values` must stay SQL NULL.
    for group in ([v for v in staged if v["values"] is not None], [v for v in staged if v["values"] is None]):
        for start in range(0, len(group), CHUNK):
            if group[start:start + CHUNK]:
                await db.execute(insert(RosterImportRow),
                                 [{k: v for k, v in values.items() if v is not None or k != "values"}
                                  for values in group[start:start + CHUNK]])
    roster_import.new_rows, roster_import.update_rows = counts[RosterRowKind.NEW], counts[RosterRowKind.UPDATE]
    roster_import.unchanged_rows, roster_import.error_rows = (counts[RosterRowKind.UNCHANGED],
                                                              counts[RosterRowKind.PROBLEM])
    return roster_import


# --- Reading an import -----------------------------------------------------------------------------


async def load_import(db: AsyncSession, import_id: int) -> RosterImport | None:
    return await db.scalar(select(RosterImport).where(RosterImport.id == import_id)
                           .options(selectinload(RosterImport.uploaded_by)))


async def agency_imports(db: AsyncSession, agency_id: int, page: int) -> Page[RosterImport]:
    stmt, total, page = await paginate(db, select(RosterImport).where(RosterImport.agency_id == agency_id)
                                       .order_by(RosterImport.created_at.desc(), RosterImport.id.desc()),
                                       page, LIST_PAGE)
    rows = list(await db.scalars(stmt.options(selectinload(RosterImport.uploaded_by))))
    return Page(rows=rows, total=total, page=page, size=LIST_PAGE)


async def rows_of_kind(db: AsyncSession, roster_import: RosterImport, kind: str, page: int
                       ) -> Page[RosterImportRow]:
    """One kind's rows in file order, ROWS_PAGE a page."""
    stmt, total, page = await paginate(db, select(RosterImportRow).where(
        RosterImportRow.import_id == roster_import.id, RosterImportRow.kind == kind)
        .order_by(RosterImportRow.row_number), page, ROWS_PAGE)
    return Page(rows=list(await db.scalars(stmt)), total=total, page=page, size=ROWS_PAGE)


def _missing(roster_import: RosterImport) -> Select[Person]:
    in_file = select(RosterImportRow.person_id).where(RosterImportRow.import_id == roster_import.id,
                                                      RosterImportRow.person_id.is_not(None))
    return (select(Person).where(Person.agency_id == roster_import.agency_id,
                                 Person.employment_status != EmploymentStatus.SEPARATED, Person.id.not_in(in_file))
            .order_by(Person.last_name, Person.first_name, Person.id))


async def missing_people(db: AsyncSession, roster_import: RosterImport, page: int) -> Page[Person]:
    """People employed by the agency whom no row of the file names: for the coordinator to decide about."""
    stmt, total, page = await paginate(db, _missing(roster_import), page, ROWS_PAGE)
    return Page(rows=list(await db.scalars(stmt.options(selectinload(Person.unit)))), total=total, page=page,
                size=ROWS_PAGE)


async def earlier_upload(db: AsyncSession, roster_import: RosterImport) -> RosterImport | None:
    """An earlier import of the very same file by the agency, if any (cancelled ones aside)."""
    return await db.scalar(
        select(RosterImport).where(RosterImport.agency_id == roster_import.agency_id,
                                   RosterImport.sha256 == roster_import.sha256, RosterImport.id < roster_import.id,
                                   RosterImport.status != ImportStatus.CANCELLED)
        .order_by(RosterImport.id.desc()).limit(1))


# --- Starting and cancelling -----------------------------------------------------------------------


def confirm_import(roster_import: RosterImport, workflow_id_prefix: str) -> str | None:
    """Mark the import confirmed, its workflow named (the caller commits, then starts it); or why not."""
    if roster_import.status == ImportStatus.CANCELLED:
        return "This import was cancelled. Upload the file again to import it."
    if roster_import.status != ImportStatus.PREVIEW:
        return "This import has already started."
    if roster_import.valid_rows == 0:
        return "There is nothing to import: no row is new or changes anyone. Correct the file and upload it again."
    roster_import.status = ImportStatus.IMPORTING
    roster_import.workflow_id = roster_import_workflow_id(roster_import.id, workflow_id_prefix)
    return None


async def cancel_import(db: AsyncSession, roster_import: RosterImport) -> str | None:
    """Cancel an import still in preview and drop its staged rows; or why it cannot be cancelled."""
    if roster_import.status != ImportStatus.PREVIEW:
        return "Only an import that has not started can be cancelled."
    roster_import.status = ImportStatus.CANCELLED
    roster_import.finished_at = utcnow()
    await db.execute(delete(RosterImportRow).where(RosterImportRow.import_id == roster_import.id))
    return None

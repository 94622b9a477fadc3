"""Coordinators and administrators import the roster from a CSV file: upload, a preview of every row
(new, update with what changes, unchanged, problem) and of the people the file leaves out, then the
import, whose progress bar the page polls (htmx) until the workflow has finished.

The size cap is checked on the declared length before the body is read (413), the content is checked
to be CSV text, and every row is staged before anyone is hired or changed. Refusals are audited; an
import of another agency answers 404.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome, ImportStatus, RosterImport, RosterRowKind
from portal.layout import client_ip, current_user, page
from portal.uploads import IMPORT_BODY, import_too_large
from services import roster_import as service
from services import roster_import_csv as csv_format
from services.access import can_manage_roster, can_manage_roster_import
from services.audit import record_audit
from services.training_records import page_number
from services.workflow_starts import dispatch_one, enqueue_roster_import
from settings import Settings
from storage.validation import describe_size, safe_file_name

OBJECT_TYPE = "roster_import"
TABS = {RosterRowKind.PROBLEM: "Problems", RosterRowKind.UPDATE: "Updates", RosterRowKind.NEW: "New people",
        RosterRowKind.UNCHANGED: "Unchanged", service.MISSING: "Not in the file"}


def audit(request: Request, db: AsyncSession, action: str, object_id: int, outcome: AuditOutcome,
          detail: dict[str, Any] | None = None) -> None:
    user = current_user(request)
    record_audit(db, user.id, user.audit_label, action, OBJECT_TYPE, object_id, outcome, client_ip(request),
                 user.agency_id, detail)


async def roster_keepers_only(request: Request, db: AsyncSession, action: str) -> None:
    """Roster imports are for coordinators and administrators; anyone else is refused, and `action` audited."""
    user = current_user(request)
    if not can_manage_roster(user):
        audit(request, db, action, 0, AuditOutcome.DENIED)
        await db.commit()
        raise PermissionDeniedException()


async def _import(request: Request, db: AsyncSession, import_id: int, action: str) -> RosterImport:
    await roster_keepers_only(request, db, action)
    roster_import = await service.load_import(db, import_id)
    if roster_import is None or not can_manage_roster_import(current_user(request), roster_import.agency_id):
        audit(request, db, action, import_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return roster_import


# --- List, upload form, template -------------------------------------------------------------------


@get("/roster/imports")
async def import_list(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await roster_keepers_only(request, db, "roster_import.list")
    imports = await service.agency_imports(db, current_user(request).agency_id,
                                           page_number(request.query_params.get("page")))
    return await page(request, db, "roster_import/list.html", imports=imports)


async def _upload_page(request: Request, db: AsyncSession, error: str | None = None, status_code: int = 200
                       ) -> Template:
    settings: Settings = request.app.state.settings
    return await page(request, db, "roster_import/new.html", status_code=status_code, error=error,
                      max_size=describe_size(settings.max_import_bytes), max_rows=csv_format.MAX_ROSTER_ROWS,
                      aliases=csv_format.ALIASES, labels=csv_format.LABELS)


@get("/roster/imports/new")
async def new_import_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await roster_keepers_only(request, db, "roster_import.upload")
    return await _upload_page(request, db)


@get("/roster/imports/template.csv")
async def import_template(request: Request, db: NamedDependency[AsyncSession]) -> Response:
    await roster_keepers_only(request, db, "roster_import.template")
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_format.TEMPLATE_HEADER)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="muster-roster.csv"'})


@post("/roster/imports/new", status_code=200, opt=IMPORT_BODY)
async def upload_import(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
                        ) -> Template | Redirect:
    await roster_keepers_only(request, db, "roster_import.upload")
    user = current_user(request)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        return await _upload_page(request, db, "Choose the CSV file to import.", 422)
    data = await upload.read()
    name = safe_file_name(upload.filename or "", "roster.csv")
    if len(data) > settings.max_import_bytes:
        return await _upload_page(request, db, import_too_large(settings), 413)
    if user.person_id is None:
        return await _upload_page(request, db, "Your account has no roster profile: imports need one.", 422)
    # Reading 20,000 rows takes a moment of CPU: keep it off the event loop.
    parsed = await asyncio.to_thread(csv_format.read_roster, data)
    if isinstance(parsed, csv_format.FileRefusal):
        audit(request, db, "roster_import.upload", 0, AuditOutcome.DENIED,
              {"file_name": name, "size": len(data), "reason": parsed.message})
        await db.commit()
        return await _upload_page(request, db, parsed.message, 422)
    staged = service.Upload(agency_id=user.agency_id, uploaded_by_id=user.person_id, uploaded_by_account_id=user.id,
                            file_name=name, sha256=hashlib.sha256(data).hexdigest())
    roster_import = await service.stage_import(db, staged, parsed)
    audit(request, db, "roster_import.upload", roster_import.id, AuditOutcome.SUCCESS,
          {"file_name": name, "sha256": staged.sha256, "size": len(data), "rows": roster_import.total_rows,
           "new_rows": roster_import.new_rows, "update_rows": roster_import.update_rows,
           "unchanged_rows": roster_import.unchanged_rows, "error_rows": roster_import.error_rows,
           "ignored_columns": parsed.ignored_columns})
    await db.commit()
    return Redirect(f"/roster/imports/{roster_import.id}", status_code=303)


# --- One import: preview, progress, summary --------------------------------------------------------


def _tab(request: Request, roster_import: RosterImport) -> str:
    asked = request.query_params.get("show", "")
    if asked in TABS:
        return asked
    return RosterRowKind.PROBLEM if roster_import.error_rows else RosterRowKind.UPDATE


async def _detail(request: Request, db: AsyncSession, roster_import: RosterImport, error: str | None = None,
                  status_code: int = 200) -> Template:
    tab = _tab(request, roster_import)
    number = page_number(request.query_params.get("page"))
    listing = (await service.missing_people(db, roster_import, number) if tab == service.MISSING
               else await service.rows_of_kind(db, roster_import, tab, number))
    missing = await service.missing_people(db, roster_import, 1)
    return await page(
        request, db, "roster_import/detail.html", status_code=status_code, imp=roster_import, error=error,
        tab=tab, tabs=TABS, listing=listing, missing_total=missing.total, Status=ImportStatus, Kind=RosterRowKind,
        earlier=await service.earlier_upload(db, roster_import) if roster_import.status == ImportStatus.PREVIEW
        else None,
    )


async def _refused(request: Request, db: AsyncSession, roster_import: RosterImport, action: str, reason: str
                   ) -> Template:
    """The import's page again with why `action` cannot be done (409), the refusal audited."""
    audit(request, db, action, roster_import.id, AuditOutcome.FAILURE, {"reason": reason})
    await db.commit()
    return await _detail(request, db, roster_import, reason, 409)


@get("/roster/imports/{import_id:int}")
async def import_detail(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]) -> Template:
    return await _detail(request, db, await _import(request, db, import_id, "roster_import.view"))


@get("/roster/imports/{import_id:int}/progress")
async def import_progress(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]
                          ) -> Template:
    """The progress bar, for htmx to poll while the import runs (with the page's status line)."""
    roster_import = await _import(request, db, import_id, "roster_import.view")
    return Template(template_name="roster_import/_progress.html",
                    context={"imp": roster_import, "Status": ImportStatus, "out_of_band": True})


@post("/roster/imports/{import_id:int}/start", status_code=200)
async def start_import(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                       settings: NamedDependency[Settings], import_id: FromPath[int]) -> Template | Redirect:
    roster_import = await _import(request, db, import_id, "roster_import.start")
    if roster_import.status == ImportStatus.COMPLETED:  # a click on a stale page
        return Redirect(f"/roster/imports/{import_id}", status_code=303)
    if roster_import.status == ImportStatus.IMPORTING:  # a second click: the start is queued already
        return Redirect(f"/roster/imports/{import_id}", status_code=303)
    refusal = service.confirm_import(roster_import, settings.workflow_id_prefix)
    if refusal is not None:
        return await _refused(request, db, roster_import, "roster_import.start", refusal)
    assert roster_import.workflow_id is not None  # confirm_import names it
    # The workflow start commits with the confirmation; the relay delivers it if Temporal is down now.
    message = await enqueue_roster_import(db, import_id, roster_import.workflow_id)
    audit(request, db, "roster_import.start", import_id, AuditOutcome.SUCCESS,
          {"new_rows": roster_import.new_rows, "update_rows": roster_import.update_rows,
           "workflow_id": roster_import.workflow_id})
    await db.commit()
    await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect(f"/roster/imports/{import_id}", status_code=303)


@post("/roster/imports/{import_id:int}/cancel", status_code=200)
async def cancel_import(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]
                        ) -> Template | Redirect:
    roster_import = await _import(request, db, import_id, "roster_import.cancel")
    refusal = await service.cancel_import(db, roster_import)
    if refusal is not None:
        return await _refused(request, db, roster_import, "roster_import.cancel", refusal)
    audit(request, db, "roster_import.cancel", import_id, AuditOutcome.SUCCESS,
          {"total_rows": roster_import.total_rows, "error_rows": roster_import.error_rows})
    await db.commit()
    return Redirect("/roster/imports", status_code=303)


ROUTES = [import_list, new_import_form, import_template, upload_import, import_detail, import_progress,
          start_import, cancel_import]

"""Coordinators import training records from a CSV file: upload, a preview with every row's errors,
then the import, whose progress bar the page polls (htmx) until the workflow has finished.

The size cap is checked on the declared length before the body is read (413), the content is
checked to be CSV text, and every row is staged with its errors before anything becomes a record.
Refusals are audited; an import of another agency answers 404.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome, ImportStatus, RecordImport
from portal.layout import current_user, page
from portal.routes.bulk_entry import coordinator_only
from portal.routes.records import audit as records_audit
from portal.uploads import IMPORT_BODY, import_too_large
from services import record_import as service
from services import record_import_csv as csv_format
from services import training_records as records_service
from services.access import can_manage_record_import
from services.agency_topics import agency_topics
from services.training_requests import list_topics
from services.workflow_starts import dispatch_one
from settings import Settings
from storage.validation import describe_size, safe_file_name

OBJECT_TYPE = "record_import"


def audit(request: Request, db: AsyncSession, action: str, object_id: int, outcome: AuditOutcome,
          detail: dict[str, object] | None = None) -> None:
    records_audit(request, db, action, OBJECT_TYPE, object_id, outcome, detail)


async def _import(request: Request, db: AsyncSession, import_id: int, action: str) -> RecordImport:
    await coordinator_only(request, db, action)
    record_import = await service.load_import(db, import_id)
    if record_import is None or not can_manage_record_import(current_user(request), record_import.agency_id):
        audit(request, db, action, import_id, AuditOutcome.DENIED)
        await db.commit()
        raise NotFoundException()
    return record_import


# --- List, upload form, template -------------------------------------------------------------------


@get("/records/imports")
async def import_list(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await coordinator_only(request, db, "record_import.list")
    page_number = records_service.page_number(request.query_params.get("page"))
    imports = await service.agency_imports(db, current_user(request).agency_id, page_number)
    return await page(request, db, "records/imports/list.html", imports=imports)


async def _upload_page(request: Request, db: AsyncSession, error: str | None = None, status_code: int = 200
                       ) -> Template:
    settings: Settings = request.app.state.settings
    return await page(
        request, db, "records/imports/new.html", status_code=status_code, error=error,
        max_size=describe_size(settings.max_import_bytes), max_rows=csv_format.MAX_IMPORT_ROWS,
        topics=await agency_topics(db, current_user(request).agency_id),
        aliases=csv_format.ALIASES, labels=csv_format.LABELS,
    )


@get("/records/imports/new")
async def new_import_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await coordinator_only(request, db, "record_import.upload")
    return await _upload_page(request, db)


@get("/records/imports/template.csv")
async def import_template(request: Request, db: NamedDependency[AsyncSession]) -> Response:
    await coordinator_only(request, db, "record_import.template")
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_format.TEMPLATE_HEADER)
    return Response(buffer.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="muster-training-records.csv"'})


@post("/records/imports/new", status_code=200, opt=IMPORT_BODY)
async def upload_import(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
                        ) -> Template | Redirect:
    await coordinator_only(request, db, "record_import.upload")
    user = current_user(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return await _upload_page(request, db, "Choose the CSV file to import.", 422)
    data = await upload.read()
    name = safe_file_name(upload.filename or "", "records.csv")
    if len(data) > settings.max_import_bytes:
        return await _upload_page(request, db, import_too_large(settings), 413)
    if user.person_id is None:
        return await _upload_page(request, db, "Your account has no roster profile: imports need one.", 422)
    today = await records_service.agency_today(db, user.agency_id)
    topic_codes = (await agency_topics(db, user.agency_id)).codes
    # Reading 50,000 rows takes a moment of CPU: keep it off the event loop.
    parsed = await asyncio.to_thread(csv_format.read_rows, data, today, topic_codes)
    if isinstance(parsed, csv_format.FileRefusal):
        audit(request, db, "record_import.upload", 0, AuditOutcome.DENIED,
              {"file_name": name, "size": len(data), "reason": parsed.message})
        await db.commit()
        return await _upload_page(request, db, parsed.message, 422)
    staged = service.Upload(agency_id=user.agency_id, uploaded_by_id=user.person_id, file_name=name,
                            sha256=hashlib.sha256(data).hexdigest())
    record_import = await service.stage_import(db, staged, parsed)
    audit(request, db, "record_import.upload", record_import.id, AuditOutcome.SUCCESS,
          {"file_name": name, "sha256": staged.sha256, "size": len(data), "rows": record_import.total_rows,
           "valid_rows": record_import.valid_rows, "error_rows": record_import.error_rows,
           "ignored_columns": parsed.ignored_columns})
    await db.commit()
    return Redirect(f"/records/imports/{record_import.id}", status_code=303)


# --- One import: preview, progress, summary --------------------------------------------------------


async def _detail(request: Request, db: AsyncSession, record_import: RecordImport, error: str | None = None,
                  status_code: int = 200) -> Template:
    preview = record_import.status == ImportStatus.PREVIEW
    page_number = records_service.page_number(request.query_params.get("page"))
    return await page(
        request, db, "records/imports/detail.html", status_code=status_code, imp=record_import, error=error,
        errors=await service.error_rows(db, record_import, page_number),
        sample=await service.sample_rows(db, record_import) if preview else [],
        earlier=await service.earlier_upload(db, record_import) if preview else None,
        Status=ImportStatus, topic_names={topic.code: topic.name for topic in await list_topics(db)},
    )


async def _refused(request: Request, db: AsyncSession, record_import: RecordImport, action: str, reason: str
                   ) -> Template:
    """The import's page again with why `action` cannot be done (409), the refusal audited."""
    audit(request, db, action, record_import.id, AuditOutcome.FAILURE, {"reason": reason})
    await db.commit()
    return await _detail(request, db, record_import, reason, 409)


@get("/records/imports/{import_id:int}")
async def import_detail(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]) -> Template:
    return await _detail(request, db, await _import(request, db, import_id, "record_import.view"))


@get("/records/imports/{import_id:int}/progress")
async def import_progress(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]
                          ) -> Template:
    """The progress bar, for htmx to poll while the import runs (with the page's status and count)."""
    record_import = await _import(request, db, import_id, "record_import.view")
    return Template(template_name="records/imports/_progress.html",
                    context={"imp": record_import, "Status": ImportStatus, "out_of_band": True})


@post("/records/imports/{import_id:int}/start", status_code=200)
async def start_import(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                       settings: NamedDependency[Settings], import_id: FromPath[int]) -> Template | Redirect:
    record_import = await _import(request, db, import_id, "record_import.start")
    if record_import.status in {ImportStatus.IMPORTING, ImportStatus.COMPLETED}:  # a second click
        return Redirect(f"/records/imports/{import_id}", status_code=303)
    started = await service.start_import(db, record_import, settings.workflow_id_prefix)
    if isinstance(started, str):
        return await _refused(request, db, record_import, "record_import.start", started)
    audit(request, db, "record_import.start", import_id, AuditOutcome.SUCCESS,
          {"valid_rows": record_import.valid_rows, "workflow_id": record_import.workflow_id})
    await db.commit()
    # Now if Temporal answers; otherwise the worker's outbox relay starts it when it is back.
    await dispatch_one(request.app.state.session_factory, temporal, started.id, settings.task_queue)
    return Redirect(f"/records/imports/{import_id}", status_code=303)


@post("/records/imports/{import_id:int}/cancel", status_code=200)
async def cancel_import(request: Request, db: NamedDependency[AsyncSession], import_id: FromPath[int]
                        ) -> Template | Redirect:
    record_import = await _import(request, db, import_id, "record_import.cancel")
    refusal = await service.cancel_import(db, record_import)
    if refusal is not None:
        return await _refused(request, db, record_import, "record_import.cancel", refusal)
    audit(request, db, "record_import.cancel", import_id, AuditOutcome.SUCCESS,
          {"valid_rows": record_import.valid_rows, "error_rows": record_import.error_rows})
    await db.commit()
    return Redirect("/records/imports", status_code=303)


ROUTES = [import_list, new_import_form, import_template, upload_import, import_detail, import_progress,
          start_import, cancel_import]

"""Reports people hand to others: the agency compliance report (command staff, coordinators, administrators)
and a supervisor's team roster, as PDF, workbook or CSV. Large ones are made in the background: their page
shows a progress bar, then a download link for the person who asked, and nobody else.

Permission is checked before anything is read (services.access); every export, download and refusal is
audited. Building and writing the report are the services' (services/compliance_report.py,
services/report_exports.py, services/report_export_jobs.py); these handlers parse, check and choose.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import File, Redirect, Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_date
from models import AuditOutcome, ExportKind, ExportStatus, Person, ReportExport, Unit, utcnow
from portal.errors import error_page
from portal.layout import current_user, page
from portal.routes.records import audit
from services import agency_compliance as compliance
from services import report_export_jobs as jobs
from services.access import CurrentUser, can_view_agency_compliance, can_view_team
from services.agency_officers import parse_id
from services.compliance_report import ComplianceReport, agency_report, team_report
from services.report_exports import (
    AGENCY_FORMATS,
    BACKGROUND_FROM_OFFICERS,
    FORMATS,
    TEAM_FORMATS,
    ExportFormat,
    csv_stream,
    export_to_temporary_file,
    file_name,
    parse_format,
    runs_in_background,
)
from services.time_zones import agency_time_zone
from settings import Settings
from storage import ObjectNotFound, StorageError, store_from_settings
from storage.serving import content_disposition, download_headers
from storage.validation import describe_size

EXPORT = "report.export"
DOWNLOAD = "report.download"
VIEW_EXPORT = "report_export.view"
STATUS_LABELS = {ExportStatus.QUEUED: "Waiting to start", ExportStatus.RUNNING: "Being made",
                 ExportStatus.DONE: "Ready", ExportStatus.FAILED: "Not made"}


def _background_threshold(request: Request) -> int:
    """Officers above which a PDF or workbook is made in the background; an installation (or a test) may set
    the app state's `report_background_officers`."""
    configured = request.app.state.get("report_background_officers")
    return BACKGROUND_FROM_OFFICERS if configured is None else int(configured)


async def _refuse(request: Request, db: AsyncSession, object_type: str, object_id: int) -> None:
    audit(request, db, EXPORT, object_type, object_id, AuditOutcome.DENIED, {"path": request.url.path})
    await db.commit()
    raise PermissionDeniedException()


async def _agency_or_refuse(request: Request, db: AsyncSession) -> None:
    user = current_user(request)
    if not can_view_agency_compliance(user):
        await _refuse(request, db, "agency", user.agency_id)


async def _supervisor_or_refuse(request: Request, db: AsyncSession) -> Person:
    user = current_user(request)
    if not can_view_team(user) or user.person_id is None:
        await _refuse(request, db, "person", user.person_id or 0)
    return await db.get_one(Person, user.person_id)


def _scope_object(report: ComplianceReport) -> tuple[str, int]:
    scope = report.scope
    if scope.supervisor_id is not None:
        return "person", scope.supervisor_id
    return ("unit", scope.unit_id) if scope.unit_id is not None else ("agency", scope.agency_id)


async def _export(request: Request, db: AsyncSession, temporal: Client, settings: Settings,
                  report: ComplianceReport, fmt: ExportFormat) -> Response[Any]:
    """The file now (a CSV streams; a small PDF or workbook is written, then sent), or, for a large PDF or
    workbook, a background job and its page. Audited with the format, scope and number of officers."""
    detail: dict[str, Any] = {"format": fmt.value, **report.scope.as_detail(), "rows": report.header.officers}
    if runs_in_background(fmt, report.header.officers, _background_threshold(request)):
        job = await jobs.queue_export(db, current_user(request), report, fmt, settings.workflow_id_prefix)
        audit(request, db, EXPORT, "report_export", job.id, AuditOutcome.SUCCESS, {**detail, "background": True})
        await db.commit()
        await jobs.start_export(db, temporal, job, settings.task_queue)
        return Redirect(f"/reports/exports/{job.id}", status_code=303)
    object_type, object_id = _scope_object(report)
    audit(request, db, EXPORT, object_type, object_id, AuditOutcome.SUCCESS, detail)
    await db.commit()
    factory = request.app.state.session_factory
    name, media_type = file_name(report, fmt), FORMATS[fmt].media_type
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if fmt == ExportFormat.CSV:
        return Stream(csv_stream(factory, report), media_type=media_type,
                      headers={**headers, "Content-Disposition": content_disposition(name)})
    path = await export_to_temporary_file(factory, report, fmt)
    return File(path, filename=name, media_type=media_type, headers=headers,
                background=BackgroundTask(path.unlink, missing_ok=True))


async def _recent(db: AsyncSession, user: CurrentUser, kind: ExportKind) -> dict[str, Any]:
    """The user's latest background exports, for the list under the form."""
    return {"recent": await jobs.recent_exports(db, user, kind), "zone": await agency_time_zone(db, user.agency_id),
            "status_labels": STATUS_LABELS, "format_date": format_date}


# --- The agency compliance report ----------------------------------------------------------------


async def _agency_page(request: Request, db: AsyncSession, chosen: int | None, fmt: str,
                       errors: dict[str, str] | None = None) -> Template:
    user = current_user(request)
    return await page(
        request, db, "reports/agency.html",
        units=await compliance.unit_rows(db, user.agency_id), chosen=chosen, chosen_format=fmt,
        formats=[(f.value, FORMATS[f].label) for f in AGENCY_FORMATS], errors=errors or {},
        threshold=_background_threshold(request), **await _recent(db, user, ExportKind.AGENCY),
    )


@get("/reports/agency")
async def agency_report_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _agency_or_refuse(request, db)
    unit_id = parse_id(str(request.query_params.get("unit") or "").strip()[:20])
    return await _agency_page(request, db, unit_id, ExportFormat.PDF)


@post("/reports/agency/export", status_code=200)
async def export_agency_report(request: Request, db: NamedDependency[AsyncSession],
                               temporal: NamedDependency[Client], settings: NamedDependency[Settings]
                               ) -> Response[Any]:
    await _agency_or_refuse(request, db)
    agency_id = current_user(request).agency_id
    form = await request.form()
    raw_format, raw_unit = str(form.get("format") or "")[:20], str(form.get("unit") or "").strip()[:20]
    fmt, unit_id = parse_format(raw_format, AGENCY_FORMATS), parse_id(raw_unit)
    errors = {}
    if fmt is None:
        errors["format"] = "Choose a format from the list."
    if raw_unit and unit_id is None:
        errors["unit"] = "Choose a unit from the list."
    if errors or fmt is None:
        return await _agency_page(request, db, unit_id, raw_format, errors)
    unit: Unit | None = None
    if unit_id is not None:
        unit = await compliance.agency_unit(db, agency_id, unit_id)
        if unit is None:  # another agency's unit is as good as missing
            audit(request, db, EXPORT, "unit", unit_id, AuditOutcome.DENIED, {"path": request.url.path})
            await db.commit()
            raise NotFoundException()
    report = await agency_report(db, agency_id, unit, utcnow())
    return await _export(request, db, temporal, settings, report, fmt)


# --- A supervisor's team roster ------------------------------------------------------------------


async def _team_page(request: Request, db: AsyncSession, fmt: str, errors: dict[str, str] | None = None
                     ) -> Template:
    return await page(
        request, db, "reports/team.html",
        formats=[(f.value, FORMATS[f].label) for f in TEAM_FORMATS], chosen_format=fmt, errors=errors or {},
        threshold=_background_threshold(request), **await _recent(db, current_user(request), ExportKind.TEAM),
    )


@get("/reports/team")
async def team_roster_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _supervisor_or_refuse(request, db)
    return await _team_page(request, db, ExportFormat.CSV)


@post("/reports/team/export", status_code=200)
async def export_team_roster(request: Request, db: NamedDependency[AsyncSession],
                             temporal: NamedDependency[Client], settings: NamedDependency[Settings]
                             ) -> Response[Any]:
    supervisor = await _supervisor_or_refuse(request, db)
    raw_format = str((await request.form()).get("format") or "")[:20]
    fmt = parse_format(raw_format, TEAM_FORMATS)
    if fmt is None:
        return await _team_page(request, db, raw_format, {"format": "Choose a format from the list."})
    report = await team_report(db, supervisor, utcnow())
    return await _export(request, db, temporal, settings, report, fmt)


# --- Exports made in the background --------------------------------------------------------------


async def _own_export(request: Request, db: AsyncSession, export_id: int, action: str) -> ReportExport:
    """The export, if it is the user's; anyone else's (or none) is refused as not found, and audited."""
    job = await jobs.own_export(db, current_user(request), export_id)
    if job is None:
        audit(request, db, action, "report_export", export_id, AuditOutcome.DENIED, {"path": request.url.path})
        await db.commit()
        raise NotFoundException()
    return job


def _job_context(job: ReportExport) -> dict[str, Any]:
    return {"job": job, "Status": ExportStatus, "format_label": FORMATS[ExportFormat(job.format)].label,
            "size_label": describe_size(job.size_bytes or 0),
            "back": "/reports/team" if job.kind == ExportKind.TEAM else "/reports/agency"}


@get("/reports/exports/{export_id:int}")
async def export_page(request: Request, db: NamedDependency[AsyncSession], export_id: FromPath[int]) -> Template:
    job = await _own_export(request, db, export_id, VIEW_EXPORT)
    return await page(request, db, "reports/export.html", **_job_context(job))


@get("/reports/exports/{export_id:int}/progress")
async def export_progress(request: Request, db: NamedDependency[AsyncSession], export_id: FromPath[int]
                          ) -> Template:
    """The progress bar, for htmx to poll every 2 seconds until the file is ready (or has failed)."""
    job = await _own_export(request, db, export_id, VIEW_EXPORT)
    return Template(template_name="reports/_progress.html", context=_job_context(job))


@get("/reports/exports/{export_id:int}/download")
async def export_download(request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
                          export_id: FromPath[int]) -> Response[Any]:
    job = await _own_export(request, db, export_id, DOWNLOAD)
    if job.status != ExportStatus.DONE:
        return Redirect(f"/reports/exports/{job.id}", status_code=303)
    try:
        data = await store_from_settings(settings).get(job.object_key)
    except ObjectNotFound:
        return error_page(404, "The file of this report is missing. Please make the report again.")
    except StorageError:
        return error_page(503, "The file cannot be read right now. Please try again in a few minutes.")
    audit(request, db, DOWNLOAD, "report_export", job.id, AuditOutcome.SUCCESS,
          {"format": job.format, "kind": job.kind, "rows": job.done_rows})
    await db.commit()
    media_type = FORMATS[ExportFormat(job.format)].media_type
    return Response(data, headers=download_headers(job.file_name, media_type), media_type=media_type)


ROUTES = [agency_report_page, export_agency_report, team_roster_page, export_team_roster, export_page,
          export_progress, export_download]

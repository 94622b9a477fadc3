"""The audit trail for coordinators and administrators: search, page through, export as CSV.

Both the search and the export are themselves audited, with their filters.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Stream, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, Role
from portal.layout import client_ip, current_user, page
from portal.local_time import reader_zone
from services.access import can_view_audit_log, has_role
from services.audit import AuditQuery, audit_csv, audit_page, record_audit
from services.form_text import parse_date

PAGE_SIZE = 50
_TEXT_FILTERS = ("actor", "action", "object_type", "object_id")


def _query(request: Request) -> tuple[AuditQuery, dict[str, str], dict[str, str]]:
    """The filters, their raw values (to refill the form) and a message per bad field."""
    params = request.query_params
    raw = {key: str(params.get(key) or "").strip()[:100] for key in (*_TEXT_FILTERS, "outcome", "from", "to")}
    errors: dict[str, str] = {}
    if raw["outcome"] not in ("", *AuditOutcome):
        errors["outcome"] = "Choose an outcome from the list."
    dates = {}
    for key in ("from", "to"):
        dates[key] = parse_date(raw[key])
        if raw[key] and dates[key] is None:
            errors[key] = "Enter a date as YYYY-MM-DD."
    query = AuditQuery(
        agency_id=current_user(request).agency_id,
        with_unknown_accounts=has_role(current_user(request), Role.ADMIN),
        **{key: raw[key] for key in _TEXT_FILTERS},
        outcome="" if "outcome" in errors else raw["outcome"],
        date_from=dates["from"],
        date_to=dates["to"],
        zone=reader_zone(request),
    )
    return query, raw, errors


async def _authorise(request: Request, db: AsyncSession, action: str, query: AuditQuery | None) -> None:
    """Coordinators and administrators only; every look (or refused look) leaves a row."""
    user = current_user(request)
    allowed = can_view_audit_log(user)
    record_audit(db, user.id, user.audit_label, action, "audit_event", None,
                 AuditOutcome.SUCCESS if allowed else AuditOutcome.DENIED, client_ip(request), user.agency_id,
                 query.as_detail() if query and allowed else None)
    await db.commit()
    if not allowed:
        raise PermissionDeniedException()


@get("/audit")
async def audit_search_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    query, raw, errors = _query(request)
    await _authorise(request, db, "audit.search", query)
    before = request.query_params.get("before")
    # Nine digits at most: a larger number is beyond any row id (and int() refuses 4,300 digits).
    before_id = int(before) if before and before.isascii() and before.isdigit() and len(before) <= 9 else None
    rows, next_before = await audit_page(db, query, before_id=before_id, size=PAGE_SIZE)
    filters = {key: value for key, value in raw.items() if value and key not in errors}
    return await page(request, db, "audit/list.html", rows=rows, next_before=next_before, values=raw, errors=errors,
                      filters=filters, outcomes=list(AuditOutcome), first_page=before_id is None)


@get("/audit/export.csv")
async def audit_export(request: Request, db: NamedDependency[AsyncSession]) -> Stream:
    query, _, _ = _query(request)
    await _authorise(request, db, "audit.export", query)
    return Stream(
        audit_csv(request.app.state.session_factory, query),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="muster-audit.csv"'},
    )


ROUTES = [audit_search_page, audit_export]

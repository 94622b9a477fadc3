"""The agency dashboard (command staff, coordinators, administrators) and the officers behind its numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import MONTHS, format_date
from models import AuditOutcome, Unit, utcnow
from portal import charts
from portal.layout import current_user, page
from portal.routes.records import audit
from services import agency_compliance as compliance
from services import agency_officers as officers
from services import agency_work_queues as work
from services.access import can_view_agency_compliance
from services.time_zones import agency_time_zone
from services.training_records import page_number

VIEW = "agency_compliance.view"
PERIOD_LABELS = {"monthly": "Monthly", "weekly": "Weekly"}


async def _refuse_unless_allowed(request: Request, db: AsyncSession) -> None:
    user = current_user(request)
    if not can_view_agency_compliance(user):
        audit(request, db, VIEW, "agency", user.agency_id, AuditOutcome.DENIED, {"path": request.url.path})
        await db.commit()
        raise PermissionDeniedException()


async def _unit_or_404(request: Request, db: AsyncSession, unit_id: int | None) -> Unit | None:
    """The unit asked for, if it is the agency's; any other id is refused (audited) as not found."""
    if unit_id is None:
        return None
    agency_id = current_user(request).agency_id
    unit = await compliance.agency_unit(db, agency_id, unit_id)
    if unit is None:
        audit(request, db, VIEW, "unit", unit_id, AuditOutcome.DENIED, {"path": request.url.path})
        await db.commit()
        raise NotFoundException()
    return unit


async def _agency_clock(db: AsyncSession, agency_id: int) -> tuple[ZoneInfo, datetime, date]:
    zone = await agency_time_zone(db, agency_id)
    now = utcnow()
    return zone, now, now.astimezone(zone).date()


DRILL_PARAMETERS = ("unit", "state", "rank", "requirement", "gap")


def drill_url(**params: Any) -> str:
    """The officers behind a number: /agency/officers with the filters that select them (in one order, so
    the same officers always have the same link)."""
    return "/agency/officers?" + urlencode(
        [(key, params[key]) for key in DRILL_PARAMETERS if params.get(key) is not None])


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


@get("/agency")
async def agency_dashboard(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _refuse_unless_allowed(request, db)
    agency_id = current_user(request).agency_id
    errors: dict[str, str] = {}
    raw_unit = str(request.query_params.get("unit") or "").strip()
    unit_id = officers.parse_id(raw_unit)
    if raw_unit and unit_id is None:
        errors["unit"] = "Choose a unit from the list."
    scope = await _unit_or_404(request, db, unit_id)
    period = str(request.query_params.get("period") or "monthly")
    if period not in compliance.PERIODS:
        errors["period"] = "Choose monthly or weekly."
        period = "monthly"
    zone, now, today = await _agency_clock(db, agency_id)
    month_start = datetime.combine(today.replace(day=1), time(0), zone).astimezone(UTC)
    scope_id = scope.id if scope else None
    units = await compliance.unit_rows(db, agency_id, scope_id)
    ranks = await compliance.rank_rows(db, agency_id, scope_id)
    gaps = await compliance.top_gaps(db, agency_id, scope_id)
    # Snapshots are dated by the agency's own day (services/compliance_status), as `today` is.
    points = await compliance.trend(db, agency_id, scope_id, period, today)
    return await page(
        request, db, "agency/dashboard.html",
        scope=scope, period=period, errors=errors, today=today, zone=zone, now=now,
        units=units, ranks=ranks, totals=compliance.sum_counts(ranks), gaps=gaps, points=points,
        all_units=await compliance.unit_rows(db, agency_id) if scope else units,
        queues=await work.work_queues(db, agency_id, now),
        sent=await work.reminders_and_escalations(db, agency_id, month_start, now),
        unit_chart=charts.stacked_bars([unit.counts() for unit in units], compliance.STATES, relative=True),
        gap_chart=charts.stacked_bars([(gap.overdue, gap.officers - gap.overdue) for gap in gaps],
                                      ("overdue", "owing"), relative=False),
        trend_chart=charts.line([point.percent_compliant or 0 for point in points]),
        states=compliance.STATES, state_labels=compliance.STATE_LABELS, period_labels=PERIOD_LABELS,
        drill=drill_url, format_date=format_date, month_label=month_label,
    )


@get("/agency/officers")
async def agency_officers(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _refuse_unless_allowed(request, db)
    agency_id = current_user(request).agency_id
    filters, values, errors = officers.parse_officer_filters(request.query_params)
    unit = await _unit_or_404(request, db, filters.unit_id)
    ranks = await officers.tracked_ranks(db, agency_id)
    if filters.rank is not None and filters.rank not in ranks:
        errors["rank"] = "Choose a rank from the list."
        filters = replace(filters, rank=None)
    title = None
    if filters.requirement_id is not None:
        title = await compliance.requirement_title(db, agency_id, filters.requirement_id)
        if title is None:
            errors["requirement"] = "No officer owes that requirement now."
            filters = replace(filters, requirement_id=None, gap_overdue=False)
    listing = await officers.officers_page(db, agency_id, filters, page_number(request.query_params.get("page")))
    return await page(
        request, db, "agency/officers.html",
        listing=listing, filters=filters, values=values, errors=errors, unit=unit, requirement_title=title,
        ranks=ranks, units=await compliance.unit_rows(db, agency_id), states=compliance.STATES,
        state_labels=compliance.STATE_LABELS, format_date=format_date,
    )


ROUTES = [agency_dashboard, agency_officers]

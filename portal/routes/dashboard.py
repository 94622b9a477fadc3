"""The officer's compliance dashboard, the same for a permitted viewer, and the coordinators' roster."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, Person
from portal.layout import current_user, page
from portal.routes.records import FORMATTERS, audit, records_url, viewable_officer
from services import training_records as records_service
from services.access import can_edit_officer_records, can_view_roster
from services.training_requests import who_must_act


async def _dashboard(request: Request, db: AsyncSession, person: Person) -> Template:
    today = await records_service.agency_today(db, person.agency_id)
    dashboard = await records_service.officer_dashboard(db, person, today)
    return await page(
        request, db, "dashboard/dashboard.html",
        d=dashboard, own=person.id == current_user(request).person_id, records_url=records_url(request, person),
        can_edit=can_edit_officer_records(current_user(request), person), who_must_act=who_must_act,
        # Back to where this person came from: the roster, or (for supervisors) their team.
        back_to=None if person.id == current_user(request).person_id else
        ("/officers", "Back to the roster") if can_view_roster(current_user(request)) else ("/team", "Back to my team"),
        source_label=records_service.source_label, **FORMATTERS,
    )


@get("/dashboard")
async def my_dashboard(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    if current_user(request).person_id is None:
        return await page(request, db, "dashboard/no_profile.html")
    return await _dashboard(request, db, await viewable_officer(request, db, None, "dashboard"))


@get("/officers/{officer_id:int}/dashboard")
async def officer_dashboard(request: Request, db: NamedDependency[AsyncSession], officer_id: FromPath[int]
                            ) -> Template:
    return await _dashboard(request, db, await viewable_officer(request, db, officer_id, "dashboard"))


@get("/officers")
async def roster(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    if not can_view_roster(user):
        audit(request, db, "roster.view", "agency", user.agency_id, AuditOutcome.DENIED)
        await db.commit()
        raise PermissionDeniedException()
    search = str(request.query_params.get("q") or "").strip()[:100]
    raw_page = str(request.query_params.get("page") or "1")
    page_number = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    roster_page = await records_service.roster_page(db, user.agency_id, search, page_number)
    return await page(request, db, "dashboard/roster.html", roster=roster_page, search=search,
                      can_add=lambda person: can_edit_officer_records(user, person))


ROUTES = [my_dashboard, officer_dashboard, roster]

"""A supervisor's team: everyone under them in the chain of command, its early warnings and pending items.

Only sergeants, lieutenants and command staff (services.access.can_view_team); a refusal is audited
and answers 403 before anything is read. Names link to each officer's dashboard, which checks again.
"""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome
from portal.layout import current_user, page
from portal.routes.records import FORMATTERS, audit
from services import team_compliance, team_warnings
from services.access import can_view_team
from services.training_records import agency_today


async def _team_or_refuse(request: Request, db: AsyncSession, what: str) -> team_compliance.Team:
    user = current_user(request)
    if not can_view_team(user) or user.person_id is None:
        audit(request, db, "team.view", "person", user.person_id or 0, AuditOutcome.DENIED, {"page": what})
        await db.commit()
        raise PermissionDeniedException()
    return team_compliance.Team(agency_id=user.agency_id, supervisor_id=user.person_id)


@get("/team")
async def my_team(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    team = await _team_or_refuse(request, db, "team")
    choices = await team_compliance.team_choices(db, team)
    filters, page_number, raw, errors = team_compliance.parse_team_filters(request.query_params, choices)
    listing = await team_compliance.team_page(db, team, filters, page_number)
    today = await agency_today(db, team.agency_id)
    kept = {key: value for key, value in raw.items() if value and key not in errors and key != "page"}
    return await page(
        request, db, "team/team.html",
        team=listing, choices=choices, filters=filters, values=raw, errors=errors, kept=kept,
        counts=await team_compliance.team_counts(db, team),
        warnings=await team_warnings.warning_counts(db, team, today),
        pending=await team_compliance.team_pending(db, team),
        state_filters=team_compliance.STATE_FILTERS, sort_labels=team_compliance.SORT_LABELS, **FORMATTERS,
    )


@get("/team/warnings")
async def team_early_warning(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    team = await _team_or_refuse(request, db, "warnings")
    days, page_number, _, errors = team_warnings.parse_warning_params(request.query_params)
    today = await agency_today(db, team.agency_id)
    return await page(
        request, db, "team/warnings.html",
        days=days, errors=errors, today=today,
        warnings=await team_warnings.warning_counts(db, team, today),
        listing=await team_warnings.warning_page(db, team, today, days, page_number),
        **FORMATTERS,
    )


ROUTES = [my_team, team_early_warning]

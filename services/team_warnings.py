"""A supervisor's early warning: who in their team will fall out of compliance within 30, 60 or 90 days
unless they train, and what each needs by when, read from the stored gaps (services.team_compliance).

A gap already overdue is not a warning: that officer is out of compliance now and listed as Overdue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import OfficerCompliance, OfficerComplianceGap, Person, Unit
from services.team_compliance import TEAM_PAGE_SIZE, Team, parse_page
from services.training_records import Page, paginate

WARNING_WINDOWS = (30, 60, 90)

OC = OfficerCompliance
Gap = OfficerComplianceGap


@dataclass(frozen=True)
class Need:
    """A requirement an officer must still meet, in the words of the stored gap."""

    title: str
    missing: str
    due_on: date


@dataclass
class WarningRow:
    officer_id: int
    first_name: str
    last_name: str
    rank: str
    unit: str | None
    on_leave: bool
    first_due: date
    needs: list[Need] = field(default_factory=list)


def _due_within(team: Team, today: date, days: int) -> ColumnElement[bool]:
    """Gaps of tracked team members not yet overdue and due between today and `days` from now."""
    return and_(Gap.agency_id == team.agency_id, Gap.overdue.is_(False), Gap.due_on >= today,
                Gap.due_on <= today + timedelta(days=days),
                Gap.officer_id.in_(select(Person.id).where(team.tracked_members())))


async def warning_counts(session: AsyncSession, team: Team, today: date) -> dict[int, int]:
    """How many officers will fall out of compliance within each window unless they train (one statement)."""
    widest = _due_within(team, today, max(WARNING_WINDOWS))
    columns = [
        func.count(func.distinct(case((Gap.due_on <= today + timedelta(days=days), Gap.officer_id))))
        for days in WARNING_WINDOWS
    ]
    counts = (await session.execute(select(*columns).where(widest))).one()
    return dict(zip(WARNING_WINDOWS, counts, strict=True))


async def warning_page(session: AsyncSession, team: Team, today: date, days: int, page: int) -> Page[WarningRow]:
    """Officers with a requirement due within `days`, soonest first, each with what they need by then."""
    window = _due_within(team, today, days)
    first_due = (select(Gap.officer_id, func.min(Gap.due_on).label("first_due")).where(window)
                 .group_by(Gap.officer_id).subquery())
    stmt = (
        select(Person.id, Person.first_name, Person.last_name, Person.rank, Unit.name,
               func.coalesce(OC.on_leave, False), first_due.c.first_due)
        .join(first_due, first_due.c.officer_id == Person.id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .outerjoin(OC, OC.officer_id == Person.id)
        .order_by(first_due.c.first_due, Person.last_name, Person.first_name, Person.id)
    )
    stmt, total, page = await paginate(session, stmt, page, TEAM_PAGE_SIZE)
    rows = [WarningRow(*values) for values in await session.execute(stmt)]
    needs: dict[int, list[Need]] = defaultdict(list)
    if rows:
        gaps = await session.execute(
            select(Gap.officer_id, Gap.title, Gap.missing, Gap.due_on)
            .where(window, Gap.officer_id.in_([row.officer_id for row in rows]))
            .order_by(Gap.officer_id, Gap.due_on, Gap.title)
        )
        for officer_id, title, missing, due_on in gaps:
            needs[officer_id].append(Need(title, missing, due_on))
    for row in rows:
        row.needs = needs[row.officer_id]
    return Page(rows=rows, total=total, page=page, size=TEAM_PAGE_SIZE)


def parse_warning_params(params: Mapping[str, str]) -> tuple[int, int, dict[str, str], dict[str, str]]:
    """The window in days (`?within=`, one of WARNING_WINDOWS) and page number, their raw values, and a
    message per bad value (dropped for the default, so the page still shows something)."""
    raw = {key: str(params.get(key) or "").strip()[:20] for key in ("within", "page")}
    errors: dict[str, str] = {}
    days = WARNING_WINDOWS[0]
    if raw["within"]:
        if raw["within"] in {str(window) for window in WARNING_WINDOWS}:
            days = int(raw["within"])
        else:
            errors["within"] = "Choose 30, 60 or 90 days; showing the next 30 days."
    page = parse_page(raw["page"], errors)
    return days, page, raw, errors

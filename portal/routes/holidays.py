"""The agency's holiday calendar for administrators: this year's and next year's holidays, a closure day to
add, a federal holiday the agency works on. The rules live in services.agency_holidays."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome
from portal.layout import client_ip, current_user, page
from services import agency_holidays as calendar
from services.access import CurrentUser, can_manage_holidays
from services.audit import record_audit
from services.training_records import agency_today

SAVED = {"added": "Closure day added.", "deleted": "Closure day deleted.",
         "removed": "The agency now works on that holiday.", "restored": "Holiday restored."}
_FIELDS = ("day", "name")


async def _administrator(request: Request, db: AsyncSession, action: str) -> CurrentUser:
    """Refuse (403, audited) anyone but an administrator, before anything is read."""
    user = current_user(request)
    if not can_manage_holidays(user):
        record_audit(db, user.id, user.audit_label, action, "agency", user.agency_id, AuditOutcome.DENIED,
                     client_ip(request), user.agency_id)
        await db.commit()
        raise PermissionDeniedException()
    return user


async def _page(request: Request, db: AsyncSession, *, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None) -> Template:
    user = current_user(request)
    today = await agency_today(db, user.agency_id)
    return await page(request, db, "admin/holidays.html", years=await calendar.holiday_years(db, user.agency_id, today),
                      today=today, errors=errors or {}, values=values or {}, day_in_words=calendar.day_in_words,
                      saved=SAVED.get(str(request.query_params.get("saved") or "")))


async def _values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "")[:200] for name in _FIELDS}


async def _apply(request: Request, db: AsyncSession, action: str, saved: str,
                 change: Callable[..., Awaitable[object]], *fields: str) -> Template | Redirect:
    """Check the caller, make the change (audited by the service), commit, show the page again."""
    user = await _administrator(request, db, action)
    values = await _values(request)
    today = await agency_today(db, user.agency_id)
    try:
        await change(db, user, client_ip(request), today, *(values[name] for name in fields))
    except calendar.HolidayRefusal as refusal:
        await db.rollback()
        return await _page(request, db, errors=refusal.errors, values=values)
    await db.commit()
    return Redirect(f"/admin/holidays?saved={saved}", status_code=303)


@get("/admin/holidays")
async def holidays_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _administrator(request, db, "agency.holidays_view")
    return await _page(request, db)


@post("/admin/holidays", status_code=200)
async def add_closure(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    return await _apply(request, db, "agency.holiday_add", "added", calendar.add_closure, "day", "name")


@post("/admin/holidays/delete", status_code=200)
async def delete_closure(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    return await _apply(request, db, "agency.holiday_delete", "deleted", calendar.delete_closure, "day")


@post("/admin/holidays/remove", status_code=200)
async def work_on_holiday(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    return await _apply(request, db, "agency.holiday_remove", "removed", calendar.work_on_federal_holiday, "day")


@post("/admin/holidays/restore", status_code=200)
async def restore_holiday(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    return await _apply(request, db, "agency.holiday_restore", "restored", calendar.restore_federal_holiday, "day")


ROUTES = [holidays_page, add_closure, delete_closure, work_on_holiday, restore_holiday]

"""Administrators' changes to the agency's holiday calendar: add a closure day (and delete it again), work on
a federal holiday (and restore it). Each change is audited with before and after; the caller commits.

Changes apply to deadlines counted from then on: a workflow's plan carries the calendar it was read with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import format_date
from models import AgencyHoliday, AuditOutcome, HolidayChange
from services.access import CurrentUser
from services.audit import record_audit
from services.business_calendar import Holiday, agency_holidays, federal_holidays

NAME_LIMIT = 100
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class HolidayRefusal(Exception):
    """A change the calendar cannot take; `errors` maps the form field to what to tell the administrator."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class HolidayYear:
    year: int
    holidays: list[Holiday]


def editable_range(today: date) -> tuple[date, date]:
    """Days an administrator may change: from the agency's today to the end of next year (what the page lists)."""
    return today, date(today.year + 1, 12, 31)


async def holiday_years(session: AsyncSession, agency_id: int, today: date) -> list[HolidayYear]:
    """This year's and next year's holidays, federal and the agency's own, for the page."""
    listed = await agency_holidays(session, agency_id, date(today.year, 1, 1), date(today.year + 1, 12, 31))
    return [HolidayYear(year, [h for h in listed if h.day.year == year]) for year in (today.year, today.year + 1)]


def day_in_words(day: date) -> str:
    """"Thursday 26 November 2026" (names spelled out here, not by the process locale)."""
    return f"{WEEKDAYS[day.weekday()]} {format_date(day)}"


def _day(raw: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise HolidayRefusal({"day": "Enter the date as year-month-day, e.g. 2026-12-24."}) from None
    first, last = editable_range(today)
    if not first <= day <= last:
        raise HolidayRefusal({"day": f"Choose a day from {format_date(first)} to {format_date(last)}."})
    return day


async def _change(session: AsyncSession, agency_id: int, day: date) -> AgencyHoliday | None:
    return await session.scalar(select(AgencyHoliday).where(AgencyHoliday.agency_id == agency_id,
                                                            AgencyHoliday.day == day))


def _audit(session: AsyncSession, user: CurrentUser, source: str | None, action: str,
           before: dict[str, Any], after: dict[str, Any]) -> None:
    record_audit(session, user.id, user.audit_label, action, "agency", user.agency_id, AuditOutcome.SUCCESS,
                 source, user.agency_id, {"before": before, "after": after})


async def add_closure(session: AsyncSession, user: CurrentUser, source: str | None, today: date,
                      raw_day: str, raw_name: str) -> AgencyHoliday:
    errors: dict[str, str] = {}
    name = " ".join(raw_name.split())
    if not name:
        errors["name"] = "Enter a name for the closure, e.g. Christmas Eve."
    elif len(name) > NAME_LIMIT:
        errors["name"] = f"Keep the name to {NAME_LIMIT} characters."
    try:
        day = _day(raw_day, today)
    except HolidayRefusal as refusal:
        raise HolidayRefusal({**refusal.errors, **errors}) from None
    if day.weekday() >= 5:
        errors["day"] = f"{day_in_words(day)} is already a weekend day."
    elif day in federal_holidays(day, day):
        errors["day"] = f"{day_in_words(day)} is already a federal holiday."
    elif await _change(session, user.agency_id, day) is not None:
        errors["day"] = f"{day_in_words(day)} is already on the agency's calendar."
    if errors:
        raise HolidayRefusal(errors)
    closure = AgencyHoliday(agency_id=user.agency_id, day=day, name=name, kind=HolidayChange.ADDED)
    session.add(closure)
    _audit(session, user, source, "agency.holiday_add", {"day": day.isoformat(), "closed": False},
           {"day": day.isoformat(), "name": name, "closed": True})
    return closure


async def delete_closure(session: AsyncSession, user: CurrentUser, source: str | None, today: date,
                         raw_day: str) -> None:
    day = _day(raw_day, today)
    closure = await _change(session, user.agency_id, day)
    if closure is None or closure.kind != HolidayChange.ADDED:
        raise HolidayRefusal({"day": f"{day_in_words(day)} is not a closure day the agency added."})
    await session.delete(closure)
    _audit(session, user, source, "agency.holiday_delete", {"day": day.isoformat(), "name": closure.name,
                                                            "closed": True}, {"day": day.isoformat(), "closed": False})


async def work_on_federal_holiday(session: AsyncSession, user: CurrentUser, source: str | None, today: date,
                                  raw_day: str) -> None:
    """Remove a default holiday from the agency's calendar: its deadlines count the day as a business day."""
    day = _day(raw_day, today)
    name = federal_holidays(day, day).get(day)
    if name is None:
        raise HolidayRefusal({"day": f"{day_in_words(day)} is not a federal holiday."})
    if await _change(session, user.agency_id, day) is not None:
        raise HolidayRefusal({"day": f"The agency already works on {name}, {day_in_words(day)}."})
    session.add(AgencyHoliday(agency_id=user.agency_id, day=day, name=name, kind=HolidayChange.REMOVED))
    _audit(session, user, source, "agency.holiday_remove", {"day": day.isoformat(), "name": name, "closed": True},
           {"day": day.isoformat(), "name": name, "closed": False})


async def restore_federal_holiday(session: AsyncSession, user: CurrentUser, source: str | None, today: date,
                                  raw_day: str) -> None:
    day = _day(raw_day, today)
    change = await _change(session, user.agency_id, day)
    if change is None or change.kind != HolidayChange.REMOVED:
        raise HolidayRefusal({"day": f"{day_in_words(day)} is not a federal holiday the agency works on."})
    await session.delete(change)
    _audit(session, user, source, "agency.holiday_restore", {"day": day.isoformat(), "name": change.name,
                                                             "closed": False},
           {"day": day.isoformat(), "name": change.name, "closed": True})

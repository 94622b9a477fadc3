"""An agency's holiday calendar: the US federal holidays (observed dates, from the `holidays` package) with
the agency's own changes (models.AgencyHoliday), and the BusinessCalendar the review workflows count with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency, AgencyHoliday, HolidayChange
from services.time_zones import agency_zone_or_utc
from workflows.business_days_types import BusinessCalendar

# How far ahead a plan's calendar reaches: reminders and escalations fall within weeks of a plan being
# read, and a plan is read again at each new certificate version or request approval.
HORIZON = timedelta(days=548)


@dataclass(frozen=True)
class Holiday:
    """One day of the agency's calendar as the holidays page lists it."""

    day: date
    name: str
    federal: bool  # a default (US federal) holiday; else a closure day the agency added
    worked: bool = False  # a federal holiday the agency works on: not a holiday for its deadlines


def federal_holidays(first: date, last: date) -> dict[date, str]:
    """US federal holidays from `first` to `last`, on their observed dates (a Saturday's on Friday, a Sunday's
    on Monday) as well as their own."""
    found = holidays.country_holidays("US", years=range(first.year, last.year + 1), observed=True)
    return {day: name for day, name in sorted(found.items()) if first <= day <= last}


async def agency_changes(session: AsyncSession, agency_id: int, first: date, last: date) -> list[AgencyHoliday]:
    return list(await session.scalars(
        select(AgencyHoliday)
        .where(AgencyHoliday.agency_id == agency_id, AgencyHoliday.day >= first, AgencyHoliday.day <= last)
        .order_by(AgencyHoliday.day)
    ))


async def agency_holidays(session: AsyncSession, agency_id: int, first: date, last: date) -> list[Holiday]:
    """Every federal holiday (marked when the agency works on it) and every closure day it added, by date."""
    changes = {change.day: change for change in await agency_changes(session, agency_id, first, last)}
    listed = [
        Holiday(day, name, federal=True,
                worked=day in changes and changes[day].kind == HolidayChange.REMOVED)
        for day, name in federal_holidays(first, last).items()
    ]
    listed += [Holiday(change.day, change.name, federal=False)
               for change in changes.values() if change.kind == HolidayChange.ADDED]
    return sorted(listed, key=lambda holiday: holiday.day)


async def load_business_calendar(session: AsyncSession, agency: Agency, now: datetime) -> BusinessCalendar:
    """The agency's zone and the days it is closed from its today for HORIZON: what a workflow's plan carries.

    A stored zone Muster cannot use counts in UTC (services.time_zones logs it); the approval workflow
    refuses such a zone before it gets here, and puts the request on hold instead.
    """
    zone = agency_zone_or_utc(agency.timezone, agency.id)
    today = now.astimezone(zone).date()
    closed = await agency_holidays(session, agency.id, today, today + HORIZON)
    return BusinessCalendar(time_zone=str(zone.key),
                            holidays=[holiday.day.isoformat() for holiday in closed if not holiday.worked])

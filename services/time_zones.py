"""Agencies' time zones, by IANA name: which names Muster accepts, and reading a stored one.

The settings form accepts only names from `zoneinfo.available_timezones()`. A name stored before
that check (or written to the database directly) must not stop the portal: pages fall back to UTC
and log a warning, while the approval workflow reports it to the coordinators (UnusableTimeZone).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency

log = logging.getLogger(__name__)

EXAMPLE = "America/Chicago"


class UnusableTimeZone(ValueError):
    """An agency's stored time zone is not one Muster can use; the message says so in plain words."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Agency settings problem: time zone {name!r} is not valid.")


# Files of the system's time zone database that name no place: the server's own zone, and a placeholder.
_NOT_PLACES = {"localtime", "Factory"}


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """Every name the settings form accepts, sorted (the form offers them as suggestions)."""
    return tuple(sorted(available_timezones() - _NOT_PLACES))


def is_time_zone(name: str) -> bool:
    return name in _known()


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(time_zone_names())


def time_zone_error(name: str) -> str | None:
    """What to tell the person who typed `name` (already stripped), or None when it is a time zone."""
    if not name:
        return f"Enter the agency's time zone, e.g. {EXAMPLE}."
    if is_time_zone(name):
        return None
    same_but_case = [known for known in time_zone_names() if known.lower() == name.lower()]
    if same_but_case:
        return f"Time zone names are case-sensitive: did you mean {same_but_case[0]}?"
    # The message never repeats what was typed: the field keeps it, shown escaped.
    return f"This is not a time zone Muster knows: enter it as Region/City, e.g. {EXAMPLE}."


def agency_zone(name: str) -> ZoneInfo:
    """The agency's zone; UnusableTimeZone when the stored name is not an accepted time zone."""
    if not is_time_zone(name):
        raise UnusableTimeZone(name)
    return ZoneInfo(name)


def agency_zone_or_utc(name: str, agency_id: int) -> ZoneInfo:
    """For pages: a bad stored zone shows dates in UTC (off by hours at most) rather than an error page."""
    try:
        return agency_zone(name)
    except UnusableTimeZone as problem:
        log.warning("agency %s: %s Showing dates in UTC until an administrator corrects it.", agency_id, problem)
        return ZoneInfo("UTC")


async def agency_time_zone(session: AsyncSession, agency_id: int) -> ZoneInfo:
    """The zone the agency's pages show dates and times in (UTC while its stored name is unusable)."""
    name = await session.scalar(select(Agency.timezone).where(Agency.id == agency_id))
    return agency_zone_or_utc(name or "", agency_id)

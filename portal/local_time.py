"""The reader's time zone: set once per request where the user is loaded, used by every template.

The session middleware stores the agency's zone in the request scope; the `local_moment` and
`local_date` filters show a stored (UTC) datetime in it with compliance/wording's formatters.
Pages outside a session (sign-in, calendar feeds) have no reader's zone and fall back to UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar.connection import ASGIConnection
from litestar.plugins.jinja import JinjaTemplateEngine

from compliance.wording import format_date, format_moment

_SCOPE_KEY = "muster_time_zone"


def set_reader_zone(connection: ASGIConnection[Any, Any, Any, Any], zone: tzinfo) -> None:
    connection.scope.setdefault("state", {})[_SCOPE_KEY] = zone


def reader_zone(connection: ASGIConnection[Any, Any, Any, Any] | None) -> tzinfo:
    """The signed-in reader's agency zone (UTC when nobody is signed in)."""
    if connection is None:
        return UTC
    zone = connection.scope.get("state", {}).get(_SCOPE_KEY)
    return zone if isinstance(zone, tzinfo) else UTC


def _zone(context: Context) -> tzinfo:
    request = context.get("request")
    return reader_zone(request if isinstance(request, ASGIConnection) else None)


@pass_context
def local_moment(context: Context, moment: datetime) -> str:
    """A stored moment in the reader's zone, in words: "4 December 2026 at 19:05 (CST)"."""
    return format_moment(moment.astimezone(_zone(context)))


@pass_context
def local_date(context: Context, value: date | str) -> str:
    """A day in words; a moment counts on the reader's calendar (an evening in Minnesota is not tomorrow).

    An ISO date string (how JSON columns keep days) is read as that day.
    """
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(_zone(context)).date()
    return format_date(value)


def register(engine: JinjaTemplateEngine) -> None:
    """Dates and moments in words on every page, plus the filters that put a moment in the reader's zone."""
    engine.engine.globals.update(format_date=format_date, format_moment=format_moment)
    engine.engine.filters.update(local_moment=local_moment, local_date=local_date)

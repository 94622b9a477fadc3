"""The route walk's cases for the agency's holiday calendar (/admin/holidays): administrators only.

The forms are sent without a day, so the administrator sees the page again with a message (200) and the
calendar never changes during the walk; everyone else is refused before anything is read.
"""

from __future__ import annotations

from tests.security.route_rules import Case, only
from tests.security.route_targets import Targets

ADMINS = only("admin1")


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    return {
        ("GET", "/admin/holidays"): [Case("GET", "/admin/holidays", ADMINS)],
        ("POST", "/admin/holidays"): [Case("POST", "/admin/holidays", ADMINS, {"day": "", "name": "Closed"})],
        ("POST", "/admin/holidays/delete"): [Case("POST", "/admin/holidays/delete", ADMINS, {"day": ""})],
        ("POST", "/admin/holidays/remove"): [Case("POST", "/admin/holidays/remove", ADMINS, {"day": ""})],
        ("POST", "/admin/holidays/restore"): [Case("POST", "/admin/holidays/restore", ADMINS, {"day": ""})],
    }

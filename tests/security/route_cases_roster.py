"""The route walk's cases for units, ranks and people (hire, transfer, leave, separation, re-hire)."""

from __future__ import annotations

from tests.security.route_rules import Case
from tests.security.route_targets import Targets


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    return {}

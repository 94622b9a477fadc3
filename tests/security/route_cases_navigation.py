"""The route walk's cases for the coordinator's work queue summary (the landing page of coordinators).

Only training coordinators see it; everyone else is refused (and the refusal audited).
"""

from __future__ import annotations

from tests.security.route_rules import Case, only
from tests.security.route_targets import Targets


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    return {("GET", "/queues"): [Case("GET", "/queues", only("coord1"))]}

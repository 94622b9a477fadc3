"""The route walk's cases for the roster CSV import: coordinators and administrators only; another agency's
or a made-up import answers 404."""

from __future__ import annotations

from tests.security.route_rules import ALLOW, UPLOAD_WITHOUT_FILE, Case, only
from tests.security.route_targets import Targets

KEEPERS = only("coord1", "admin1")


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    start, cancel = t.roster_import_start, t.roster_import_cancel
    return {
        ("GET", "/roster/imports"): [Case("GET", "/roster/imports?page=x", KEEPERS)],
        ("GET", "/roster/imports/new"): [Case("GET", "/roster/imports/new", KEEPERS)],
        ("POST", "/roster/imports/new"): [Case("POST", "/roster/imports/new",
                                               {**only(), "coord1": UPLOAD_WITHOUT_FILE,
                                                "admin1": UPLOAD_WITHOUT_FILE})],
        ("GET", "/roster/imports/template.csv"): [Case("GET", "/roster/imports/template.csv", KEEPERS)],
        ("GET", "/roster/imports/{import_id:int}"): [
            Case("GET", f"/roster/imports/{start}?show=new&page=2", KEEPERS),
            Case("GET", f"/roster/imports/{start}?show=missing", KEEPERS),
            Case("GET", "/roster/imports/999999", only()),
        ],
        ("GET", "/roster/imports/{import_id:int}/progress"): [
            Case("GET", f"/roster/imports/{start}/progress", KEEPERS),
        ],
        # Temporal is unreachable in the walk: the import is confirmed and its page offers "Start again".
        ("POST", "/roster/imports/{import_id:int}/start"): [
            Case("POST", f"/roster/imports/{start}/start", KEEPERS),
            Case("POST", "/roster/imports/999999/start", only()),
        ],
        # coord1 cancels it; admin1, after, is told it can no longer be cancelled (409).
        ("POST", "/roster/imports/{import_id:int}/cancel"): [
            Case("POST", f"/roster/imports/{cancel}/cancel", {**KEEPERS, "admin1": ALLOW | {409}}),
        ],
    }

"""The route walk's cases for Minnesota POST reimbursement (the walk's agency is on the Minnesota rule pack;
tests/reimbursement/test_routes.py shows another state's agency gets 404 everywhere)."""

from __future__ import annotations

from tests.security.route_rules import Case, only
from tests.security.route_targets import Targets

YEAR = "/reimbursement/2026"
VIEWERS = only("coord1", "chief1", "admin1")
PREPARERS = only("coord1", "admin1")


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    line = {"category": "wages", "description": "Backfill", "amount": "100.00", "reason": "Typo"}
    return {
        ("GET", "/reimbursement"): [Case("GET", "/reimbursement", VIEWERS)],
        ("GET", "/reimbursement/{year:int}"): [
            Case("GET", YEAR, VIEWERS),
            Case("GET", "/reimbursement/1999", only()),  # before any year Muster offers
        ],
        ("POST", "/reimbursement/{year:int}/gather"): [Case("POST", f"{YEAR}/gather", PREPARERS)],
        ("POST", "/reimbursement/{year:int}/lines"): [Case("POST", f"{YEAR}/lines", PREPARERS, line)],
        # No such line: the page again, with the message.
        ("POST", "/reimbursement/{year:int}/lines/{line_id:int}"): [
            Case("POST", f"{YEAR}/lines/999999", PREPARERS, line)],
        ("POST", "/reimbursement/{year:int}/officers/{person_id:int}/claimed-elsewhere"): [
            Case("POST", f"{YEAR}/officers/{t.org.officer2}/claimed-elsewhere", PREPARERS,
                 {"claimed": "yes", "reason": "Claimed by Ramsey County"})],
        ("POST", "/reimbursement/{year:int}/sign"): [Case("POST", f"{YEAR}/sign", only("chief1"))],
        ("POST", "/reimbursement/{year:int}/submitted"): [Case("POST", f"{YEAR}/submitted", PREPARERS)],
        ("GET", "/reimbursement/{year:int}/export/{kind:str}"): [
            Case("GET", f"{YEAR}/export/pdf", VIEWERS),
            Case("GET", f"{YEAR}/export/csv", VIEWERS),
            Case("GET", f"{YEAR}/export/xls", only()),
        ],
    }

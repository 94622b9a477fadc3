"""The route walk's cases for units, ranks and people (hire, transfer, leave, separation, re-hire).

Coordinators and administrators keep the roster; everyone else is refused. The forms are sent with a
missing field, so the allowed see the form again with a message (200) and nothing changes between roles.
Another agency's ids are walked in tests/roster/test_roster_pages.py.
"""

from __future__ import annotations

from tests.security.route_rules import Case, only
from tests.security.route_targets import Targets

KEEPERS = only("coord1", "admin1")


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    o2 = t.org.officer2
    person = "/roster/people/{person_id:int}"
    table: dict[tuple[str, str], list[Case]] = {
        ("GET", "/roster"): [Case("GET", "/roster?status=active&q=Other", KEEPERS)],
        ("GET", "/roster/people/new"): [Case("GET", "/roster/people/new", KEEPERS)],
        ("POST", "/roster/people"): [Case("POST", "/roster/people", KEEPERS, {"first_name": "x"})],
        ("GET", person): [Case("GET", f"/roster/people/{o2}", KEEPERS), Case("GET", "/roster/people/999999", only())],
        ("GET", person + "/edit"): [Case("GET", f"/roster/people/{o2}/edit", KEEPERS)],
        ("POST", person + "/edit"): [Case("POST", f"/roster/people/{o2}/edit", KEEPERS, {"first_name": ""})],
        ("POST", person + "/transfer"): [
            Case("POST", f"/roster/people/{o2}/transfer", KEEPERS, {"unit_id": "", "effective_on": ""}),
            Case("POST", "/roster/people/999999/transfer", only(), {"unit_id": ""})],
        ("POST", person + "/leave"): [Case("POST", f"/roster/people/{o2}/leave", KEEPERS, {"starts_on": ""})],
        ("POST", person + "/return"): [Case("POST", f"/roster/people/{o2}/return", KEEPERS, {"returned_on": ""})],
        ("POST", person + "/separate"): [Case("POST", f"/roster/people/{o2}/separate", KEEPERS, {"reason": ""})],
        ("POST", person + "/rehire"): [Case("POST", f"/roster/people/{o2}/rehire", KEEPERS, {"hired_on": ""})],
        ("GET", "/roster/units"): [Case("GET", "/roster/units", KEEPERS)],
        ("POST", "/roster/units"): [Case("POST", "/roster/units", KEEPERS, {"name": ""})],
        ("POST", "/roster/units/{unit_id:int}/rename"): [
            Case("POST", "/roster/units/999999/rename", only(), {"name": "x"})],
        ("POST", "/roster/units/{unit_id:int}/move"): [
            Case("POST", "/roster/units/999999/move", only(), {"parent_id": ""})],
        ("POST", "/roster/units/{unit_id:int}/retire"): [Case("POST", "/roster/units/999999/retire", only())],
        ("POST", "/roster/ranks"): [Case("POST", "/roster/ranks", KEEPERS, {"rank_name": ""})],
        ("POST", "/roster/ranks/{rank_id:int}/rename"): [
            Case("POST", "/roster/ranks/999999/rename", only(), {"rank_name": "x"})],
        ("POST", "/roster/ranks/{rank_id:int}/move"): [
            Case("POST", "/roster/ranks/999999/move", only(), {"direction": "up"})],
        ("POST", "/roster/ranks/{rank_id:int}/delete"): [Case("POST", "/roster/ranks/999999/delete", only())],
    }
    return table

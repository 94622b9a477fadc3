"""The route walk's cases for user accounts for people: create, disable, roles, the set-password link."""

from __future__ import annotations

from tests.security.route_rules import DENY, TOKEN, Case, everyone, only
from tests.security.route_targets import Targets

RE_RENDERED = frozenset({400})  # a form refused for its input comes back with messages


def cases(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """(method, path pattern) -> the cases walked as every role."""
    o2 = t.officer2_user
    return {
        # Administrators create any account; coordinators officer-only ones. A form naming nobody re-renders.
        ("GET", "/admin/accounts/new"): [Case("GET", "/admin/accounts/new", only("coord1", "admin1")),
                                         Case("GET", "/admin/accounts/new?person_id=x", only("coord1", "admin1"))],
        ("POST", "/admin/accounts/new"): [
            Case("POST", "/admin/accounts/new", {**only(), "coord1": RE_RENDERED, "admin1": RE_RENDERED},
                 {"person_id": "", "username": "walk", "email": "walk@test.example", "roles": "officer"}),
            Case("POST", "/admin/accounts/new", {**only(), "admin1": RE_RENDERED},
                 {"person_id": "", "username": "walk", "email": "walk@test.example", "roles": "admin"}),
        ],
        # Disabling (then enabling, walked after it) and roles: administrators only, their own agency only.
        ("POST", "/admin/accounts/{user_id:int}/disable"): [
            Case("POST", f"/admin/accounts/{o2}/disable", only("admin1"), {"reason": "walk"}),
            Case("POST", f"/admin/accounts/{t.org.users['admin1']}/disable", only(), {"reason": "own"}),
            Case("POST", "/admin/accounts/999999/disable", only(), {"reason": "walk"}),
        ],
        ("POST", "/admin/accounts/{user_id:int}/enable"): [
            Case("POST", f"/admin/accounts/{o2}/enable", only("admin1")),
            Case("POST", "/admin/accounts/999999/enable", only()),
        ],
        ("POST", "/admin/accounts/{user_id:int}/roles"): [
            Case("POST", f"/admin/accounts/{o2}/roles", only("admin1"), {"roles": "officer"}),
            Case("POST", f"/admin/accounts/{t.org.users['admin1']}/roles", only(), {"roles": "officer"}),
            Case("POST", "/admin/accounts/999999/roles", only(), {"roles": "officer"}),
        ],
        # officer2 already has a password, so nobody sends him a set-password link (sending one to an account
        # awaiting its password is tested in tests/accounts).
        ("POST", "/admin/accounts/{user_id:int}/set-password-link"): [
            Case("POST", f"/admin/accounts/{o2}/set-password-link", only()),
            Case("POST", "/admin/accounts/999999/set-password-link", {**only(), "admin1": DENY}),
        ],
        # The link is the credential (no session): without a valid one, a refusal to everyone.
        ("GET", "/login/set-password/{token:str}"): [Case("GET", "/login/set-password/not-a-token",
                                                          everyone(TOKEN, TOKEN))],
        ("POST", "/login/set-password/{token:str}"): [
            Case("POST", "/login/set-password/not-a-token", everyone(TOKEN, TOKEN),
                 {"new_password": "x", "confirm_password": "x"})],
    }

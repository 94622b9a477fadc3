"""Reimbursement tests reuse the portal's fixtures: an app on the test database and signed-in browsers."""

from __future__ import annotations

from tests.portal.conftest import app, browsers, make_app, unreachable_temporal

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]

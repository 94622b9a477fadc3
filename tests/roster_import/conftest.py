"""The portal's fixtures (app, signed-in browsers) for roster-import tests."""

from tests.portal.conftest import app, browsers, make_app, unreachable_temporal

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]

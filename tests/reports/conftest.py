"""Fixtures for report tests: the portal's app and browsers, and the hand-counted agency."""

import pytest

from tests.portal.conftest import app, browsers, make_app, unreachable_temporal
from tests.services.agency_support import build_agency

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]


@pytest.fixture
async def agency(session_factory, demo_org):
    return await build_agency(session_factory, demo_org)

"""Roster fixtures: the test organisation's rank list, and the coordinator as the services see them."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AgencyRank, Role
from services.access import CurrentUser
from tests.portal.conftest import app, browsers, make_app, unreachable_temporal
from tests.support import Org

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]

RANKS = ("Chief", "Lieutenant", "Sergeant", "Officer", "Training Coordinator", "Administrator")


@pytest.fixture
async def org(session_factory: async_sessionmaker[AsyncSession], demo_org: Org) -> Org:
    """The test organisation with its ranks listed (as the 0012 migration lists them for existing agencies)."""
    async with session_factory() as session, session.begin():
        session.add_all(AgencyRank(agency_id=demo_org.agency_id, name=name, position=position)
                        for position, name in enumerate(RANKS, start=1))
    return demo_org


@pytest.fixture
def coordinator(org: Org) -> CurrentUser:
    return CurrentUser(id=org.users["coord1"], agency_id=org.agency_id, person_id=org.coord1, username="coord1",
                       display_name="Cora Coordinator", roles=frozenset({Role.COORDINATOR}))

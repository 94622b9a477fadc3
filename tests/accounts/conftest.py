"""Account tests reuse the portal's fixtures and add a person on the roster who has no account yet."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Person
from tests.portal.conftest import app, browsers, make_app, unreachable_temporal
from tests.support import Org

__all__ = ["app", "browsers", "make_app", "unreachable_temporal"]


@pytest.fixture
async def new_hire(session_factory: async_sessionmaker[AsyncSession], demo_org: Org) -> int:
    """Zoë Ärnström, hired into the agency, with an email address on the roster and no account."""
    async with session_factory() as session, session.begin():
        person = Person(agency_id=demo_org.agency_id, first_name="Zoë", last_name="Ärnström", rank="Officer",
                        badge_number="B900", email="zoe@test.example")
        session.add(person)
        await session.flush()
        return person.id


def link_from(mailbox) -> str:  # type: ignore[no-untyped-def]
    """The set-password path in the one message the mailbox holds."""
    [message] = mailbox.messages
    match = re.search(r"https?://[^/\s]+(/login/set-password/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)

"""Helpers for portal tests that need an app of their own (a real or time-skipping Temporal client)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from models import AuditEvent, TrainingRequest
from tests.portal.conftest import Browser
from tests.portal.conftest import sign_in as sign_in_with

FORM = {
    "title": "Crisis Intervention Team",
    "provider": "Regional Academy",
    "location": "St. Paul, MN",
    "start_date": "2027-03-01",
    "end_date": "2027-03-05",
    "hours": "40",
    "cost_tuition": "200.00",
    "cost_travel": "",
    "cost_lodging": "",
    "cost_other": "",
    "justification": "Required for CIT certification.",
}

SignIn = Callable[[str], Awaitable[Browser]]


@asynccontextmanager
async def portal(make_app: Callable[[Client], Litestar], client: Client) -> AsyncIterator[SignIn]:
    """An app on `client`; yields a function that opens a signed-in browser per username."""
    app = make_app(client)
    opened: list[httpx.AsyncClient] = []

    async def sign_in(username: str) -> Browser:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
        opened.append(http)
        browser = Browser(http)
        await sign_in_with(app, browser, username)
        return browser

    try:
        yield sign_in
    finally:
        for http in opened:
            await http.aclose()
        await app.state.engine.dispose()


def request_id_from(location: str) -> int:
    match = re.fullmatch(r"/requests/(\d+)(\?.*)?", location)
    assert match, location
    return int(match.group(1))


async def submit(browser: Browser, **changes: str) -> tuple[int, str]:
    """Submit the request form; returns the new request id and the redirect location."""
    response = await browser.post("/requests", {**FORM, **changes})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return request_id_from(location), location


async def load(factory: async_sessionmaker[AsyncSession], request_id: int) -> TrainingRequest:
    async with factory() as session:
        return await session.get_one(TrainingRequest, request_id)


async def audits(
    factory: async_sessionmaker[AsyncSession], action: str, outcome: str | None = None
) -> list[AuditEvent]:
    async with factory() as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        if outcome is not None:
            query = query.where(AuditEvent.outcome == outcome)
        return list(await session.scalars(query.order_by(AuditEvent.id)))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def assert_paged_oldest_first(browser: Browser, url: str, titles: list[str], param: str = "page") -> None:
    """A coordinators' queue of 26 to 50 items (`titles`, oldest first) shows the oldest 25 on page 1 and
    the rest on page 2, with "Page N of 2" and links; a page number past the end or not a number clamps."""
    size = 25
    assert size < len(titles) <= 2 * size
    first = await browser.get(url)
    assert first.status_code == 200, first.text
    assert "Page 1 of 2" in first.text and f'href="{url}?{param}=2' in first.text and 'rel="prev"' not in first.text
    positions = [first.text.index(title) for title in titles[:size]]
    assert positions == sorted(positions), "page 1 is not oldest first"
    assert not any(title in first.text for title in titles[size:])

    second = await browser.get(f"{url}?{param}=2")
    assert second.status_code == 200, second.text
    assert "Page 2 of 2" in second.text and f'href="{url}?{param}=1' in second.text and 'rel="next"' not in second.text
    assert all(title in second.text for title in titles[size:])
    assert not any(title in second.text for title in titles[:size])

    for raw, shown in (("999", 2), ("abc", 1), ("0", 1), ("-3", 1), ("", 1), ("1e3", 1), ("99999999999", 1)):
        clamped = await browser.get(f"{url}?{param}={raw}")
        assert clamped.status_code == 200, raw
        assert f"Page {shown} of 2" in clamped.text, raw
        assert (titles[-1] if shown == 2 else titles[0]) in clamped.text, raw

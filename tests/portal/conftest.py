"""Portal fixtures: the app on the test database, and browser-like clients that sign in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pyotp
import pytest
from litestar import Litestar
from sqlalchemy import update
from temporalio.client import Client

from models import UserAccount
from portal.app import create_app
from settings import Settings
from tests.support import MFA_SECRET, PASSWORD

Login = Callable[[str], Awaitable[httpx.AsyncClient]]


class Browser:
    """An httpx.AsyncClient that sends the CSRF header the way htmx and our forms do."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def csrf(self) -> str:
        # The cookie's name carries the __Host- prefix when the app runs with secure cookies.
        return self.client.cookies.get("csrftoken") or self.client.cookies.get("__Host-csrftoken") or ""

    async def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("follow_redirects", False)
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, data: dict | list | None = None, *, htmx: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        if not self.csrf():
            await self.client.get("/login")
        headers = {"x-csrftoken": self.csrf(), **kwargs.pop("headers", {})}
        kwargs.setdefault("follow_redirects", False)
        if htmx:
            headers["HX-Request"] = "true"
        return await self.client.post(url, data=data, headers=headers, **kwargs)


async def sign_in(app: Litestar, browser: Browser, username: str, password: str = PASSWORD) -> None:
    """Sign in as a person would: password, then (for accounts with MFA) the app's current code.

    Each code is accepted once per 30-second step, so the account's last used step is forgotten
    first: tests sign the same user in several times within one step.
    """
    await browser.client.get("/login")
    response = await browser.post("/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/mfa":
        async with app.state.session_factory() as session, session.begin():
            await session.execute(
                update(UserAccount).where(UserAccount.username == username).values(mfa_last_step=None)
            )
        response = await browser.post("/login/mfa", {"code": pyotp.TOTP(MFA_SECRET).now()})
        assert response.status_code == 303, response.text
    assert response.headers["location"] == "/", response.headers["location"]


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF field"
    return match.group(1)


@pytest.fixture
async def unreachable_temporal() -> Client:
    """A lazy client to a port where nothing listens: every call fails fast, like Temporal being down."""
    return await Client.connect("127.0.0.1:1", lazy=True)


@pytest.fixture
def make_app(settings: Settings) -> Callable[[Client], Litestar]:
    def build(client: Client) -> Litestar:
        return create_app(settings, temporal_client=client)

    return build


@pytest.fixture
async def app(make_app: Callable[[Client], Litestar], unreachable_temporal: Client) -> AsyncIterator[Litestar]:
    app = make_app(unreachable_temporal)
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def browsers(app: Litestar) -> AsyncIterator[Callable[[str | None], Awaitable[Browser]]]:
    """Open a separate signed-in browser (own cookie jar) per username; None stays signed out.

    httpx's ASGITransport runs the app on the test's own event loop. Litestar's httpx.AsyncClient
    runs it on a portal thread and blocks this loop meanwhile, which would starve the Temporal
    worker that runs here too: a decision's Update would then wait forever for its activities.
    """
    opened: list[httpx.AsyncClient] = []

    async def open_browser(username: str | None) -> Browser:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
        opened.append(client)
        browser = Browser(client)
        if username is not None:
            await sign_in(app, browser, username)
        return browser

    yield open_browser
    for client in opened:
        await client.aclose()

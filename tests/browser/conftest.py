"""Browser fixtures: the real portal served over HTTP on this test's event loop, Debian chromium,
and `people`, who sign in each in a browser context of their own.

The server runs as a task on the test's own loop, so the Temporal worker from `temporal_client`
(also on this loop) keeps running while the browser waits for pages. Playwright drives the
system chromium; no browser is ever downloaded.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    ViewportSize,
    async_playwright,
    expect,
)
from temporalio.client import Client

from portal.app import create_app
from seed.demo import DEMO_MFA_SECRET, DEMO_PASSWORD
from settings import Settings
from tests.conftest import CollectingHandler, require
from tests.support import MFA_SECRET, PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _chromium_installed() -> bool:
    return CHROMIUM.is_file()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def live_server(settings: Settings, temporal_client: Client) -> AsyncIterator[str]:
    """The real app on http://127.0.0.1:<free port>, wired to the worker-backed Temporal client."""
    app = create_app(settings, temporal_client=temporal_client)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + 10
    while not server.started:
        if task.done():
            task.result()  # raises whatever stopped the server from starting
            raise AssertionError("uvicorn exited before it started")
        if asyncio.get_running_loop().time() > deadline:
            server.should_exit = True
            await task
            raise AssertionError("uvicorn did not start within 10 s")
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    """One headless Debian chromium for the session; each test opens its own contexts."""
    require(_chromium_installed(), "Debian chromium at /usr/bin/chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class People:
    """Opens one signed-in browser context per user and records what goes wrong in any page."""

    def __init__(self, browser: Browser, base_url: str, shots: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.shots = shots
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []
        self._last_steps: dict[str, int] = {}

    async def sign_in(self, username: str, *, viewport: ViewportSize = DESKTOP) -> Page:
        context = await self.browser.new_context(base_url=self.base_url, viewport=viewport)
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda error: self.problems.append(f"{username}: page error {error}"))
        page.on("console", lambda message: self._console(username, message))
        page.on("response", lambda response: self._response(username, response))
        await page.goto("/login")
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password").fill(PASSWORD)
        async with page.expect_navigation():
            await page.get_by_role("button", name="Sign in").click()
        if page.url.endswith("/login/mfa"):
            # Coordinators, command and admins: the code an authenticator app would show now.
            await page.get_by_label("Code from your authenticator app").fill(self._fresh_code(username))
            async with page.expect_navigation():
                await page.get_by_role("button", name="Verify").click()
        await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def _fresh_code(self, username: str) -> str:
        """The authenticator's code, never one this user has signed in with already (each is accepted once):
        a second sign-in within the same 30 s uses the next step's code, which the drift window accepts."""
        totp = pyotp.TOTP(MFA_SECRET)
        step = max(totp.timecode(datetime.now(UTC)), self._last_steps.get(username, -1) + 1)
        self._last_steps[username] = step
        return totp.generate_otp(step)

    def _response(self, username: str, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{username}: {response.status} {response.url}")

    def _console(self, username: str, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"{username}: {message.text} at {message.location.get('url')}")

    async def shot(self, page: Page, name: str, *, phone: bool = False) -> Path:
        """A full-page screenshot; with phone=True, also checks nothing overflows sideways."""
        if phone:
            await page.set_viewport_size(PHONE)
            overflow = await page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name}: page is {overflow}px wider than a 390px phone screen"
        path = self.shots / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        if phone:
            await page.set_viewport_size(DESKTOP)
        return path

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def people(chromium: Browser, live_server: str, tmp_path: Path) -> AsyncIterator[People]:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    crowd = People(chromium, live_server, shots)
    yield crowd
    await crowd.close()


def nav(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Main")


async def wait_for_mail(mailbox: CollectingHandler, to: str, subject: str, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        for message in list(mailbox.messages):
            if to in str(message["To"]) and str(message["Subject"]).strip() == subject:
                return
        if asyncio.get_running_loop().time() > deadline:
            seen = [(str(m["To"]), str(m["Subject"])) for m in mailbox.messages]
            raise AssertionError(f"no mail to {to} with subject {subject!r}; got {seen}")
        await asyncio.sleep(0.1)


async def sign_in_demo(people: People, username: str) -> Page:
    """As People.sign_in, with the demo's password and its authenticator key (published for the demo only)."""
    context = await people.browser.new_context(base_url=people.base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    people.contexts.append(context)
    page = await context.new_page()
    page.on("pageerror", lambda error: people.problems.append(f"{username}: page error {error}"))
    page.on("response", lambda response: people.problems.append(f"{username}: {response.status} {response.url}")
            if response.status >= 400 else None)
    await page.goto("/login")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign in").click()
    if page.url.endswith("/login/mfa"):
        await page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(DEMO_MFA_SECRET).now())
        async with page.expect_navigation():
            await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page

"""Browser fixtures: the real portal served over HTTP on this test's event loop, and Debian chromium.

The server runs as a task on the test's own loop, so the Temporal worker from `temporal_client`
(also on this loop) keeps running while the browser waits for pages. Playwright drives the
system chromium; no browser is ever downloaded.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright
from temporalio.client import Client

from portal.app import create_app
from settings import Settings
from tests.conftest import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


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

"""Sessions end on the server after 12 hours however active; with secure cookies every cookie is pinned to
HTTPS and this host, and browsers are told to use HTTPS only (HSTS)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select, update
from temporalio.client import Client

from models import WebSession, utcnow
from portal.app import create_app
from settings import Settings
from tests.portal.conftest import Browser, sign_in
from tests.security.support import password_step
from tests.support import PASSWORD

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture
async def secure_app(settings: Settings, unreachable_temporal: Client) -> AsyncIterator[Litestar]:
    app = create_app(replace(settings, secure_cookies=True), temporal_client=unreachable_temporal)
    yield app
    await app.state.engine.dispose()


@pytest.fixture
async def https_browser(secure_app: Litestar) -> AsyncIterator[Browser]:
    """A browser on https:// (it would not send Secure cookies back over http)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=secure_app),
                                 base_url="https://training.lakeview.example") as client:
        yield Browser(client)


def _set_cookie(response: httpx.Response, name: str) -> dict[str, str | bool]:
    """The attributes of the Set-Cookie header for `name`, keys in lower case, flags as True."""
    for header in response.headers.get_list("set-cookie"):
        if header.split("=", 1)[0].strip() == name:
            attributes: dict[str, str | bool] = {}
            for part in header.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                attributes[key.lower()] = value or True
            return attributes
    raise AssertionError(f"no Set-Cookie for {name}: {response.headers.get_list('set-cookie')}")


def _assert_pinned_to_this_host(attributes: dict[str, str | bool]) -> None:
    # The rules a browser applies to a __Host- cookie: Secure, Path=/ and no Domain.
    assert attributes.get("secure") is True
    assert attributes.get("path") == "/"
    assert "domain" not in attributes
    assert str(attributes.get("samesite")).lower() == "lax"


async def test_session_cookie_has_the_host_prefix_and_is_secure_http_only_and_same_site(
    secure_app, https_browser, demo_org
):
    await https_browser.client.get("/login")
    response = await https_browser.post("/login", {"username": "officer1", "password": PASSWORD})

    assert response.status_code == 303 and response.headers["location"] == "/"
    session = _set_cookie(response, "__Host-muster_session")
    _assert_pinned_to_this_host(session)
    assert session.get("httponly") is True
    assert session.get("max-age") == str(12 * 3600)
    assert not any(header.startswith("muster_session=") for header in response.headers.get_list("set-cookie"))
    assert (await https_browser.get("/requests")).status_code == 200  # the browser sends it back over HTTPS


async def test_pending_second_factor_cookie_has_the_host_prefix_too(secure_app, https_browser, demo_org):
    response = await password_step(https_browser, "coord1")

    assert response.headers["location"] == "/login/mfa"
    pending = _set_cookie(response, "__Host-muster_pending")
    _assert_pinned_to_this_host(pending)
    assert pending.get("httponly") is True


async def test_csrf_cookie_has_the_host_prefix_and_is_secure_http_only_and_same_site(secure_app, https_browser):
    response = await https_browser.get("/login")
    csrf = _set_cookie(response, "__Host-csrftoken")
    _assert_pinned_to_this_host(csrf)
    assert csrf.get("httponly") is True  # no script reads it: pages carry the token themselves


async def test_hsts_is_sent_on_pages_error_pages_and_static_files_when_cookies_are_secure(
    secure_app, https_browser, demo_org
):
    await sign_in(secure_app, https_browser, "officer1")
    for url in ("/requests", "/login", "/no-such-page", "/static/muster.css"):
        response = await https_browser.get(url)
        assert response.headers.get("strict-transport-security") == HSTS, url


async def test_no_hsts_without_secure_cookies(browsers):
    """`make run` serves plain HTTP on 127.0.0.1: HSTS there would lock the browser out of it."""
    browser = await browsers(None)
    assert "strict-transport-security" not in (await browser.get("/login")).headers


async def _age_session(session_factory, *, created_hours_ago: float) -> None:
    """Make the only session this old while just used: only the absolute limit can end it."""
    now = utcnow()
    async with session_factory() as session, session.begin():
        await session.execute(update(WebSession).values(created_at=now - timedelta(hours=created_hours_ago),
                                                        last_seen_at=now))


async def test_session_older_than_twelve_hours_is_refused_even_when_just_used(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    await _age_session(session_factory, created_hours_ago=12 + 1 / 60)

    response = await browser.get("/requests")

    assert response.status_code == 303 and response.headers["location"] == "/login"
    async with session_factory() as session:
        assert await session.scalar(select(WebSession.revoked_at)) is not None
    await _age_session(session_factory, created_hours_ago=1)  # revoked stays revoked
    assert (await browser.get("/requests")).status_code == 303


async def test_active_session_younger_than_twelve_hours_still_works(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    await _age_session(session_factory, created_hours_ago=12 - 1 / 60)

    assert (await browser.get("/requests")).status_code == 200

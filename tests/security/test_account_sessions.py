"""A person's signed-in devices: listed with device and address, ended one by one; an administrator ends them all."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, update

from models import Agency, WebSession, utcnow
from portal.sessions import hash_token
from services.device_names import device_name
from tests.portal.conftest import Browser, sign_in
from tests.security.support import audit_rows

CHROME_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/131.0.0.0 Safari/537.36")
SAFARI_ON_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                    "Version/18.1 Mobile/15E148 Safari/604.1")


@pytest.mark.parametrize(("user_agent", "expected"), [
    (CHROME_ON_WINDOWS, "Chrome on Windows"),
    (SAFARI_ON_IPHONE, "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox on macOS"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome on iPhone"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile "
     "Safari/537.36", "Chrome on Android"),
    ("python-httpx/0.28.1", "Unknown device"),
    (None, "Unknown device"),
])
def test_a_user_agent_is_named_in_plain_words(user_agent, expected):
    assert device_name(user_agent) == expected


def _token(browser: Browser) -> str:
    token = browser.client.cookies.get("muster_session")
    assert token
    return token


async def _session_id(session_factory, browser: Browser) -> int:
    async with session_factory() as session:
        found = await session.scalar(select(WebSession.id).where(WebSession.token_hash == hash_token(_token(browser))))
        assert found is not None
        return found


async def _signed_in(app, username: str, *, user_agent: str, address: str = "127.0.0.1") -> Browser:
    transport = httpx.ASGITransport(app=app, client=(address, 50123))
    browser = Browser(httpx.AsyncClient(transport=transport, base_url="http://testserver.local",
                                        headers={"user-agent": user_agent}))
    await sign_in(app, browser, username)
    return browser


async def _is_signed_in(browser: Browser) -> bool:
    response = await browser.get("/requests")
    assert response.status_code in (200, 303)
    return response.status_code == 200


async def test_the_list_shows_own_sessions_with_device_address_and_times_in_the_agency_zone(
    app, browsers, demo_org, session_factory
):
    async with session_factory() as session, session.begin():
        # India has no daylight saving: +05:30 all year, so the expected text follows by hand.
        await session.execute(update(Agency).values(timezone="Asia/Kolkata"))
    laptop = await _signed_in(app, "officer1", user_agent=CHROME_ON_WINDOWS, address="198.51.100.7")
    phone = await _signed_in(app, "officer1", user_agent=SAFARI_ON_IPHONE, address="203.0.113.9")
    await browsers("officer2")
    signed_in_at = utcnow().replace(microsecond=0) - timedelta(hours=2)
    async with session_factory() as session, session.begin():
        await session.execute(update(WebSession).where(WebSession.token_hash == hash_token(_token(phone)))
                              .values(created_at=signed_in_at))
    try:
        page = await laptop.get("/account/sessions")
    finally:
        await laptop.client.aclose()
        await phone.client.aclose()

    assert page.status_code == 200
    assert "Chrome on Windows <strong>(this session)</strong>" in page.text
    assert "Safari on iPhone" in page.text and "Safari on iPhone <strong>" not in page.text
    assert "198.51.100.7" in page.text and "203.0.113.9" in page.text
    local = signed_in_at + timedelta(hours=5, minutes=30)
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    assert f"{local.day} {months[local.month - 1]} {local.year} at {local:%H:%M} (IST)" in page.text
    # Two sessions of officer1 and none of officer2's; nothing of the token or its hash.
    assert page.text.count('action="/account/sessions/') == 2
    for token in (_token(laptop), _token(phone)):
        assert token not in page.text and hash_token(token) not in page.text


async def test_ending_one_session_signs_that_client_out_and_is_audited(browsers, demo_org, session_factory):
    here, there = await browsers("officer1"), await browsers("officer1")
    there_id = await _session_id(session_factory, there)

    response = await here.post(f"/account/sessions/{there_id}/end")

    assert response.status_code == 303 and response.headers["location"] == "/account/sessions?notice=session_ended"
    assert not await _is_signed_in(there)
    assert await _is_signed_in(here)
    [row] = await audit_rows(session_factory, "session.end")
    assert (row.outcome, row.object_type, row.object_id) == ("success", "web_session", str(there_id))
    assert row.actor_user_id == demo_org.users["officer1"] and row.detail["this_session"] is False


async def test_ending_this_session_signs_out_here(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    own_id = await _session_id(session_factory, browser)

    response = await browser.post(f"/account/sessions/{own_id}/end")

    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert not await _is_signed_in(browser)


async def test_an_officer_cannot_end_another_persons_session(browsers, demo_org, session_factory):
    officer1, officer2 = await browsers("officer1"), await browsers("officer2")
    other_id = await _session_id(session_factory, officer2)

    for session_id in (other_id, 999999):
        response = await officer1.post(f"/account/sessions/{session_id}/end")
        assert response.status_code == 404

    assert await _is_signed_in(officer2)
    refusals = await audit_rows(session_factory, "session.end")
    assert [(r.outcome, r.object_id) for r in refusals] == [("denied", str(other_id)), ("denied", "999999")]


async def test_an_administrator_ends_every_session_of_an_account(browsers, demo_org, session_factory):
    first, second, bystander = await browsers("officer1"), await browsers("officer1"), await browsers("officer2")
    admin = await browsers("admin1")
    officer1 = demo_org.users["officer1"]
    page = await admin.get(f"/admin/accounts/{officer1}")
    assert page.status_code == 200 and page.text.count("<td data-label=\"Device\">") == 2

    response = await admin.post(f"/admin/accounts/{officer1}/sessions/end")

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/accounts/{officer1}?notice=sessions_ended"
    assert not await _is_signed_in(first) and not await _is_signed_in(second)
    assert await _is_signed_in(bystander) and await _is_signed_in(admin)
    [row] = await audit_rows(session_factory, "session.end_all")
    assert (row.outcome, row.object_id, row.actor_user_id) == ("success", str(officer1), demo_org.users["admin1"])
    assert row.detail == {"username": "officer1", "sessions_ended": 2}


async def test_only_administrators_end_another_accounts_sessions(browsers, demo_org, session_factory):
    victim = await browsers("officer2")
    for username in ("officer1", "coord1", "chief1"):
        browser = await browsers(username)
        response = await browser.post(f"/admin/accounts/{demo_org.users['officer2']}/sessions/end")
        assert response.status_code == 403, username
    assert await _is_signed_in(victim)
    assert [r.outcome for r in await audit_rows(session_factory, "session.end_all")] == ["denied"] * 3

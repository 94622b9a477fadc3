"""Five failed sign-ins within 15 minutes lock the account; an admin unlocks it, or a set period does."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import httpx

from models import utcnow
from portal.app import create_app
from tests.portal.conftest import Browser
from tests.security.support import account, audit_rows, change_account, password_step
from tests.support import PASSWORD


async def _fail(browser: Browser, times: int, username: str = "officer1") -> None:
    for _ in range(times):
        response = await password_step(browser, username, "wrong password!")
        assert response.status_code == 401


async def test_five_failures_lock_the_account_with_the_same_message(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await _fail(browser, 4)
    assert (await account(session_factory, "officer1")).locked_at is None
    await _fail(browser, 1)
    assert (await account(session_factory, "officer1")).locked_at is not None

    right_password = await password_step(browser, "officer1", PASSWORD)
    wrong_password = await password_step(browser, "officer1", "wrong password!")
    unknown_user = await password_step(browser, "nobody-here", "wrong password!")
    assert right_password.status_code == wrong_password.status_code == unknown_user.status_code == 401
    assert right_password.text.replace("officer1", "") == unknown_user.text.replace("nobody-here", "")
    assert "muster_session" not in right_password.headers.get("set-cookie", "")

    logins = await audit_rows(session_factory, "login")
    assert [row.detail["reason"] for row in logins] == ["wrong password"] * 5 + ["locked", "locked", "unknown user"]
    assert all(row.outcome == "failure" and row.source == "127.0.0.1" for row in logins)
    assert all(PASSWORD not in str(row.detail) and "wrong password!" not in str(row.detail) for row in logins)
    [lock] = await audit_rows(session_factory, "account.lock")
    assert lock.object_id == str(demo_org.users["officer1"])


async def test_failures_spread_over_more_than_15_minutes_do_not_lock(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await _fail(browser, 4)
    await change_account(session_factory, "officer1", failed_logins_since=utcnow() - timedelta(minutes=16))
    await _fail(browser, 1)
    assert (await account(session_factory, "officer1")).locked_at is None


async def test_successful_sign_in_resets_the_count(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await _fail(browser, 4)
    assert (await password_step(browser, "officer1")).status_code == 303
    await _fail(browser, 4)
    assert (await account(session_factory, "officer1")).locked_at is None


async def test_admin_lists_and_unlocks_and_it_is_audited(browsers, demo_org, session_factory):
    await _fail(await browsers(None), 5)
    admin = await browsers("admin1")
    listing = await admin.get("/admin/locked-accounts")
    assert listing.status_code == 200 and "officer1" in listing.text and "sgt1" not in listing.text

    response = await admin.post(f"/admin/locked-accounts/{demo_org.users['officer1']}/unlock")
    assert response.status_code == 303
    assert (await account(session_factory, "officer1")).locked_at is None
    assert (await password_step(await browsers(None), "officer1")).status_code == 303
    [row] = await audit_rows(session_factory, "account.unlock")
    assert (row.outcome, row.actor_user_id, row.object_id) == (
        "success", demo_org.users["admin1"], str(demo_org.users["officer1"]))


async def test_only_admins_unlock(browsers, demo_org, session_factory):
    await _fail(await browsers(None), 5)
    for username in ("sgt1", "coord1"):
        browser = await browsers(username)
        assert (await browser.get("/admin/locked-accounts")).status_code == 403
        response = await browser.post(f"/admin/locked-accounts/{demo_org.users['officer1']}/unlock")
        assert response.status_code == 403
    assert (await account(session_factory, "officer1")).locked_at is not None
    denied = [row for row in await audit_rows(session_factory) if row.outcome == "denied"]
    assert len(denied) == 4


async def test_lock_stays_until_admin_by_default(browsers, demo_org, session_factory):
    await _fail(await browsers(None), 5)
    await change_account(session_factory, "officer1", locked_at=utcnow() - timedelta(days=3))
    assert (await password_step(await browsers(None), "officer1")).status_code == 401


async def test_release_period_setting_unlocks_by_itself(settings, demo_org, session_factory, unreachable_temporal):
    app = create_app(replace(settings, lockout_release_minutes=10), temporal_client=unreachable_temporal)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
            browser = Browser(c)
            await _fail(browser, 5)
            await change_account(session_factory, "officer1", locked_at=utcnow() - timedelta(minutes=9))
            assert (await password_step(browser, "officer1")).status_code == 401
            await change_account(session_factory, "officer1", locked_at=utcnow() - timedelta(minutes=11))
            assert (await password_step(browser, "officer1")).status_code == 303
    finally:
        await app.state.engine.dispose()
    [row] = await audit_rows(session_factory, "account.unlock")
    assert row.detail == {"by": "release period"}


async def test_wrong_current_passwords_inside_a_session_lock_the_account_and_end_its_sessions(
    browsers, demo_org, session_factory
):
    # Someone holding a stolen session cannot keep guessing: the lock ends every session of the account.
    thief, owner_elsewhere = await browsers("officer1"), await browsers("officer1")
    for _ in range(5):
        refused = await thief.post("/account/password", {"current_password": "a wrong guess!",
                                                         "new_password": "x", "confirm_password": "x"})
        assert refused.status_code == 200
    assert (await account(session_factory, "officer1")).locked_at is not None

    for browser in (thief, owner_elsewhere):
        response = await browser.get("/requests")
        assert response.status_code == 303 and response.headers["location"] == "/login"

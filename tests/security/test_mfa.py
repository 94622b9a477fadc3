"""TOTP two-step sign-in: enrolment, codes accepted once, recovery codes, and no way around it."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from models import utcnow
from tests.portal.conftest import Browser
from tests.security.support import (
    account,
    audit_rows,
    change_account,
    current_code,
    password_step,
    recovery_codes_from,
    secret_from,
)


async def test_coordinator_needs_a_code_and_gets_nothing_before_it(browsers, demo_org, session_factory):
    browser = await browsers(None)
    response = await password_step(browser, "coord1")
    assert response.status_code == 303 and response.headers["location"] == "/login/mfa"
    assert "muster_session" not in response.headers.get("set-cookie", "")
    for url in ("/", "/escalations", "/requests", "/audit", "/admin/settings", "/account/password", "/notifications"):
        page = await browser.get(url)
        assert page.status_code == 303 and page.headers["location"] == "/login", url
    assert (await browser.post("/notifications/read-all")).status_code == 303

    form = await browser.get("/login/mfa")
    assert form.status_code == 200 and 'autocomplete="one-time-code"' in form.text
    signed_in = await browser.post("/login/mfa", {"code": current_code()})
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
    assert (await browser.get("/escalations")).status_code == 200
    [row] = await audit_rows(session_factory, "login")
    assert (row.outcome, row.detail) == ("success", {"mfa": "totp"})
    assert [r.detail for r in await audit_rows(session_factory, "login.password")] == [{"next": "mfa"}]


async def test_a_code_is_accepted_only_once(browsers, demo_org, session_factory):
    code = current_code()
    first, second = await browsers(None), await browsers(None)
    await password_step(first, "coord1")
    await password_step(second, "coord1")
    assert (await first.post("/login/mfa", {"code": code})).status_code == 303
    replay = await second.post("/login/mfa", {"code": code})
    assert replay.status_code == 401 and "already been used" in replay.text
    assert (await second.get("/escalations")).status_code == 303
    failures = [r for r in await audit_rows(session_factory, "login") if r.outcome == "failure"]
    assert [r.detail for r in failures] == [{"reason": "wrong code", "step": "code"}]
    assert code not in str(failures[0].detail)


async def test_codes_one_step_either_side_are_accepted_but_not_further(browsers, demo_org, session_factory):
    totp = pyotp.TOTP((await account(session_factory, "coord1")).mfa_secret or "")
    now = utcnow()
    browser = await browsers(None)
    await password_step(browser, "coord1")
    too_old = await browser.post("/login/mfa", {"code": totp.at(now - timedelta(seconds=95))})
    assert too_old.status_code == 401
    drifted = await browser.post("/login/mfa", {"code": totp.at(now + timedelta(seconds=30))})
    assert drifted.status_code == 303


async def test_wrong_codes_count_towards_lockout(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await password_step(browser, "coord1")
    for _ in range(4):
        assert (await browser.post("/login/mfa", {"code": "000000"})).status_code == 401
    locked = await browser.post("/login/mfa", {"code": "000000"})
    assert locked.status_code == 401 and "username or password is incorrect" in locked.text
    assert (await account(session_factory, "coord1")).locked_at is not None
    assert (await browser.get("/login/mfa")).headers["location"] == "/login?notice=expired"


async def test_pending_sign_in_expires(browsers, demo_org, session_factory):
    from sqlalchemy import update

    from models import PendingLogin

    browser = await browsers(None)
    await password_step(browser, "coord1")
    async with session_factory() as session, session.begin():
        await session.execute(update(PendingLogin).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = await browser.post("/login/mfa", {"code": current_code()})
    assert response.status_code == 303 and response.headers["location"] == "/login?notice=expired"
    assert (await browser.get("/escalations")).status_code == 303


async def _enrol_required_user(browser: Browser, username: str) -> tuple[str, list[str]]:
    response = await password_step(browser, username)
    assert response.headers["location"] == "/login/mfa/enrol"
    page = await browser.get("/login/mfa/enrol")
    assert page.status_code == 200 and "otpauth://totp/" in page.text and "issuer=Muster" in page.text
    secret = secret_from(page.text)
    done = await browser.post("/login/mfa/enrol", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "muster_session" in done.headers.get("set-cookie", "")
    codes = recovery_codes_from(done.text)
    return secret, codes


async def test_unenrolled_admin_must_enrol_before_anything_else(browsers, demo_org, session_factory):
    await change_account(session_factory, "admin1", mfa_secret=None, mfa_enabled_at=None)
    browser = await browsers(None)
    await password_step(browser, "admin1")
    assert (await browser.get("/admin/settings")).status_code == 303
    assert (await browser.get("/login/mfa")).headers["location"] == "/login?notice=expired"
    await browser.get("/login/mfa/enrol")
    wrong = await browser.post("/login/mfa/enrol", {"code": "123456"})
    assert "not right" in wrong.text and (await browser.get("/admin/settings")).status_code == 303

    secret, codes = await _enrol_required_user(browser, "admin1")

    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await browser.get("/admin/settings")).status_code == 200
    stored = await account(session_factory, "admin1")
    assert stored.mfa_secret == secret and stored.mfa_enabled_at is not None
    async with session_factory() as session:
        from sqlalchemy import select

        from models import MfaRecoveryCode

        hashes = list(await session.scalars(select(MfaRecoveryCode.code_hash)))
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert [r.outcome for r in await audit_rows(session_factory, "mfa.enrol")] == ["success"]


async def test_existing_session_of_unenrolled_coordinator_stops_working(browsers, demo_org, session_factory):
    browser = await browsers("coord1")
    await change_account(session_factory, "coord1", mfa_secret=None, mfa_enabled_at=None)
    assert (await browser.get("/escalations")).status_code == 303


async def test_recovery_code_works_once(browsers, demo_org, session_factory):
    await change_account(session_factory, "chief1", mfa_secret=None, mfa_enabled_at=None)
    _, codes = await _enrol_required_user(await browsers(None), "chief1")
    first = await browsers(None)
    await password_step(first, "chief1")
    used = await first.post("/login/mfa", {"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 303
    second = await browsers(None)
    await password_step(second, "chief1")
    assert (await second.post("/login/mfa", {"code": codes[3]})).status_code == 401
    assert (await second.post("/login/mfa", {"code": codes[4]})).status_code == 303
    successes = [r.detail for r in await audit_rows(session_factory, "login") if r.outcome == "success"]
    assert successes[-2:] == [{"mfa": "recovery code"}, {"mfa": "recovery code"}]


async def test_officer_may_enrol_voluntarily_and_then_needs_codes(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    page = await browser.get("/account/mfa")
    secret = secret_from(page.text)
    done = await browser.post("/account/mfa", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and len(recovery_codes_from(done.text)) == 10
    again = await browsers(None)
    assert (await password_step(again, "officer1")).headers["location"] == "/login/mfa"


async def test_agency_setting_requires_mfa_for_officers(browsers, demo_org, session_factory):
    officer = await browsers("officer1")
    admin = await browsers("admin1")
    form = {"threshold": "500", "reminder_days": "2", "escalation_days": "5", "certificate_reminder_days": "3",
            "certificate_escalation_days": "7", "timezone": "America/Chicago", "require_mfa_for_officers": "on"}
    assert (await admin.post("/admin/settings", form)).status_code == 303
    [row] = await audit_rows(session_factory, "agency.mfa_policy")
    assert row.detail == {"require_mfa_for_officers": True}
    assert (await officer.get("/requests")).status_code == 303
    fresh = await browsers(None)
    assert (await password_step(fresh, "officer1")).headers["location"] == "/login/mfa/enrol"

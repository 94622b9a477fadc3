"""An administrator resets another account's two-step sign-in; a person renews their own recovery codes."""

from __future__ import annotations

import pyotp
from sqlalchemy import func, select

from models import Agency, MfaRecoveryCode, Role, UserAccount, UserRole, utcnow
from services.mfa import replace_recovery_codes
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
from tests.support import MFA_SECRET, password_hash


async def _is_signed_in(browser: Browser) -> bool:
    response = await browser.get("/requests")
    assert response.status_code in (200, 303)
    return response.status_code == 200


async def _recovery_codes(session_factory, username: str) -> list[str]:
    """Codes made the way enrolment makes them (services.mfa), for an account set up with MFA by the fixtures."""
    user_id = (await account(session_factory, username)).id
    async with session_factory() as session, session.begin():
        return await replace_recovery_codes(session, user_id)


async def _stored_codes(session_factory, username: str) -> int:
    user_id = (await account(session_factory, username)).id
    async with session_factory() as session:
        count = await session.scalar(select(func.count(MfaRecoveryCode.id)).where(MfaRecoveryCode.user_id == user_id))
        return count or 0


async def _other_agency_admin(session_factory) -> None:
    """A second agency with an administrator of its own ('other_admin', signed in with the test MFA secret)."""
    async with session_factory() as session, session.begin():
        agency = Agency(name="Other County Sheriff", state="MN")
        session.add(agency)
        await session.flush()
        session.add(UserAccount(agency_id=agency.id, username="other_admin", password_hash=password_hash(),
                                roles=[UserRole(role=Role.ADMIN)], mfa_secret=MFA_SECRET, mfa_enabled_at=utcnow()))


async def test_reset_signs_the_officer_out_and_makes_the_next_sign_in_enrol_a_new_app(
    browsers, demo_org, session_factory
):
    # officer1 set up two-step sign-in himself (his agency does not require it of officers).
    await change_account(session_factory, "officer1", mfa_secret=MFA_SECRET, mfa_enabled_at=utcnow())
    old_codes = await _recovery_codes(session_factory, "officer1")
    officer = await browsers("officer1")
    admin = await browsers("admin1")
    officer1 = demo_org.users["officer1"]
    assert "Reset two-step sign-in</button>" in (await admin.get(f"/admin/accounts/{officer1}")).text

    response = await admin.post(f"/admin/accounts/{officer1}/mfa/reset")

    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/accounts/{officer1}?notice=mfa_reset"
    assert "Reset: sets up a new app at next sign-in" in (await admin.get(f"/admin/accounts/{officer1}")).text
    assert not await _is_signed_in(officer)
    stored = await account(session_factory, "officer1")
    assert (stored.mfa_secret, stored.mfa_enabled_at, stored.mfa_reset_at is not None) == (None, None, True)
    assert await _stored_codes(session_factory, "officer1") == 0
    [row] = await audit_rows(session_factory, "mfa.reset")
    assert (row.outcome, row.object_type, row.object_id, row.actor_user_id) == (
        "success", "user_account", str(officer1), demo_org.users["admin1"])
    assert row.detail == {"username": "officer1", "was": "on", "sessions_ended": 1}

    # The next sign-in goes to enrolment: neither the old app's code nor an old recovery code gets in.
    fresh = await browsers(None)
    assert (await password_step(fresh, "officer1")).headers["location"] == "/login/mfa/enrol"
    assert (await fresh.get("/login/mfa")).headers["location"] == "/login?notice=expired"
    assert (await fresh.post("/login/mfa", {"code": old_codes[0]})).headers["location"] == "/login?notice=expired"
    secret = secret_from((await fresh.get("/login/mfa/enrol")).text)
    assert secret != MFA_SECRET
    done = await fresh.post("/login/mfa/enrol", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and len(recovery_codes_from(done.text)) == 10
    assert await _is_signed_in(fresh)
    assert (await account(session_factory, "officer1")).mfa_reset_at is None


async def test_officers_and_coordinators_cannot_reset_anyones_two_step_sign_in(browsers, demo_org, session_factory):
    for username in ("officer1", "coord1"):
        browser = await browsers(username)
        response = await browser.post(f"/admin/accounts/{demo_org.users['chief1']}/mfa/reset")
        assert response.status_code == 403, username
        assert (await browser.get(f"/admin/accounts/{demo_org.users['chief1']}")).status_code == 403
    chief = await account(session_factory, "chief1")
    assert chief.mfa_enabled_at is not None and chief.mfa_secret == MFA_SECRET and chief.mfa_reset_at is None
    assert [r.outcome for r in await audit_rows(session_factory, "mfa.reset")] == ["denied", "denied"]


async def test_an_administrator_cannot_reset_their_own_two_step_sign_in(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    response = await admin.post(f"/admin/accounts/{demo_org.users['admin1']}/mfa/reset")
    assert response.status_code == 403 and "Another administrator" in response.text
    assert (await account(session_factory, "admin1")).mfa_enabled_at is not None
    assert await _is_signed_in(admin)
    assert [r.outcome for r in await audit_rows(session_factory, "mfa.reset")] == ["denied"]


async def test_an_administrator_of_another_agency_gets_not_found(browsers, demo_org, session_factory):
    await _other_agency_admin(session_factory)
    officer = await browsers("coord1")
    outsider = await browsers("other_admin")
    coord1 = demo_org.users["coord1"]

    listing = await outsider.get("/admin/accounts")
    assert listing.status_code == 200 and "other_admin" in listing.text and "coord1" not in listing.text
    assert (await outsider.get(f"/admin/accounts/{coord1}")).status_code == 404
    assert (await outsider.post(f"/admin/accounts/{coord1}/mfa/reset")).status_code == 404
    assert (await outsider.post(f"/admin/accounts/{coord1}/sessions/end")).status_code == 404

    assert await _is_signed_in(officer)
    assert (await account(session_factory, "coord1")).mfa_enabled_at is not None
    refusals = [row for row in await audit_rows(session_factory) if row.outcome == "denied"]
    assert [(r.action, r.object_id, r.detail) for r in refusals] == [
        (action, str(coord1), {"reason": "not found"}) for action in ("account.view", "mfa.reset", "session.end_all")
    ]


async def test_renewing_recovery_codes_needs_the_app_code_and_retires_the_old_ones(
    browsers, demo_org, session_factory
):
    old_codes = await _recovery_codes(session_factory, "coord1")
    browser = await browsers("coord1")
    form = await browser.get("/account/mfa/recovery-codes")
    assert form.status_code == 200 and "You have 10 unused recovery codes" in form.text

    wrong = await browser.post("/account/mfa/recovery-codes", {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.text and not recovery_codes_from(wrong.text)
    # sign_in used this 30-second step's code, and a code is accepted once: forget it, as sign_in does.
    await change_account(session_factory, "coord1", mfa_last_step=None)
    renewed = await browser.post("/account/mfa/recovery-codes", {"code": current_code()})

    new_codes = recovery_codes_from(renewed.text)
    assert renewed.status_code == 200 and len(set(new_codes)) == 10 and not set(new_codes) & set(old_codes)
    assert await _stored_codes(session_factory, "coord1") == 10
    assert [(r.outcome, r.detail) for r in await audit_rows(session_factory, "mfa.recovery_codes")] == [
        ("failure", {"reason": "wrong code"}), ("success", {"codes": 10})]
    assert (await account(session_factory, "coord1")).failed_logins == 1

    old_try = await browsers(None)
    await password_step(old_try, "coord1")
    assert (await old_try.post("/login/mfa", {"code": old_codes[0]})).status_code == 401
    assert (await old_try.post("/login/mfa", {"code": new_codes[0]})).status_code == 303


async def test_recovery_codes_page_sends_people_without_two_step_sign_in_to_set_it_up(browsers, demo_org):
    browser = await browsers("officer1")
    for response in (await browser.get("/account/mfa/recovery-codes"),
                     await browser.post("/account/mfa/recovery-codes", {"code": "000000"})):
        assert response.status_code == 303 and response.headers["location"] == "/account/mfa"

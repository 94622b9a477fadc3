"""Disabling, re-enabling and changing roles: who may, the refusals, and before/after in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from models import UserAccount, UserRole
from services.person_accounts import keeps_an_administrator
from tests.security.support import audit_rows, password_step


async def test_disabling_signs_the_other_browser_out_and_stops_sign_in_until_enabled(
        browsers, demo_org, session_factory):
    officer = await browsers("officer1")
    assert (await officer.get("/requests")).status_code == 200
    admin = await browsers("admin1")
    user_id = demo_org.users["officer1"]

    done = await admin.post(f"/admin/accounts/{user_id}/disable", {"reason": "Separated 1 May"})
    assert done.status_code == 303
    assert (await officer.get("/requests")).headers["location"] == "/login"
    assert (await password_step(await browsers(None), "officer1")).status_code == 401
    listed = await admin.get("/admin/accounts")
    assert "Disabled" in listed.text

    [row] = await audit_rows(session_factory, "account.disable")
    assert row.detail["reason"] == "Separated 1 May" and row.detail["sessions_ended"] == 1
    assert row.detail["before"]["active"] is True and row.detail["after"]["active"] is False

    assert (await admin.post(f"/admin/accounts/{user_id}/enable")).status_code == 303
    assert (await password_step(await browsers(None), "officer1")).status_code == 303
    [enabled] = await audit_rows(session_factory, "account.enable")
    assert (enabled.detail["before"]["active"], enabled.detail["after"]["active"]) == (False, True)


async def test_administrator_cannot_disable_own_account(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    refused = await admin.post(f"/admin/accounts/{demo_org.users['admin1']}/disable", {"reason": "x"})
    assert refused.status_code == 403 and "your own account" in refused.text
    assert (await admin.get("/admin/accounts")).status_code == 200
    [row] = await audit_rows(session_factory, "account.disable")
    assert row.outcome == "denied"


async def test_roles_change_with_before_and_after_and_show_in_words(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    user_id = demo_org.users["officer1"]
    done = await admin.post(f"/admin/accounts/{user_id}/roles", {"roles": ["officer", "sergeant"]})
    assert done.status_code == 303
    async with session_factory() as session:
        roles = set(await session.scalars(select(UserRole.role).where(UserRole.user_id == user_id)))
    assert roles == {"officer", "sergeant"}
    [row] = await audit_rows(session_factory, "account.roles")
    assert row.detail["before"]["roles"] == ["officer"] and row.detail["after"]["roles"] == ["officer", "sergeant"]
    listed = await admin.get("/admin/accounts")
    assert "Officer, Sergeant" in listed.text and "Coordinator" in listed.text and ">coordinator<" not in listed.text


async def test_administrator_cannot_remove_own_admin_role(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    refused = await admin.post(f"/admin/accounts/{demo_org.users['admin1']}/roles", {"roles": "officer"},
                               htmx=True)
    assert refused.status_code == 403 and "your own administrator role" in refused.text
    assert "<html" not in refused.text
    async with session_factory() as session:
        account = await session.get_one(UserAccount, demo_org.users["admin1"])
        assert account.role_names == {"admin"}


async def test_the_agency_keeps_at_least_one_active_administrator(demo_org, session_factory):
    # Through the pages the acting administrator is always one, so the rule guards other callers (a separation).
    async def reason() -> str | None:
        async with session_factory() as session:
            admin = await session.get_one(UserAccount, demo_org.users["admin1"])
            return await keeps_an_administrator(session, admin, losing_admin=True)

    async def make_chief(roles: list[str], active: bool) -> None:
        async with session_factory() as session, session.begin():
            chief = await session.get_one(UserAccount, demo_org.users["chief1"])
            chief.roles, chief.is_active = [UserRole(role=role) for role in roles], active

    assert "at least one active administrator" in (await reason() or "")
    await make_chief(["command", "admin"], active=True)
    assert await reason() is None
    await make_chief(["command", "admin"], active=False)
    assert "at least one active administrator" in (await reason() or "")


async def test_a_role_taken_away_applies_to_an_open_session_at_once(browsers, demo_org, session_factory):
    async with session_factory() as session, session.begin():
        chief = await session.get_one(UserAccount, demo_org.users["chief1"])
        chief.roles = [*chief.roles, UserRole(role="admin")]
    admin = await browsers("admin1")
    chief_browser = await browsers("chief1")
    assert (await admin.post(f"/admin/accounts/{demo_org.users['chief1']}/roles",
                             {"roles": "command"})).status_code == 303
    assert (await chief_browser.get("/admin/accounts")).status_code == 403


async def test_another_agencys_account_is_not_found(browsers, demo_org, session_factory):
    from models import Agency
    async with session_factory() as session, session.begin():
        other = Agency(name="Elsewhere PD", state="MN")
        session.add(other)
        await session.flush()
        stranger = UserAccount(agency_id=other.id, username="elsewhere", password_hash="x")
        session.add(stranger)
        await session.flush()
        stranger_id = stranger.id
    admin = await browsers("admin1")
    for method, path in (("GET", ""), ("POST", "/disable"), ("POST", "/enable"), ("POST", "/roles"),
                         ("POST", "/set-password-link")):
        url = f"/admin/accounts/{stranger_id}{path}"
        response = await (admin.get(url) if method == "GET" else admin.post(url, {"roles": "officer"}))
        assert response.status_code == 404, url
        assert "elsewhere" not in response.text

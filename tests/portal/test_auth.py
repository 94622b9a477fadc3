"""Sign-in, sessions, CSRF and headers: what a browser sees and what the audit trail holds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from models import AuditEvent, WebSession, utcnow
from tests.support import PASSWORD


async def _audit_rows(session_factory, action: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def test_login_with_correct_password_starts_session_and_is_audited(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await browser.get("/login")
    response = await browser.post("/login", {"username": "officer1", "password": PASSWORD})

    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "muster_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    page = await browser.get("/requests")
    assert page.status_code == 200 and "Officer Olly Officer" in page.text
    rows = await _audit_rows(session_factory, "login")
    assert [(r.outcome, r.actor_user_id) for r in rows] == [("success", demo_org.users["officer1"])]
    assert PASSWORD not in str(rows[0].detail)


async def test_login_failure_shows_generic_message_and_is_audited(browsers, demo_org, session_factory):
    browser = await browsers(None)
    await browser.get("/login")
    wrong = await browser.post("/login", {"username": "officer1", "password": "not it"})
    unknown = await browser.post("/login", {"username": "nobody", "password": "not it"})

    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "username or password is incorrect" in response.text
        assert "set-cookie" not in response.headers or "muster_session" not in response.headers["set-cookie"]
    assert wrong.text.count("incorrect") == unknown.text.count("incorrect")
    rows = await _audit_rows(session_factory, "login")
    assert sorted(r.outcome for r in rows) == ["failure", "failure"]
    assert all("not it" not in str(r.detail) for r in rows)


async def test_unauthenticated_page_request_redirects_to_login(browsers):
    browser = await browsers(None)
    page = await browser.get("/requests")
    assert page.status_code == 303 and page.headers["location"] == "/login"
    fragment = await browser.get("/inbox/count", headers={"HX-Request": "true"})
    assert fragment.headers.get("hx-redirect") == "/login"


async def test_post_without_csrf_token_is_refused(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    response = await browser.client.post("/notifications/read-all", follow_redirects=False)
    assert response.status_code == 403
    assert "Traceback" not in response.text
    login = await browser.client.post("/login", data={"username": "officer1", "password": PASSWORD})
    assert login.status_code == 403


async def test_security_headers_are_on_pages_and_error_pages(browsers, demo_org):
    browser = await browsers("officer1")
    for url in ("/requests", "/login", "/no-such-page"):
        response = await browser.get(url)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["cache-control"] == "no-store"
    missing = await browser.get("/no-such-page")
    assert missing.status_code == 404 and "Not found" in missing.text


async def test_htmx_is_served_locally(browsers):
    browser = await browsers(None)
    response = await browser.get("/static/htmx.min.js")
    assert response.status_code == 200 and "htmx" in response.text[:2000]


async def test_idle_session_times_out_on_the_server(browsers, demo_org, session_factory, settings):
    browser = await browsers("officer1")
    assert (await browser.get("/requests")).status_code == 200
    async with session_factory() as session, session.begin():
        await session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes + 1))
        )
    response = await browser.get("/requests")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    async with session_factory() as session:
        assert (await session.scalar(select(WebSession.revoked_at))) is not None


async def test_disabled_account_loses_its_session(browsers, demo_org, session_factory):
    from models import UserAccount

    browser = await browsers("officer1")
    async with session_factory() as session, session.begin():
        await session.execute(update(UserAccount).where(UserAccount.username == "officer1").values(is_active=False))
    assert (await browser.get("/requests")).status_code == 303


async def test_logout_revokes_the_session(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    response = await browser.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert (await browser.get("/requests")).status_code == 303
    async with session_factory() as session:
        assert (await session.scalar(select(WebSession.revoked_at))) is not None
    assert [r.outcome for r in await _audit_rows(session_factory, "logout")] == ["success"]

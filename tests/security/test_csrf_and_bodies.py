"""The CSRF token belongs to one session and is renewed whenever the session changes; request bodies
are capped before anything reads them (the CSRF check included); unreadable form text is a 400."""

from __future__ import annotations

from litestar import Litestar
from sqlalchemy import select

from models import Task, TrainingRequest
from settings import Settings
from storage.validation import too_large_message
from tests.portal.conftest import Browser
from tests.portal.helpers import FORM
from tests.security.route_targets import build_targets
from tests.security.test_route_permissions import expectations
from tests.support import PASSWORD

FORM_URL = "/account/notifications"
NOTIFICATION_FORM = {"email": "on", "in_app": "on", "delivery": "immediate"}


async def test_state_changing_requests_without_a_csrf_token_are_refused(app, browsers, demo_org, session_factory,
                                                                       settings):
    targets = await build_targets(session_factory, demo_org, settings)
    posts = [case for cases in expectations(targets).values() for case in cases if case.method == "POST"]
    problems = []
    for role in ("anonymous", "admin1", "coord1"):
        browser = await browsers(None if role == "anonymous" else role)
        await browser.get("/login")  # a CSRF cookie, but the request below carries no token
        for case in posts:
            response = await browser.client.post(case.url, data=case.data, follow_redirects=False)
            # Signed out, a protected route sends the browser to /login before CSRF is looked at; both refuse.
            to_login = role == "anonymous" and response.status_code == 303 and response.headers["location"] == "/login"
            if response.status_code != 403 and not to_login:
                problems.append(f"{role} POST {case.url}: {response.status_code}, expected 403")
    assert not problems, "\n" + "\n".join(problems)
    async with session_factory() as session:
        # Nothing the refused POSTs carried was stored.
        assert (await session.scalar(select(Task.status).where(Task.id == targets.case_task))) == "open"
        titles = set(await session.scalars(select(TrainingRequest.title)))
        assert FORM["title"] not in titles


async def _post_with_token(browser: Browser, token: str):  # type: ignore[no-untyped-def]
    browser.client.cookies.delete("csrftoken")
    browser.client.cookies.set("csrftoken", token, domain="testserver.local")
    return await browser.client.post(FORM_URL, data=NOTIFICATION_FORM, headers={"x-csrftoken": token})


async def test_signing_in_renews_the_token_and_the_one_from_before_no_longer_works(browsers, demo_org):
    browser = await browsers(None)
    await browser.get("/login")
    before = browser.csrf()

    signed_in = await browser.post("/login", {"username": "officer1", "password": PASSWORD})

    assert signed_in.status_code == 303
    after = browser.csrf()
    assert after and after != before
    assert (await _post_with_token(browser, before)).status_code == 403
    assert (await _post_with_token(browser, after)).status_code == 303  # saved


async def test_a_token_from_another_session_is_refused_even_in_the_cookie(browsers, demo_org):
    # An attacker who plants their own valid token in the victim's cookie jar gets nowhere.
    attacker, victim = await browsers("officer2"), await browsers("officer1")
    attackers_token, victims_token = attacker.csrf(), victim.csrf()

    planted = await _post_with_token(victim, attackers_token)

    assert planted.status_code == 403
    assert (await _post_with_token(victim, victims_token)).status_code == 303


async def test_signing_out_renews_the_token(browsers, demo_org):
    browser = await browsers("officer1")
    during = browser.csrf()
    assert (await browser.post("/logout")).status_code == 303
    assert browser.csrf() != during


async def _call(app: Litestar, path: str, headers: list[tuple[bytes, bytes]],
                chunks: list[bytes]) -> tuple[int, bytes, int]:
    """Drive the app over raw ASGI: the status, the body, and how many body bytes it asked for."""
    sent: list[dict] = []
    handed = 0
    pending = list(chunks)

    async def receive():  # type: ignore[no-untyped-def]
        nonlocal handed
        if not pending:
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        handed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver.local"), *headers], "client": ("127.0.0.1", 5000),
             "server": ("testserver.local", 80)}
    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body, handed


MULTIPART = (b"content-type", b"multipart/form-data; boundary=cut")


async def test_an_oversized_upload_is_refused_by_its_declared_length_before_a_byte_is_read(
    app: Litestar, settings: Settings
):
    declared = str(settings.max_upload_bytes + 1024 * 1024).encode()
    # No CSRF token and no session: the size is checked before either (and the page's own message shown).
    status, body, read = await _call(app, "/certificates/new", [MULTIPART, (b"content-length", declared)],
                                     [b"x" * 1024])
    assert status == 413
    assert too_large_message(settings.max_upload_bytes) in body.decode()
    assert read == 0


async def test_an_oversized_import_sent_without_a_length_is_refused_at_the_first_chunk_past_the_cap(
    app: Litestar, settings: Settings
):
    chunk = b"x" * (256 * 1024)
    chunks = [chunk] * (settings.max_import_bytes // len(chunk) + 4)
    status, body, read = await _call(app, "/records/imports/new", [MULTIPART], chunks)
    assert status == 413
    assert "Split it into smaller files." in body.decode()
    # It stopped reading at the chunk that crossed the cap (the cap counts a 64 KiB form envelope).
    assert read <= settings.max_import_bytes + 64 * 1024 + len(chunk)
    assert read < len(chunk) * len(chunks)


async def test_form_text_that_is_not_utf8_is_a_400_with_a_message_on_every_form(browsers, demo_org):
    officer = await browsers("officer1")
    body = (b'--cut\r\nContent-Disposition: form-data; name="course_title"\r\n\r\n\xff\xfe\r\n--cut--\r\n')
    for url in ("/certificates/new", "/records/reports/new", "/requests", "/certificates/read-details"):
        for htmx in (False, True):
            headers = {"content-type": "multipart/form-data; boundary=cut", "x-csrftoken": officer.csrf(),
                       **({"HX-Request": "true"} if htmx else {})}
            response = await officer.client.post(url, content=body, headers=headers)
            assert response.status_code == 400, (url, htmx)
            assert "is not valid UTF-8" in response.text, (url, htmx)

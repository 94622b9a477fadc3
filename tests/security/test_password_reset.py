"""Password reset by a one-time emailed link: no enumeration, expiry, single use, sessions revoked."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from models import PasswordResetToken, utcnow
from services.sign_in import token_digest
from tests.security.support import audit_rows, password_step
from tests.support import PASSWORD

NEW = "a completely new passphrase"
SENT = "If an account with that username exists"


def _token(mailbox) -> str:  # type: ignore[no-untyped-def]
    [message] = mailbox.messages
    match = re.search(r"/login/reset/(\S+)", message.get_content())
    assert match
    return match.group(1)


async def test_forgot_answers_the_same_for_known_and_unknown_users(browsers, demo_org, mailbox, session_factory):
    browser = await browsers(None)
    form = await browser.get("/login/forgot")
    assert form.status_code == 200 and 'name="_csrf_token"' in form.text
    assert "/login/forgot" in (await browser.get("/login")).text
    known = await browser.post("/login/forgot", {"username": "officer1"})
    unknown = await browser.post("/login/forgot", {"username": "no-such-user"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text and SENT in known.text
    [message] = mailbox.messages
    assert message["To"] == "officer1@test.example" and message["Subject"] == "Reset your Muster password"
    rows = await audit_rows(session_factory, "password.reset_request")
    assert [(r.actor_label, r.outcome) for r in rows] == [("officer1", "success"), ("no-such-user", "failure")]
    token = _token(mailbox)
    assert all(token not in str(r.detail) for r in rows)
    async with session_factory() as session:
        stored = list(await session.scalars(select(PasswordResetToken.token_hash)))
    assert stored == [token_digest(token)]


async def test_reset_link_sets_a_new_password_once_and_revokes_sessions(browsers, demo_org, mailbox, session_factory):
    signed_in = await browsers("officer1")
    browser = await browsers(None)
    await browser.post("/login/forgot", {"username": "officer1"})
    token = _token(mailbox)
    form = await browser.get(f"/login/reset/{token}")
    assert form.status_code == 200 and "Choose a new password" in form.text

    weak = await browser.post(f"/login/reset/{token}", {"new_password": "password", "confirm_password": "password"})
    assert "at least 12" in weak.text
    done = await browser.post(f"/login/reset/{token}", {"new_password": NEW, "confirm_password": NEW})
    assert done.status_code == 303 and done.headers["location"] == "/login?notice=password_reset"

    assert (await signed_in.get("/requests")).status_code == 303
    assert (await password_step(browser, "officer1", PASSWORD)).status_code == 401
    assert (await password_step(browser, "officer1", NEW)).status_code == 303
    again = await browser.post(f"/login/reset/{token}", {"new_password": NEW + "!", "confirm_password": NEW + "!"})
    assert again.status_code == 400 and "does not work" in again.text
    [row] = await audit_rows(session_factory, "password.reset")
    assert row.outcome == "success" and NEW not in str(row.detail) and token not in str(row.detail)


async def test_reset_link_expires_after_30_minutes(browsers, demo_org, mailbox, session_factory):
    browser = await browsers(None)
    await browser.post("/login/forgot", {"username": "officer1"})
    token = _token(mailbox)
    async with session_factory() as session, session.begin():
        created = await session.scalar(select(PasswordResetToken.created_at))
        assert created is not None
        reset = await session.scalar(select(PasswordResetToken.expires_at))
        assert reset is not None and abs(reset - created - timedelta(minutes=30)) < timedelta(seconds=5)
        await session.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert (await browser.get(f"/login/reset/{token}")).status_code == 400
    response = await browser.post(f"/login/reset/{token}", {"new_password": NEW, "confirm_password": NEW})
    assert response.status_code == 400
    assert (await password_step(browser, "officer1", PASSWORD)).status_code == 303


async def test_a_newer_link_replaces_the_older_one(browsers, demo_org, mailbox):
    browser = await browsers(None)
    await browser.post("/login/forgot", {"username": "officer1"})
    old = _token(mailbox)
    mailbox.messages.clear()
    await browser.post("/login/forgot", {"username": "officer1"})
    assert (await browser.get(f"/login/reset/{old}")).status_code == 400
    assert (await browser.get(f"/login/reset/{_token(mailbox)}")).status_code == 200


async def test_mail_failure_still_gives_the_generic_answer(browsers, demo_org, mailbox, caplog):
    mailbox.refuse_with = "554 Transaction failed"
    try:
        browser = await browsers(None)
        response = await browser.post("/login/forgot", {"username": "officer1"})
    finally:
        mailbox.refuse_with = None  # the SMTP server is shared by the whole session
    assert response.status_code == 200 and SENT in response.text
    assert "password reset mail could not be sent" in caplog.text


async def test_made_up_tokens_are_refused(browsers, demo_org):
    browser = await browsers(None)
    assert (await browser.get("/login/reset/not-a-real-token")).status_code == 400

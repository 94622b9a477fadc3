"""The development mailbox: administrators read the .eml files; to anyone else it does not exist; nothing
outside the folder is served."""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import httpx

from portal.app import create_app
from tests.portal.conftest import Browser, sign_in


def _write(folder, name: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "muster@localhost", "sgt1@test.example", subject
    message.set_content(body)
    (folder / name).write_bytes(message.as_bytes())


async def test_administrator_reads_subject_in_list_and_body_on_detail(browsers, demo_org, settings):
    _write(settings.dev_mailbox_dir, "0002-reminder.eml", "Reminder: <b>CIT</b> awaits you", "Body & more.")
    browser = await browsers("admin1")

    listing = await browser.get("/dev/mail")
    assert listing.status_code == 200
    assert "Reminder: &lt;b&gt;CIT&lt;/b&gt; awaits you" in listing.text and "<b>CIT</b>" not in listing.text
    assert 'href="/dev/mail/0002-reminder.eml"' in listing.text
    detail = await browser.get("/dev/mail/0002-reminder.eml")
    assert detail.status_code == 200
    assert "Reminder: &lt;b&gt;CIT&lt;/b&gt; awaits you" in detail.text and "Body &amp; more." in detail.text
    assert "sgt1@test.example" in detail.text


async def test_everyone_but_administrators_is_told_the_mailbox_does_not_exist(browsers, demo_org, settings):
    # It holds everyone's mail, password-reset links included: reading it would take over accounts.
    _write(settings.dev_mailbox_dir, "0003-reset.eml", "Reset your password", "https://muster/login/reset/SECRET")
    for username in ("officer1", "sgt1", "coord1", "chief1"):
        browser = await browsers(username)
        for url in ("/dev/mail", "/dev/mail/0003-reset.eml"):
            response = await browser.get(url)
            assert response.status_code == 404, (username, url)
            assert "SECRET" not in response.text and "Reset your password" not in response.text


async def test_dev_mail_needs_a_signed_in_user(browsers, settings):
    _write(settings.dev_mailbox_dir, "0001-a.eml", "Private subject", "Private body")
    anonymous = await browsers(None)
    for url in ("/dev/mail", "/dev/mail/0001-a.eml"):
        response = await anonymous.get(url)
        assert response.status_code == 303 and response.headers["location"] == "/login"
        assert "Private" not in response.text


async def test_traversal_and_odd_names_are_not_found(browsers, demo_org, settings):
    folder = settings.dev_mailbox_dir
    _write(folder, "0001-ok.eml", "Fine", "Fine body")
    _write(folder.parent, "secret.eml", "Top secret", "The secret body")  # next to the mailbox, not in it
    (folder / "link.eml").symlink_to(folder.parent / "secret.eml")
    browser = await browsers("admin1")

    for name in (
        "..%2F..%2Fetc%2Fpasswd",
        "..%2Fsecret.eml",
        "%2E%2E%2Fsecret.eml",
        "..%5Csecret.eml",
        "%2Fetc%2Fpasswd",
        ".hidden.eml",
        "link.eml",
        "0001-ok.eml%00.txt",
        "0001-ok",
    ):
        response = await browser.get(f"/dev/mail/{name}")
        assert response.status_code == 404, name
        assert "secret" not in response.text.lower() and "root:" not in response.text
    # A literal "../" is resolved by the client before it is sent; it still never reaches the file.
    raw = await browser.get("/dev/mail/../secret")
    assert raw.status_code == 404
    assert (await browser.get("/dev/mail/0001-ok.eml")).status_code == 200


async def test_dev_mail_does_not_exist_without_a_mailbox_folder(settings, demo_org, unreachable_temporal):
    app = create_app(replace(settings, dev_mailbox_dir=None), temporal_client=unreachable_temporal)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as c:
            browser = Browser(c)
            await sign_in(app, browser, "admin1")
            assert (await browser.get("/dev/mail")).status_code == 404
            assert ("GET", "/dev/mail") not in {(m, r.path) for r in app.routes for m in getattr(r, "methods", ())}
    finally:
        await app.state.engine.dispose()

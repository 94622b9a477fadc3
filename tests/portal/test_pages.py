"""Smaller pages: health check, landing redirects, the dev mailbox, agency settings."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select

from models import Agency


async def test_healthz_answers_ok_without_login(browsers):
    response = await (await browsers(None)).get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_landing_page_sends_each_role_to_its_work(browsers, demo_org):
    expected = {"officer1": "/dashboard", "sgt1": "/inbox", "coord1": "/escalations"}
    for username, location in expected.items():
        response = await (await browsers(username)).get("/")
        assert response.headers["location"] == location, username


async def test_dev_mailbox_lists_and_shows_mail_and_refuses_path_tricks(browsers, demo_org, settings):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "muster@localhost", "sgt1@test.example", "Approval needed"
    message.set_content("Please review the request.")
    (settings.dev_mailbox_dir / "0001-approval.eml").write_bytes(message.as_bytes())
    browser = await browsers("officer1")

    listing = await browser.get("/dev/mail")
    assert "Approval needed" in listing.text
    detail = await browser.get("/dev/mail/0001-approval.eml")
    assert "Please review the request." in detail.text
    for name in ("..%2Fsecret.eml", "%2Fetc%2Fpasswd", "nope.txt"):
        assert (await browser.get(f"/dev/mail/{name}")).status_code == 404


async def test_admin_changes_threshold_in_dollars_with_validation(browsers, demo_org, session_factory):
    admin = await browsers("admin1")
    bad = await admin.post("/admin/settings", {"threshold": "-1", "reminder_days": "0", "escalation_days": "5"})
    assert bad.status_code == 200 and "Enter an amount from 0" in bad.text and "whole number" in bad.text
    good = await admin.post("/admin/settings", {"threshold": "750.00", "reminder_days": "3", "escalation_days": "6",
                                                "certificate_reminder_days": "3", "certificate_escalation_days": "7",
                                                "timezone": "America/Chicago"})
    assert good.status_code == 303
    async with session_factory() as session:
        agency = await session.scalar(select(Agency))
        assert agency.approval_cost_threshold_cents == 75_000 and agency.approval_reminder_business_days == 3

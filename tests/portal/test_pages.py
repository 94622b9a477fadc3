"""Smaller pages: health check, landing redirects, the dev mailbox, agency settings."""

from __future__ import annotations

from sqlalchemy import select

from models import Agency


async def test_healthz_answers_ok_without_login(browsers):
    response = await (await browsers(None)).get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_landing_page_sends_each_role_to_its_work(browsers, demo_org):
    # sgt1's inbox is empty, so the team is the work (tests/portal/test_landing.py has the other cases).
    expected = {"officer1": "/dashboard", "sgt1": "/team", "coord1": "/queues"}
    for username, location in expected.items():
        response = await (await browsers(username)).get("/")
        assert response.headers["location"] == location, username


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

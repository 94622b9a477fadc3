"""A certificate through the real UI: the officer uploads a PDF, a coordinator reviews and approves it,
and the officer's dashboard counts the hours.

Real portal over HTTP, real review workflow and activities, real SMTP catcher; the coordinator
signs in with the two-step code an authenticator app would show.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from fpdf import FPDF
from playwright.async_api import expect

from tests.browser.conftest import People, nav, wait_for_mail
from tests.conftest import CollectingHandler
from tests.services.records_support import give_known_records, license_officer
from tests.support import Org

TITLE = "Autism Awareness for First Responders"
OFFICER = "Officer Olly Officer"

pytestmark = pytest.mark.browser


def certificate_pdf(completed: date) -> bytes:
    """A one-page certificate such as a training provider hands out."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 16, "Certificate of Completion", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("Helvetica", size=13)
    for line in ("This certifies that Olly Officer", f"has successfully completed {TITLE}",
                 "Provider: Minnesota Autism Center", f"Completed on {completed:%B %d, %Y}", "8 contact hours"):
        pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT", align="C")
    return bytes(pdf.output())


async def test_officer_uploads_a_certificate_a_coordinator_approves_it_and_the_dashboard_counts_it(
    people: People, demo_org: Org, session_factory, mailbox: CollectingHandler
) -> None:
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)  # 14 credits so far
    completed = date.today() - timedelta(days=3)
    pdf = certificate_pdf(completed)

    # 1. The officer sees where they stand.
    officer = await people.sign_in("officer1")
    await officer.goto("/dashboard")
    hours = officer.locator("label[for=hours-progress]")
    await expect(hours).to_contain_text("14 of 48 credits (34 to go)")
    await expect(officer.get_by_text("4 more autism credits")).to_be_visible()

    # 2. Certificates → upload: choosing the PDF fills in what it says; the officer checks and adds the rest.
    await nav(officer).get_by_role("link", name="Certificates").click()
    await expect(officer.get_by_role("heading", name="My certificates", level=1)).to_be_visible()
    await officer.get_by_role("link", name="Upload a certificate").click()
    await expect(officer.get_by_role("heading", name="Upload a certificate", level=1)).to_be_visible()
    await officer.get_by_label("Certificate file").set_input_files(
        {"name": "autism-certificate.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    await expect(officer.get_by_text("We filled in the details we could read from your PDF")).to_be_visible()
    await expect(officer.get_by_label("Course title")).to_have_value(TITLE)
    await expect(officer.get_by_label("Provider")).to_have_value("Minnesota Autism Center")
    await expect(officer.get_by_label("Completed")).to_have_value(completed.isoformat())
    await expect(officer.get_by_label("Hours")).to_have_value("8")
    await officer.get_by_label("Started (optional)").fill(completed.isoformat())
    await officer.get_by_label("Autism", exact=True).fill("4")
    await people.shot(officer, "officer-certificate-form")
    async with officer.expect_navigation():
        await officer.get_by_role("button", name="Upload for review").click()

    await expect(officer).to_have_url(re.compile(r"/certificates\?uploaded=\d+$"))
    await expect(officer.get_by_role("status")).to_have_text(
        "Your certificate has been uploaded and is waiting for review."
    )
    mine = officer.locator("section.certificate", has_text=TITLE)
    await expect(mine).to_contain_text("Waiting for review")
    await expect(mine.get_by_role("link", name="autism-certificate.pdf")).to_be_visible()
    await people.shot(officer, "officer-certificate-uploaded")

    # 3. The coordinator signs in (password and code), opens the queue and views the file.
    coordinator = await people.sign_in("coord1")
    await nav(coordinator).get_by_role("link", name="Certificate reviews").click()
    await expect(coordinator.get_by_role("heading", name="Certificate reviews", level=1)).to_be_visible()
    card = coordinator.locator("article.task", has_text=TITLE)
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text(OFFICER)
    await expect(card).to_contain_text("Minnesota Autism Center")
    await expect(card.locator("dt:has-text('Hours claimed') + dd")).to_have_text("8")
    await expect(card.locator("dt:has-text('Credits: autism') + dd")).to_have_text("4")

    view = card.get_by_role("link", name="view autism-certificate.pdf")
    async with coordinator.context.expect_page() as opened:
        await view.click()
    viewer = await opened.value
    await expect(viewer).to_have_url(re.compile(r"/certificates/\d+/file\?version=1$"))
    shown = await coordinator.request.get(await view.get_attribute("href") or "")
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline")
    assert await shown.body() == pdf
    await viewer.close()
    await people.shot(coordinator, "coordinator-certificate-review")

    # 4. Approve as claimed: the card turns into the outcome in place, and stays.
    await coordinator.evaluate("window.__marker = 1")
    await card.get_by_role("button", name="Approve").click()
    outcome = card.locator(".outcome")
    await expect(outcome).to_have_text("Approved — added to the officer's training history", timeout=15_000)
    await expect(card.get_by_role("button", name="Approve")).to_have_count(0)
    await coordinator.wait_for_timeout(500)
    await expect(outcome).to_be_visible()
    assert await coordinator.evaluate("window.__marker") == 1, "approving reloaded the page"
    await people.shot(coordinator, "coordinator-certificate-approved")

    # 5. The officer reloads the dashboard: 8 more credits, and no autism credits outstanding.
    await officer.goto("/dashboard")
    await expect(hours).to_contain_text("22 of 48 credits (26 to go)")
    await expect(officer.get_by_text("4 more autism credits")).to_have_count(0)
    await people.shot(officer, "officer-dashboard-after")
    await officer.goto("/certificates")
    await expect(officer.locator("section.certificate", has_text=TITLE)).to_contain_text("Approved")
    await wait_for_mail(mailbox, "officer1@test.example", f"[Muster] Certificate approved: {TITLE}")
    assert people.problems == [], people.problems

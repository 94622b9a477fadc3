"""The approval chain through the real UI: an officer asks, two supervisors approve, the officer is told.

Every person uses their own browser context (own cookies) against the app served over HTTP, with
the real Temporal workflow and activities behind it and a real SMTP server catching the mail.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Frame, Page, expect

from tests.browser.conftest import People, nav, wait_for_mail
from tests.conftest import CollectingHandler
from tests.support import Org

TITLE = "Advanced Crisis Intervention"
OFFICER = "Officer Olly Officer"
SERGEANT = "Sergeant Sam Sergeant"
LIEUTENANT = "Lieutenant Lena Lieutenant"
SGT_COMMENT = "Good fit for the CIT team; budget line 4410."
LT_COMMENT = "Approved within the quarterly training budget."

pytestmark = pytest.mark.browser


async def approve_in_inbox(people: People, page: Page, comment: str, outcome: str, shot_prefix: str) -> None:
    """Open the inbox from the nav badge, comment, approve, and check the card swapped in place."""
    badge = nav(page).locator("#inbox-count")
    await expect(badge).to_be_visible()
    await expect(badge).to_have_text(re.compile(r"^\s*1(\s+waiting)?\s*$"))
    await nav(page).get_by_role("link", name=re.compile("^Approval inbox")).click()
    await expect(page).to_have_url(re.compile(r"/inbox$"))
    await expect(page.get_by_role("heading", name="Approval inbox", level=1)).to_be_visible()

    card = page.locator("article.task", has_text=TITLE)
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text(OFFICER)
    await expect(card).to_contain_text("$650.00")
    await card.get_by_label("Comment", exact=True).fill(comment)
    await people.shot(page, f"{shot_prefix}-inbox-before")

    navigations: list[str] = []

    def navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("framenavigated", navigated)
    await page.evaluate("window.__marker = 1")
    url_before = page.url
    await card.get_by_role("button", name="Approve").click()

    await expect(card.locator(".outcome")).to_have_text(outcome, timeout=15_000)
    await expect(card.get_by_role("button", name="Approve")).to_have_count(0)
    assert await page.evaluate("window.__marker") == 1, "approving reloaded the page instead of swapping the row"
    assert navigations == [], f"approving navigated: {navigations}"
    assert page.url == url_before
    # The HX-Trigger refreshes the nav badge: nothing is waiting any more.
    await expect(badge).to_be_hidden()
    await people.shot(page, f"{shot_prefix}-inbox-after")
    await people.shot(page, f"{shot_prefix}-inbox-after-phone", phone=True)


async def assert_checkbox_beside_label(page: Page, label: str) -> None:
    """A checkbox sits left of its label on the same line (not stacked or centred above it)."""
    box = await page.get_by_label(label).bounding_box()
    text = await page.locator("label", has_text=label).bounding_box()
    assert box is not None and text is not None
    assert box["x"] + box["width"] <= text["x"], f"{label!r}: checkbox is not left of its label"
    centre_box, centre_text = box["y"] + box["height"] / 2, text["y"] + text["height"] / 2
    assert abs(centre_box - centre_text) < text["height"], f"{label!r}: checkbox is not on its label's line"


async def test_officer_request_is_approved_by_sergeant_then_lieutenant(
    people: People, demo_org: Org, mailbox: CollectingHandler
) -> None:
    # 1. The officer signs in and opens the form from the navigation.
    officer = await people.sign_in("officer1")
    await nav(officer).get_by_role("link", name="Request training").click()
    await expect(officer).to_have_url(re.compile(r"/requests/new$"))
    await expect(officer.get_by_role("heading", name="Request training", level=1)).to_be_visible()

    await officer.get_by_label("Course title").fill(TITLE)
    await officer.get_by_label("Provider").fill("Minnesota POST Academy")
    await officer.get_by_label("Location").fill("St. Cloud, MN")
    await officer.get_by_label("Start date").fill("2027-04-12")
    await officer.get_by_label("End date").fill("2027-04-09")  # before the start: must be refused
    await officer.get_by_label("Training hours").fill("32")
    await officer.get_by_label("Tuition").fill("650.00")
    await officer.get_by_label("Crisis intervention").check()
    await officer.get_by_label("Justification").fill("Our shift has no CIT-certified officer on nights.")
    async with officer.expect_navigation():
        await officer.get_by_role("button", name="Submit request").click()

    # The form comes back with the message next to the end date, and keeps what was typed.
    end_date = officer.get_by_label("End date")
    await expect(officer.get_by_role("alert")).to_contain_text("Please correct 1 problem")
    await expect(officer.locator("#end_date-error")).to_have_text("The end date cannot be before the start date.")
    await expect(end_date).to_have_attribute("aria-invalid", "true")
    await expect(end_date).to_have_attribute("aria-describedby", "end_date-error")
    field = officer.locator(".field.has-error")
    await expect(field).to_have_count(1)
    await expect(field.locator("#end_date-error")).to_be_visible()
    await expect(officer.get_by_label("Course title")).to_have_value(TITLE)
    await expect(officer.get_by_label("Tuition")).to_have_value("650.00")
    await expect(officer.get_by_label("Crisis intervention")).to_be_checked()
    await expect(officer.get_by_label("Justification")).to_have_value(
        "Our shift has no CIT-certified officer on nights."
    )
    await assert_checkbox_beside_label(officer, "Involves overnight travel")
    await assert_checkbox_beside_label(officer, "Crisis intervention")
    await people.shot(officer, "officer-form-errors")
    await people.shot(officer, "officer-form-errors-phone", phone=True)

    await end_date.fill("2027-04-15")
    async with officer.expect_navigation():
        await officer.get_by_role("button", name="Submit request").click()

    # 2. The detail page: submitted, and the sergeant must act (the live timeline catches up if routing lags).
    await expect(officer).to_have_url(re.compile(r"/requests/\d+\?notice=submitted$"))
    detail_url = officer.url.split("?", 1)[0]
    await expect(officer.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    await expect(officer.get_by_role("status").filter(has_text="Your request has been submitted.")).to_be_visible()
    await expect(officer.locator("#timeline dt:has-text('Who must act now') + dd")).to_have_text(
        SERGEANT, timeout=15_000
    )
    await expect(officer.locator("#timeline")).to_contain_text("In review")
    await people.shot(officer, "officer-detail-submitted")

    # 3. The sergeant approves from the inbox, in place.
    sergeant = await people.sign_in("sgt1")
    await approve_in_inbox(people, sergeant, SGT_COMMENT, f"Approved — sent on to {LIEUTENANT}", "sgt1")

    # 4. The lieutenant approves, which is the last level for this request.
    lieutenant = await people.sign_in("lt1")
    await approve_in_inbox(people, lieutenant, LT_COMMENT, "Approved", "lt1")

    # 5. The officer reloads the detail page: approved, with both decisions in the timeline.
    await officer.goto(detail_url)
    facts = officer.locator("dl.facts")
    await expect(facts.locator("dt:has-text('Status') + dd")).to_have_text("Approved")
    await expect(facts.locator("dt:has-text('Who must act now') + dd")).to_have_text("No one — closed")
    events = officer.locator("#timeline ol.timeline > li")
    by_sergeant = events.filter(has_text=f"by {SERGEANT}").filter(has_text=SGT_COMMENT)
    by_lieutenant = events.filter(has_text=f"by {LIEUTENANT}").filter(has_text=LT_COMMENT)
    await expect(by_sergeant).to_have_count(1)
    await expect(by_lieutenant).to_have_count(1)
    await expect(by_sergeant.locator("strong")).to_have_text("Approved")
    await expect(by_lieutenant.locator("strong")).to_have_text("Approved")
    await people.shot(officer, "officer-detail-approved")
    await people.shot(officer, "officer-detail-approved-phone", phone=True)

    # 6. The officer was told by mail.
    await wait_for_mail(mailbox, "officer1@test.example", f"[Muster] Request approved: {TITLE}")
    assert people.problems == [], people.problems

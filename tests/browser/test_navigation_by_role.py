"""Each role of the test agency (tests/support.py build_org) signs in, lands where its work is, sees only
its navigation groups, and walks every page of that navigation: none may be wider than a 390 px phone or a
1366 px laptop screen, and axe-core finds no WCAG 2.2 AA violation on any of them.

axe-core is vendored (tests/browser/vendor) and injected only into this test's own browser contexts, as a
Playwright init script: the browser runs it in every page before the page's own scripts, outside the page's
Content-Security-Policy, so the portal serves nothing new and the pages are checked under the very CSP real
users get (bypass_csp would also lift it for the page itself, hiding anything that policy blocks).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.async_api import Page, ViewportSize, expect

from models import AuditOutcome
from services.audit import record_audit
from tests.browser.conftest import People, nav
from tests.support import Org

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
GROUPS = ("My training", "Approvals", "Team", "Administration")
# The walks run side by side on a 2-core machine: expectations wait longer than Playwright's 5 s default.
PATIENCE = 15_000


@dataclass(frozen=True)
class Role:
    """What one person of the test agency should land on and which navigation groups they have."""

    username: str
    landing: str
    heading: str
    groups: tuple[str, ...]


ROLES = [
    Role("officer1", "/dashboard", "My training", ("My training",)),
    # Nothing waits in the sergeant's inbox, so the team is the work.
    Role("sgt1", "/team", "My team", ("My training", "Approvals", "Team")),
    Role("coord1", "/queues", "Work queues", ("My training", "Approvals", "Team", "Administration")),
    Role("chief1", "/agency", "Agency compliance", ("My training", "Approvals", "Team", "Administration")),
    Role("admin1", "/admin/accounts", "Accounts", ("My training", "Team", "Administration")),
]


async def sideways_overflow(page: Page) -> int:
    return int(await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


async def signed_in_with_axe(people: People, username: str, viewport: ViewportSize) -> Page:
    page = await people.sign_in(username, viewport=viewport)
    await page.context.add_init_script(path=str(AXE))
    return page


async def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations on the page as shown now, one line each."""
    found: list[dict[str, Any]] = await page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
        ".violations"
        ".map(v => ({id: v.id, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))",
        WCAG_22_AA,
    )
    return [f"{item['id']} ({item['help']}): {', '.join(item['targets'])}" for item in found]


async def nav_links(page: Page) -> list[tuple[str, str]]:
    """(link text, href) of every link of the main navigation, in order."""
    links = nav(page).get_by_role("link")
    return [((await link.inner_text()).strip(), await link.get_attribute("href") or "")
            for link in await links.all()]


async def check_page(page: Page, where: str, problems: list[str]) -> None:
    """The page at both widths: no sideways scrolling; axe on the laptop layout (the phone's differs only in
    the closed menu, which the landing page and the phone test check)."""
    problems.extend(f"{where} at 1366 px: {line}" for line in await axe_violations(page))
    for size, label in ((LAPTOP, "1366 px"), (PHONE, "390 px")):
        await page.set_viewport_size(size)
        overflow = await sideways_overflow(page)
        if overflow > 0:
            problems.append(f"{where} at {label}: {overflow} px wider than the screen")
    await page.set_viewport_size(LAPTOP)


@pytest.fixture
async def org_with_a_long_audit_detail(session_factory: Any, demo_org: Org) -> Org:
    """A refused look with the long path and browser name that once made /audit 369 px too wide at 1366 px."""
    detail = {"path": "/officers/12/records/transcript.pdf?" + "cycle=2026-07-01&" * 6,
              "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0"}
    async with session_factory() as session, session.begin():
        record_audit(session, demo_org.users["officer1"], "officer1 (Olly Officer)", "officer_records.view",
                     "person", demo_org.sgt1, AuditOutcome.DENIED, "2001:db8:85a3::8a2e:370:7334",
                     demo_org.agency_id, detail)
    return demo_org


async def walk(page: Page, role: Role) -> list[str]:
    """One role's walk: land, check the groups, then every page of its navigation. Returns what is wrong (a
    failed expectation ends the walk and is returned too)."""
    problems: list[str] = []
    try:
        await page.goto("/")
        await expect(page).to_have_url(re.compile(re.escape(role.landing) + "$"), timeout=PATIENCE)
        await expect(page.get_by_role("heading", level=1, name=role.heading)).to_be_visible(timeout=PATIENCE)
        main_nav = nav(page)
        for group in GROUPS:
            expected = 1 if group in role.groups else 0
            await expect(main_nav.get_by_role("list", name=group, exact=True)).to_have_count(expected, timeout=PATIENCE)
        links = await nav_links(page)
        for text, href in links:
            await page.goto(href)
            # The page the link leads to marks that link, and only it, as the current page; a link that
            # redirects (POST reimbursement opens this year's claim) is marked "true", not "page".
            current = main_nav.locator("[aria-current]")
            await expect(current).to_have_count(1, timeout=PATIENCE)
            await expect(current).to_have_attribute("href", href, timeout=PATIENCE)
            await expect(current).to_have_attribute(
                "aria-current", "page" if urlparse(page.url).path == href else "true", timeout=PATIENCE)
            await check_page(page, f"{text} ({href})", problems)
    except AssertionError as failure:
        problems.append(str(failure).splitlines()[0])
    return [f"{role.username}: {line}" for line in problems]


async def test_each_role_lands_on_its_work_and_every_page_of_its_navigation_fits_and_passes_axe(
    people: People, org_with_a_long_audit_detail: Org
) -> None:
    # One after another, as signing in hashes a password on the server's (and the test's) only thread...
    pages = [await signed_in_with_axe(people, role.username, LAPTOP) for role in ROLES]
    # ...then the five walks side by side (one browser, a context each), so the whole check stays short.
    found = await asyncio.gather(*(walk(page, role) for page, role in zip(pages, ROLES, strict=True)))
    problems = [line for lines in found for line in lines]
    assert not problems, "\n".join(problems)
    assert not people.problems, "\n".join(people.problems)

    # On a phone the navigation is a menu button, opened and closed with the keyboard.
    page = await signed_in_with_axe(people, "coord1", PHONE)
    await page.goto("/")
    roster = nav(page).get_by_role("link", name="Roster", exact=True)
    await expect(roster).to_be_hidden()
    assert await axe_violations(page) == []
    await page.get_by_text("Menu", exact=True).focus()
    await page.keyboard.press("Enter")
    await expect(roster).to_be_visible()
    assert await sideways_overflow(page) <= 0
    assert await axe_violations(page) == []
    await page.keyboard.press("Enter")
    await expect(roster).to_be_hidden()

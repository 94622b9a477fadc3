"""Compliance above the officer through the real UI, on the demo agency (seed/demo.py) with every officer's
status stored as the daily refresh stores it: the chief opens the agency dashboard and drills from a
unit's bar to its officers and on to one officer's dashboard; the sergeant opens their team and its early
warning. Who is where is counted by hand in tests/portal/test_demo_dashboards.py's docstring.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from settings import Settings
from tests.browser.conftest import People, nav, sign_in_demo
from tests.portal.demo_dashboards_support import Demo, build_demo

pytestmark = pytest.mark.browser


@pytest.fixture
async def demo(session_factory, settings: Settings) -> Demo:
    return await build_demo(session_factory, settings.workflow_id_prefix)


async def test_chief_drills_from_a_units_bar_to_its_overdue_officers_and_one_dashboard(people: People, demo: Demo):
    chief = await sign_in_demo(people, "chief")
    await nav(chief).get_by_role("link", name="Agency", exact=True).click()
    await expect(chief).to_have_url(re.compile(r"/agency$"))
    await expect(chief.get_by_role("heading", name="Agency compliance", level=1)).to_be_visible()

    # The chart, and the same numbers in its table: Patrol A has Dahl compliant, 8 on track, Benson at risk,
    # Sorensen and Lund overdue.
    chart = chief.get_by_role("img", name="Officers by state in each unit")
    await expect(chart).to_be_visible()
    patrol_a = demo.units["Patrol A Shift"].id
    row = chief.get_by_role("table", name=re.compile("^Officers by state in each unit")).locator(
        f"#unit-row-{patrol_a}")
    for state, number in {"compliant": "1", "on_track": "8", "at_risk": "1", "overdue": "2", "on_leave": "0",
                          "total": "12", "percent": "8%"}.items():
        await expect(row.locator(f'td[data-state="{state}"]')).to_have_text(number)
    await expect(chief.locator("#totals-row td[data-state='total']")).to_have_text("41")
    await people.shot(chief, "chief-agency-dashboard")
    await people.shot(chief, "chief-agency-dashboard-phone", phone=True)

    # A click on the bar's overdue segment lists those officers.
    segment = chart.locator(f'#unit-bar-{patrol_a} a[data-state="overdue"]')
    async with chief.expect_navigation():
        await segment.click()
    await expect(chief).to_have_url(re.compile(rf"/agency/officers\?unit={patrol_a}&state=overdue$"))
    await expect(chief.get_by_label("Unit (with every unit below it)")).to_have_value(str(patrol_a))
    await expect(chief.get_by_label("State")).to_have_value("overdue")
    await expect(chief.get_by_role("status")).to_have_text(
        "2 officers overdue in Patrol A Shift and the units below it.")
    names = chief.locator("#officer-table tbody th a")
    await expect(names).to_have_text(["Lund, Derek", "Sorensen, Megan"])
    await people.shot(chief, "chief-overdue-in-patrol-a")

    # From the list to the officer's own dashboard, which says why.
    await chief.get_by_role("link", name="Lund, Derek").click()
    await expect(chief).to_have_url(re.compile(rf"/officers/{demo.people['Lund'].id}/dashboard$"))
    await expect(chief.get_by_role("heading", name="Training: Officer Derek Lund", level=1)).to_be_visible()
    await expect(chief.locator(".standing .state")).to_have_text("Overdue")
    await expect(chief.locator("ul.todo")).to_contain_text("Firearms in-service training, overdue")
    await people.shot(chief, "chief-officer-dashboard")

    # The council report: its download step (from /agency, as PDF and XLSX) joins this journey here.

    assert people.problems == [], people.problems


async def test_sergeant_sees_the_team_and_who_is_at_risk(people: People, demo: Demo):
    sergeant = await sign_in_demo(people, "sergeant")
    await nav(sergeant).get_by_role("link", name="My team").click()
    await expect(sergeant).to_have_url(re.compile(r"/team$"))
    await expect(sergeant.get_by_role("heading", name="My team", level=1)).to_be_visible()
    # Sgt. Kowalski's squad: Ellis, Thorsen and Ortega on track, Dahl compliant, Benson at risk.
    await expect(sergeant.locator("#team-total")).to_have_text("5 officers.")
    await expect(sergeant.locator("table.team tbody tr")).to_have_count(5)
    for key, number in {"compliant": 1, "on_track": 3, "at_risk": 1, "overdue": 0, "on_leave": 0}.items():
        await expect(sergeant.locator(f"#count-{key}")).to_contain_text(f": {number}")
    await people.shot(sergeant, "sergeant-team")
    await people.shot(sergeant, "sergeant-team-phone", phone=True)

    await sergeant.locator("#count-at_risk").click()
    await expect(sergeant).to_have_url(re.compile(r"/team\?state=at_risk$"))
    benson = demo.people["Benson"]
    await expect(sergeant.locator("table.team tbody tr")).to_have_count(1)
    await expect(sergeant.locator(f"#officer-{benson.id}")).to_contain_text("At risk")

    await sergeant.get_by_role("navigation", name="Team pages").get_by_role("link", name="Early warning").click()
    await expect(sergeant).to_have_url(re.compile(r"/team/warnings$"))
    await expect(sergeant.get_by_role("heading", name="Early warning", level=1)).to_be_visible()
    # Benson's first yearly firearms training falls due 65 or 66 days after today: in the 90-day window only.
    await expect(sergeant.locator(f"#warning-officer-{benson.id}")).to_have_count(0)
    await sergeant.locator("#window-90").click()
    await expect(sergeant).to_have_url(re.compile(r"/team/warnings\?within=90$"))
    team = [demo.standings[person.id] for person in demo.team_of("Kowalski")]
    due_soon = [standing for standing in team if standing.needs_within(demo.today, 90)]
    await expect(sergeant.locator("table.warnings tbody tr")).to_have_count(len(due_soon))
    warning = sergeant.locator(f"#warning-officer-{benson.id}")
    await expect(warning).to_contain_text("Benson, Rachel")
    await expect(warning).to_contain_text("Firearms in-service training by ")
    await people.shot(sergeant, "sergeant-early-warning")

    await warning.get_by_role("link", name="Benson, Rachel").click()
    await expect(sergeant).to_have_url(re.compile(rf"/officers/{benson.id}/dashboard$"))
    await expect(sergeant.locator(".standing .state")).to_have_text("At risk")

    assert people.problems == [], people.problems

"""The roster through the real UI: a coordinator hires an officer, transfers them to another unit and
sergeant, and records their separation; the person's page tells the story at each step."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect
from sqlalchemy import select

from models import AgencyRank, EmploymentPeriod, Person, UserAccount
from tests.browser.conftest import People, nav
from tests.support import Org

pytestmark = pytest.mark.browser


@pytest.fixture
async def ranked_org(session_factory, demo_org: Org) -> Org:
    async with session_factory() as session, session.begin():
        session.add_all(AgencyRank(agency_id=demo_org.agency_id, name=name, position=position)
                        for position, name in enumerate(("Sergeant", "Officer"), start=1))
    return demo_org


async def test_coordinator_hires_transfers_and_separates_an_officer(people: People, ranked_org: Org, session_factory):
    coord = await people.sign_in("coord1")
    await nav(coord).get_by_role("link", name="Roster", exact=True).click()
    await expect(coord.get_by_role("heading", name="Roster", level=1)).to_be_visible()
    await coord.get_by_role("link", name="Hire a person").click()

    await coord.get_by_label("First name").fill("Nadia")
    await coord.get_by_label("Last name").fill("Newhire")
    await coord.get_by_label("Rank").select_option("Officer")
    await coord.get_by_label("Badge number").fill("N-501")
    await coord.get_by_label("Licence number (sworn officers)").fill("MN-77001")
    await coord.get_by_label("Licence date").fill("2026-10-01")
    await coord.get_by_label("Email").fill("nadia.newhire@test.example")
    await coord.get_by_label("Unit").select_option(label="Patrol A")
    await coord.get_by_label("Supervisor").select_option(label="Sergeant Sam Sergeant")
    await coord.get_by_label("Hire date").fill("2026-11-02")
    await coord.get_by_role("button", name="Hire").click()
    await expect(coord.get_by_role("heading", name="Officer Nadia Newhire", level=1)).to_be_visible()
    await expect(coord.get_by_role("status")).to_contain_text("Hired.")
    await people.shot(coord, "roster-hired")

    transfer = coord.locator("form[action$='/transfer']")
    await transfer.get_by_label("Unit").select_option(label="Patrol B")
    await transfer.get_by_label("Supervisor").select_option(label="Sergeant Sue Second")
    await transfer.get_by_label("Effective").fill("2026-12-01")
    await transfer.get_by_role("button", name="Transfer").click()
    await expect(coord.get_by_role("status")).to_have_text("Transferred.")
    await expect(coord.locator("dl.details")).to_contain_text("Patrol B")
    await expect(coord.locator("dl.details")).to_contain_text("Sergeant Sue Second")

    separation = coord.locator("form[action$='/separate']")
    await separation.get_by_label("Last day").fill("2026-12-04")
    await separation.get_by_role("button", name="Record separation").click()
    await expect(coord.locator("#separate-reason-error")).to_have_text(
        "Give the reason (resigned, retired, dismissed, ...).")
    await expect(separation.get_by_label("Last day")).to_have_value("2026-12-04")
    await separation.get_by_label("Reason").fill("Resigned")
    await separation.get_by_role("button", name="Record separation").click()
    await expect(coord.get_by_role("status")).to_contain_text("Separated.")
    await expect(coord.get_by_role("heading", name="Re-hire")).to_be_visible()
    history = coord.get_by_role("table").first
    await expect(history).to_contain_text("Resigned")
    await people.shot(coord, "roster-separated")

    await nav(coord).get_by_role("link", name="Roster", exact=True).click()
    await coord.get_by_label("Status").select_option("separated")
    await coord.get_by_role("button", name="Filter").click()
    await expect(coord).to_have_url(re.compile(r"/roster\?.*status=separated"))
    await expect(coord.get_by_role("link", name="Newhire, Nadia")).to_be_visible()

    async with session_factory() as session:
        person = await session.scalar(select(Person).where(Person.badge_number == "N-501"))
        assert person is not None
        periods = list(await session.scalars(select(EmploymentPeriod).where(EmploymentPeriod.person_id == person.id)))
        account = await session.scalar(select(UserAccount).where(UserAccount.person_id == person.id))
    assert (person.supervisor_id, person.employment_status) == (ranked_org.sgt2, "separated")
    assert [(str(p.started_on), str(p.ended_on), p.end_reason) for p in periods] == [
        ("2026-11-02", "2026-12-04", "Resigned")]
    assert account is None  # accounts are made by an administrator (helper B's pages)
    # The one 200-with-errors page aside, nothing failed in any page.
    assert people.problems == []

"""Filtering, sorting and paging a sergeant's team of 30, with expectations counted by hand from the
table of people below; bad choices are named on the page and dropped, never a server error."""

from __future__ import annotations

import re

from tests.team.support import StatusSpec, add_person, store_status, today_for

STATES = ("compliant", "on_track", "at_risk", "overdue")


async def _thirty_under_sgt2(session_factory, org) -> dict[int, int]:
    """Member00..Member29 under sgt2 (officer2, unlicensed, is not listed). Member i:
    unit Patrol A when i is even, else Patrol B; rank Corporal when i % 3 == 0, else Officer;
    state STATES[i % 4]; percent 3 * i; next deadline in 100 - i days (none for the compliant);
    Member29 is on leave. Returns {i: person id}."""
    today = await today_for(session_factory, org.agency_id)
    ids = {}
    for i in range(30):
        ids[i] = await add_person(session_factory, org.agency_id, org.sgt2, f"First{i:02d}", f"Member{i:02d}",
                                  rank="Corporal" if i % 3 == 0 else "Officer",
                                  unit_name="Patrol A" if i % 2 == 0 else "Patrol B")
        state = STATES[i % 4]
        await store_status(session_factory, org.agency_id, ids[i], StatusSpec(
            state, percent=3 * i, next_due_in=None if state == "compliant" else 100 - i, on_leave=i == 29), today)
    return ids


def _names(html: str) -> list[str]:
    return re.findall(r'/dashboard">(Member\d\d), First\d\d</a>', html)


async def test_thirty_people_page_by_25_in_name_order(browsers, demo_org, session_factory):
    await _thirty_under_sgt2(session_factory, demo_org)
    browser = await browsers("sgt2")

    first = await browser.get("/team")
    second = await browser.get("/team", params={"page": "2"})

    assert "30 officers." in first.text and "Page 1 of 2" in first.text
    assert _names(first.text) == [f"Member{i:02d}" for i in range(25)]
    assert _names(second.text) == [f"Member{i:02d}" for i in range(25, 30)]
    assert 'href="/team?page=2" rel="next"' in first.text
    # Beyond the last page: the last page.
    assert _names((await browser.get("/team", params={"page": "9"})).text) == _names(second.text)


async def test_filters_by_unit_rank_and_state(browsers, demo_org, session_factory):
    await _thirty_under_sgt2(session_factory, demo_org)
    browser = await browsers("sgt2")
    html = (await browser.get("/team")).text
    patrol_a = re.search(r'<option value="(\d+)">Patrol A</option>', html)
    assert patrol_a and '<option value="Corporal">Corporal</option>' in html

    by_unit = (await browser.get("/team", params={"unit": patrol_a.group(1)})).text
    assert "15 officers match the filters." in by_unit

    both = (await browser.get("/team", params={"unit": patrol_a.group(1), "rank": "Corporal"})).text
    assert _names(both) == ["Member00", "Member06", "Member12", "Member18", "Member24"]

    overdue = (await browser.get("/team", params={"state": "overdue"})).text
    assert _names(overdue) == ["Member03", "Member07", "Member11", "Member15", "Member19", "Member23", "Member27"]
    # Member29 is on track but on leave: counted apart, so not among the on track.
    on_track = (await browser.get("/team", params={"state": "on_track"})).text
    assert _names(on_track) == ["Member01", "Member05", "Member09", "Member13", "Member17", "Member21", "Member25"]
    assert _names((await browser.get("/team", params={"state": "on_leave"})).text) == ["Member29"]
    assert "No officers match these filters." in (await browser.get("/team", params={"state": "not_evaluated"})).text


async def test_sorts_by_each_column_either_way(browsers, demo_org, session_factory):
    await _thirty_under_sgt2(session_factory, demo_org)
    browser = await browsers("sgt2")

    by_percent = (await browser.get("/team", params={"sort": "percent", "dir": "desc"})).text
    assert _names(by_percent)[:3] == ["Member29", "Member28", "Member27"]
    assert 'aria-sort="descending"' in by_percent

    # Soonest deadline first: Member29 (in 71 days), 27, 26, ...; the 8 compliant have none and come last
    # either way, by name (Member00, 04, ..., 28), so page 2 holds the last five of them.
    deadline_first = (await browser.get("/team", params={"sort": "next_due"})).text
    assert _names(deadline_first)[:3] == ["Member29", "Member27", "Member26"]
    last_five = ["Member12", "Member16", "Member20", "Member24", "Member28"]
    assert _names((await browser.get("/team", params={"sort": "next_due", "page": "2"})).text) == last_five
    deadline_last = await browser.get("/team", params={"sort": "next_due", "dir": "desc"})
    assert _names(deadline_last.text)[:2] == ["Member01", "Member02"]
    assert _names((await browser.get("/team", params={"sort": "next_due", "dir": "desc", "page": "2"})).text
                  ) == last_five

    by_name_desc = (await browser.get("/team", params={"sort": "name", "dir": "desc"})).text
    assert _names(by_name_desc)[0] == "Member29"

    # State in the order people read them: the 8 compliant first (Member00, 04, ... 28), by name.
    by_state = (await browser.get("/team", params={"sort": "state"})).text
    assert _names(by_state)[:8] == [f"Member{i:02d}" for i in range(0, 30, 4)]
    by_unit = (await browser.get("/team", params={"sort": "unit", "dir": "desc"})).text
    assert _names(by_unit)[0] == "Member01"  # Patrol B first, then by name
    by_rank = (await browser.get("/team", params={"sort": "rank"})).text
    assert _names(by_rank)[:10] == [f"Member{i:02d}" for i in range(0, 30, 3)]  # Corporal before Officer
    for column in ("hours", "requirements", "outstanding"):
        assert (await browser.get("/team", params={"sort": column})).status_code == 200


async def test_bad_choices_are_named_and_dropped(browsers, demo_org, session_factory):
    await _thirty_under_sgt2(session_factory, demo_org)
    browser = await browsers("sgt2")

    response = await browser.get("/team", params={
        "unit": "999", "rank": "Admiral", "state": "asleep", "sort": "password_hash", "dir": "sideways",
        "page": "-3"})

    assert response.status_code == 200
    html = response.text
    for message in ("Choose a unit from the list.", "Choose a rank from the list.", "Choose a state from the list.",
                    "That column cannot be sorted; sorted by name.", "sorted ascending",
                    "The page number is not valid; showing the first page."):
        assert message in html
    assert "30 officers." in html and _names(html)[0] == "Member00"
    # A unit of the agency that has none of the team's officers is not a choice either.
    assert "Choose a unit from the list." in (await browser.get("/team", params={"unit": "1"})).text

"""The early warning: who falls out of compliance within 30, 60 or 90 days unless they train, with the
stored gap's sentence for what each needs, counted by hand from the gaps below."""

from __future__ import annotations

import re
from datetime import timedelta

from compliance.wording import format_date
from tests.team.support import GapSpec, StatusSpec, add_person, license_people, store_status, today_for


async def _seed_gaps(session_factory, org):
    """Gaps by days from today: officer1 +30 (the 30-day edge) and +50; sgt1 +45 and +91; sgt2 +0;
    officer2 (on leave) -5 (already overdue: not a warning) and +80; a separated officer under sgt1 +10."""
    today = await today_for(session_factory, org.agency_id)
    await license_people(session_factory, org.officer1, org.officer2, org.sgt1, org.sgt2)
    gone = await add_person(session_factory, org.agency_id, org.sgt1, "Sid", "Separated",
                            employment_status="separated")
    crisis = f"6 crisis-intervention credits by {format_date(today + timedelta(days=30))}"
    force = f"2 use-of-force credits by {format_date(today + timedelta(days=50))}"
    specs = {
        org.officer1: StatusSpec("at_risk", next_due_in=30, gaps=[GapSpec("Crisis intervention", 30, crisis),
                                                                   GapSpec("Use of force", 50, force)]),
        org.sgt1: StatusSpec("on_track", next_due_in=45, gaps=[GapSpec("Autism", 45, "4 autism credits"),
                                                                GapSpec("Firearms", 91, "Firearms qualification")]),
        org.sgt2: StatusSpec("at_risk", next_due_in=0, gaps=[GapSpec("Ethics", 0, "1 ethics credit today")]),
        org.officer2: StatusSpec("overdue", next_due_in=-5, on_leave=True,
                                 gaps=[GapSpec("Firearms", -5, "Firearms overdue"),
                                       GapSpec("Conflict", 80, "3 conflict-management credits")]),
        gone: StatusSpec("at_risk", next_due_in=10, gaps=[GapSpec("Ethics", 10, "Separated ethics")]),
    }
    for officer_id, spec in specs.items():
        await store_status(session_factory, org.agency_id, officer_id, spec, today)
    return crisis, force


def _counts(html: str) -> dict[int, int]:
    return {int(days): int(number) for days, number in re.findall(r'id="window-(\d+)"[^>]*>Within \d+ days \((\d+)\)',
                                                                  html)}


def _officers(html: str) -> list[str]:
    return re.findall(r'<tr id="warning-officer-(\d+)">', html)


async def test_windows_count_officers_due_within_30_60_and_90_days(browsers, demo_org, session_factory):
    await _seed_gaps(session_factory, demo_org)
    expected = {"lt1": {30: 2, 60: 3, 90: 4}, "sgt1": {30: 1, 60: 1, 90: 1}, "sgt2": {30: 0, 60: 0, 90: 1}}
    for username, counts in expected.items():
        browser = await browsers(username)
        assert _counts((await browser.get("/team/warnings")).text) == counts, username
        team = (await browser.get("/team")).text
        for days, number in counts.items():
            assert re.search(rf'id="warning-{days}">[^<]*<strong>{number}</strong>', team), (username, days)


async def test_each_officer_is_listed_soonest_first_with_what_they_need_by_then(browsers, demo_org, session_factory):
    crisis, force = await _seed_gaps(session_factory, demo_org)
    browser = await browsers("lt1")
    org = demo_org

    within_30 = (await browser.get("/team/warnings")).text
    within_60 = (await browser.get("/team/warnings", params={"within": "60"})).text
    within_90 = (await browser.get("/team/warnings", params={"within": "90"})).text

    assert _officers(within_30) == [str(org.sgt2), str(org.officer1)]
    assert crisis in within_30 and force not in within_30  # only what falls due within the window
    assert _officers(within_60) == [str(org.sgt2), str(org.officer1), str(org.sgt1)]
    assert crisis in within_60 and force in within_60 and "4 autism credits" in within_60
    assert _officers(within_90) == [str(org.sgt2), str(org.officer1), str(org.sgt1), str(org.officer2)]
    assert "Firearms qualification" not in within_90 and "Firearms overdue" not in within_90
    assert "Separated ethics" not in within_90
    officer2 = within_90[within_90.index(f'id="warning-officer-{org.officer2}"'):]
    assert "On leave" in officer2.split("</tr>")[0]


async def test_a_window_not_offered_is_named_and_30_days_shown(browsers, demo_org, session_factory):
    await _seed_gaps(session_factory, demo_org)
    response = await (await browsers("lt1")).get("/team/warnings", params={"within": "45", "page": "x"})
    assert response.status_code == 200
    assert "Choose 30, 60 or 90 days; showing the next 30 days." in response.text
    assert "The page number is not valid" in response.text
    assert _officers(response.text) == [str(demo_org.sgt2), str(demo_org.officer1)]

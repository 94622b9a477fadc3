"""The team and agency dashboards count what the officers' own dashboards say, for the whole demo agency.

seed/demo.py's Lakeview Police Department is seeded and every officer's status stored the way the daily
refresh stores it (services.compliance_status, in batches, on the agency's today, which is the day the
dashboards evaluate). Each officer's own dashboard evaluates live; the first test checks that every
dashboard page shows that live evaluation, so the others can compare every aggregated page with it:
/agency (units rolled up, ranks, totals, the requirements most often owed, the trend), its drill-down
/agency/officers, and /team and /team/warnings for the demo sergeant, lieutenant and chief. Expected
numbers are counted in this file from the evaluations and the unit tree, and the main ones also by hand
from the roster (seed/demo.py) and its training (seed/training_records.py describes who is where):

- 43 people, 41 of them sworn and tracked (the coordinator and the administrator hold no licence).
- Kevin Dahl compliant, Rachel Benson at risk, Megan Sorensen and Derek Lund overdue (all four Patrol A);
  Nathan Pederson (Patrol B) on medical leave, counted apart; everyone else on track.
- Patrol A: 2 sergeants and 10 officers; Patrol B the same; Patrol Division adds Lt. Brandt; Investigations
  and Traffic & Community have a lieutenant, a sergeant and 5 officers each; the chief and the deputy sit
  in the agency's root unit.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import defaultdict
from urllib.parse import unquote_plus, urlencode

import pytest

from compliance.wording import format_amount, format_date
from tests.portal.conftest import Browser
from tests.portal.demo_dashboards_support import (
    STATE_LABELS,
    STATES,
    Demo,
    Standing,
    build_demo,
    cell_html,
    cells,
    demo_browser,
    items,
    rows_by_id,
    text_of,
)

ROOT = "Lakeview Police Department"
# Per unit, with every unit below it: compliant, on track, at risk, overdue, on leave (see the docstring).
HAND_COUNTED_UNITS = {
    ROOT: (1, 36, 1, 2, 1),
    "Patrol Division": (1, 20, 1, 2, 1),  # Brandt + Patrol A + Patrol B
    "Patrol A Shift": (1, 8, 1, 2, 0),  # Dahl; 2 sergeants and 6 officers; Benson; Sorensen and Lund
    "Patrol B Shift": (0, 11, 0, 0, 1),  # Pederson on leave
    "Investigations": (0, 7, 0, 0, 0),
    "Traffic & Community": (0, 7, 0, 0, 0),
}
# compliant 1 of the 40 not on leave; Patrol A 1 of 12; Patrol Division 1 of 24.
HAND_COUNTED_PERCENT = {ROOT: "2%", "Patrol Division": "4%", "Patrol A Shift": "8%", "Patrol B Shift": "0%",
                        "Investigations": "0%", "Traffic & Community": "0%"}


@pytest.fixture
async def demo(session_factory) -> Demo:
    return await build_demo(session_factory)


# The drill-down's count of what it lists: "36 officers on track."
LISTED = r'role="status">(\d+) officers? '


def counts_of(row: str) -> tuple[int, ...]:
    by_state = dict(re.findall(r'data-state="(\w+)">(.*?)</td>', row, re.S))
    return tuple(int(text_of(by_state[state])) for state in STATES)


def percent_of(row: str) -> str:
    return text_of(re.search(r'data-state="percent">(.*?)</td>', row, re.S).group(1))  # type: ignore[union-attr]


def section(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">(.*?)</table>', page, re.S)
    assert found, element_id
    return found.group(1)


async def all_rows(browser: Browser, url: str, prefix: str, total_pattern: str) -> tuple[int, dict[int, str]]:
    """Every row of a paginated list (following ?page=) and the total the page states."""
    first = (await browser.get(url)).text
    total = int(re.search(total_pattern, first).group(1))  # type: ignore[union-attr]
    rows = rows_by_id(first, prefix)
    page_number = 1
    while len(rows) < total:
        page_number += 1
        more = rows_by_id((await browser.get(f"{url}{'&' if '?' in url else '?'}page={page_number}")).text, prefix)
        assert more and not more.keys() & rows.keys(), f"page {page_number} of {url} repeats or is empty"
        rows |= more
    return total, rows


# --- The officers' own dashboards ----------------------------------------------------------------------


async def test_every_demo_officers_dashboard_shows_their_live_evaluation(app, browsers, demo):
    chief = await demo_browser(app, browsers, "chief")
    assert len(demo.standings) == 41 and len(demo.people) == 43
    for person in demo.people.values():
        page = (await chief.get(f"/officers/{person.id}/dashboard")).text
        standing = demo.standings.get(person.id)
        if standing is None:
            assert person.last_name in ("Whitfield", "Park")
            assert "No licensing cycle to show" in page
            continue
        status = standing.status
        shown = re.search(r'<span class="state state-(\w+)">(.*?)</span>\s*<strong class="percent">(\d+)%', page)
        assert shown, person.last_name
        assert (shown.group(1), shown.group(2), int(shown.group(3))) == (
            status.state, STATE_LABELS[status.state], status.percent), person.last_name
        hours = re.search(r"Hours this cycle:</strong>\s*([\d.]+) of ([\d.]+) credits", page)
        assert hours and hours.groups() == (format_amount(status.total_done), format_amount(status.total_required))
        todo = re.search(r'<h2 id="next-h">.*?</section>', page, re.S).group(0)  # type: ignore[union-attr]
        assert items(todo) == list(status.missing), person.last_name


# --- /agency -------------------------------------------------------------------------------------------


async def test_agency_counts_per_unit_rank_and_in_all_equal_the_officers_dashboards(app, browsers, demo):
    page = (await (await demo_browser(app, browsers, "chief")).get("/agency")).text
    units = rows_by_id(page, "unit-row-")
    assert set(units) == {unit.id for unit in demo.units.values()}
    for name, unit in demo.units.items():
        expected = demo.counts(demo.in_unit(name))
        assert expected == HAND_COUNTED_UNITS[name], name  # the evaluations agree with the roster's story
        assert counts_of(units[unit.id]) == expected, name
        assert percent_of(units[unit.id]) == HAND_COUNTED_PERCENT[name], name
        assert cells(units[unit.id])["Total"] == str(sum(expected))
        # Each bar of the chart links its segments to the officers behind them.
        for state, number in zip(STATES, expected, strict=True):
            link = f'href="/agency/officers?unit={unit.id}&amp;state={state}"'
            assert (link in section_of_bar(page, unit.id)) == (number > 0), (name, state)

    by_rank: dict[str, list[Standing]] = defaultdict(list)
    for standing in demo.standings.values():
        by_rank[standing.person.rank].append(standing)
    ranks = re.findall(r'<tr>\s*<th scope="row" data-label="Rank">(.*?)</th>(.*?)</tr>',
                       section(page, "rank-table"), re.S)
    assert {text_of(rank): counts_of(row) for rank, row in ranks} == {
        rank: demo.counts(standings) for rank, standings in by_rank.items()}
    assert demo.counts(by_rank["Officer"]) == (1, 20, 1, 2, 1)  # 25 officers; the detectives are a rank apart
    totals = re.search(r'<tr id="totals-row">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    assert counts_of(totals) == (1, 36, 1, 2, 1) and percent_of(totals) == "2%"
    assert "<strong>41</strong> officers tracked" in page
    # Today's snapshot (taken from the stored rows) is the trend's last point.
    last_point = re.findall(r"<tr>(.*?)</tr>", section(page, "trend-table"), re.S)[-1]
    trend = cells(last_point)
    assert trend["Snapshot"] == format_date(demo.today)
    assert tuple(int(trend[STATE_LABELS[state]]) for state in STATES) == (1, 36, 1, 2, 1)


def section_of_bar(page: str, unit_id: int) -> str:
    found = re.search(rf'<g id="unit-bar-{unit_id}">(.*?)</g>', page, re.S)
    assert found, unit_id
    return found.group(1)


async def test_requirements_most_often_owed_count_the_officers_whose_dashboards_owe_them(app, browsers, demo):
    chief = await demo_browser(app, browsers, "chief")
    page = (await chief.get("/agency")).text
    owing: dict[str, set[int]] = defaultdict(set)
    past_due: dict[str, set[int]] = defaultdict(set)
    for officer_id, standing in demo.standings.items():  # officers on leave still owe theirs
        for requirement in standing.unmet:
            owing[requirement.requirement.id].add(officer_id)
            if requirement.overdue:
                past_due[requirement.requirement.id].add(officer_id)
    expected = {rid: (len(officers), len(past_due[rid])) for rid, officers in owing.items()}
    shown = [(unquote_plus(rid), officers, overdue) for rid, officers, overdue in re.findall(
        r'<tr id="gap-row-\d+">.*?requirement=([^"&]+)[^"]*">(\d+)</a></td>\s*<td[^>]*data-state="overdue">(.*?)</td>',
        page, re.S)]
    assert len(shown) == min(10, len(expected))
    shown_counts = [(int(officers), int(text_of(overdue))) for _, officers, overdue in shown]
    for (requirement_id, _, _), counts in zip(shown, shown_counts, strict=True):
        assert counts == expected[requirement_id], requirement_id
    # Most owed first; whatever ties at the cut, nothing left out outranks what is shown.
    ranking = sorted(expected.values(), reverse=True)
    assert shown_counts == ranking[: len(shown)]
    # Every requirement's drill-down lists exactly the officers who owe it.
    for requirement_id, _, _ in shown:
        url = "/agency/officers?" + urlencode({"requirement": requirement_id})
        _, rows = await all_rows(chief, url, "officer-", LISTED)
        assert set(rows) == owing[requirement_id], requirement_id


# --- /agency/officers --------------------------------------------------------------------------------


async def test_drill_down_by_state_lists_exactly_the_officers_whose_dashboards_show_it(app, browsers, demo):
    chief = await demo_browser(app, browsers, "chief")
    for state in STATES:
        total, rows = await all_rows(chief, f"/agency/officers?state={state}", "officer-", LISTED)
        expected = {oid: s for oid, s in demo.standings.items() if s.shown_state == state}
        assert total == len(expected) and set(rows) == set(expected), state
        for officer_id, row in rows.items():
            standing = expected[officer_id]
            shown = cells(row)
            met, of = standing.requirements
            assert (shown["Rank"], shown["Unit"], shown["State"], shown["%"], shown["Next deadline"]) == (
                standing.person.rank, standing.unit, STATE_LABELS[state], f"{standing.status.percent}%",
                standing.next_due("–")), standing.name
            assert f'href="/officers/{officer_id}/dashboard">{html_lib.escape(standing.name)}</a>' in row
            outstanding = cell_html(row, "Outstanding")
            assert items(outstanding) == standing.missing_by_due, standing.name
            if standing.unmet:
                assert text_of(outstanding).startswith(f"{of - met} of {of}:"), standing.name
    # By hand: Patrol A's two overdue officers, as its bar's overdue segment links them.
    patrol_a = demo.units["Patrol A Shift"].id
    page = (await chief.get(f"/agency/officers?unit={patrol_a}&state=overdue")).text
    assert set(rows_by_id(page, "officer-")) == {demo.people["Sorensen"].id, demo.people["Lund"].id}
    assert "2 officers overdue in Patrol A Shift and the units below it." in text_of(page)


# --- /team and /team/warnings -------------------------------------------------------------------------


@pytest.mark.parametrize(("login", "supervisor", "listed", "glance"), [
    # Sgt. Kowalski: Ellis, Thorsen and Ortega on track, Dahl compliant, Benson at risk.
    ("sergeant", "Kowalski", 5, {"compliant": 1, "on_track": 3, "at_risk": 1, "overdue": 0, "on_leave": 0}),
    # Lt. Brandt: Patrol A and Patrol B, 12 each (Pederson on leave).
    ("lieutenant", "Brandt", 24, {"compliant": 1, "on_track": 19, "at_risk": 1, "overdue": 2, "on_leave": 1}),
    # The chief: all 40 other sworn staff; the coordinator and the administrator are not tracked.
    ("chief", "Holloway", 40, {"compliant": 1, "on_track": 35, "at_risk": 1, "overdue": 2, "on_leave": 1}),
])
async def test_team_page_repeats_each_officers_dashboard(app, browsers, demo, login, supervisor, listed, glance):
    browser = await demo_browser(app, browsers, login)
    team = demo.team_of(supervisor)
    tracked = [demo.standings[p.id] for p in team if p.id in demo.standings]
    total, rows = await all_rows(browser, "/team", "officer-", r'id="team-total">(\d+) officers?')
    assert total == listed == len(tracked) and set(rows) == {s.person.id for s in tracked}
    for standing in tracked:
        shown = cells(rows[standing.person.id])
        met, of = standing.requirements
        state = STATE_LABELS[standing.status.state] + (" On leave" if standing.on_leave else "")
        assert (shown["Rank"], shown["Unit"], shown["State"], shown["Percent"]) == (
            standing.person.rank, standing.unit, state, f"{standing.status.percent}%"), standing.name
        assert shown["Hours"] == (f"{format_amount(standing.status.total_done)} of "
                                  f"{format_amount(standing.status.total_required)}")
        assert shown["Requirements"] == f"{met} of {of} met"
        assert shown["Outstanding"] == ("; ".join(standing.titles) or "None"), standing.name
        assert shown["Next deadline"] == standing.next_due("—"), standing.name
    first = (await browser.get("/team")).text
    counted = {key: int(number) for key, number in re.findall(r'id="count-(\w+)">[^<]*: <strong>(\d+)</strong>',
                                                                first)}
    assert counted == {**glance, "not_evaluated": 0}
    assert {key: number for key, number in counted.items() if key != "not_evaluated"} == dict(
        zip(STATES, demo.counts(tracked), strict=True))
    untracked = len(team) - len(tracked)
    assert untracked == (2 if login == "chief" else 0)
    assert (f'id="count-not_tracked">{untracked} people' in first) == bool(untracked)


@pytest.mark.parametrize(("login", "supervisor"), [("sergeant", "Kowalski"), ("lieutenant", "Brandt")])
async def test_early_warning_lists_what_each_dashboard_says_is_due_within_the_window(app, browsers, demo, login,
                                                                                     supervisor):
    browser = await demo_browser(app, browsers, login)
    tracked = [demo.standings[p.id] for p in demo.team_of(supervisor) if p.id in demo.standings]
    benson = demo.people["Benson"].id
    for days in (30, 60, 90):
        expected = {s.person.id: s.needs_within(demo.today, days) for s in tracked}
        expected = {officer_id: needs for officer_id, needs in expected.items() if needs}
        total, rows = await all_rows(browser, f"/team/warnings?within={days}", "warning-officer-",
                                     r'id="warning-total">(\d+) officers?')
        assert total == len(expected) and set(rows) == set(expected), days
        for officer_id, row in rows.items():
            assert items(cell_html(row, "What they need")) == expected[officer_id], officer_id
        # By hand: Benson, licensed 300 days ago, owes her first yearly firearms training 65 or 66 days
        # from now (seed/demo.py), and nothing of hers is due sooner.
        assert (benson in rows) == (days == 90), days
    assert any(need.startswith("Firearms in-service training by ")
               for need in demo.standings[benson].needs_within(demo.today, 90))

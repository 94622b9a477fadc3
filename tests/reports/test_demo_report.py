"""The council report of the whole demo agency (seed/demo.py, every officer's status stored as the daily
refresh stores it) says what each officer's own dashboard says: the chief's workbook and PDF are compared
officer by officer with each one's live evaluation (tests/portal/demo_dashboards_support.py), and the
totals with the hand counts of tests/portal/test_demo_dashboards.py's docstring."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest

from compliance.wording import format_date
from tests.portal.demo_dashboards_support import STATE_LABELS, Demo, build_demo, demo_browser
from tests.reports.support import pdf_text, workbook

# The whole agency: compliant, on track, at risk, overdue, on leave (Kevin Dahl compliant, Rachel Benson at
# risk, Megan Sorensen and Derek Lund overdue, Nathan Pederson on leave, the other 36 on track).
HAND_COUNTED = {"Compliant": 1, "On track": 36, "At risk": 1, "Overdue": 2, "On leave": 1}


@pytest.fixture
async def demo(session_factory) -> Demo:
    return await build_demo(session_factory)


async def test_the_chiefs_workbook_says_what_every_officers_own_dashboard_says(app, browsers, demo):
    chief = await demo_browser(app, browsers, "chief")
    response = await chief.post("/reports/agency/export", {"format": "xlsx", "unit": ""})
    assert response.status_code == 200
    book = workbook(response.content)
    rows = list(book["Officers"].iter_rows(values_only=True))
    headings, officers = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert "Outstanding requirements" in headings
    assert Counter(row["State"] for row in officers) == HAND_COUNTED
    by_badge = {standing.person.badge_number: standing for standing in demo.standings.values()}
    assert sorted(row["Badge"] for row in officers) == sorted(by_badge)
    for row in officers:
        standing = by_badge[row["Badge"]]
        met, total = standing.requirements
        due = min((requirement.due_on for requirement in standing.unmet), default=None)
        assert (row["Last name"], row["First name"], row["Unit"]) == (
            standing.person.last_name, standing.person.first_name, standing.unit)
        assert row["State"] == STATE_LABELS[standing.shown_state], standing.name
        assert (row["% done"], row["Requirements met"], row["Requirements total"]) == (
            standing.status.percent, met, total), standing.name
        assert (row["Hours done"], row["Hours required"]) == (
            standing.status.total_done, standing.status.total_required), standing.name
        assert row["Next deadline"] == (datetime.combine(due, datetime.min.time()) if due else None), standing.name
        owed = set(row["Outstanding requirements"].split("; ")) if row["Outstanding requirements"] else set()
        assert owed == set(standing.titles), standing.name
    summary = list(book["Summary"].iter_rows(values_only=True))
    # 1 compliant of the 40 not on leave.
    assert summary[2] == (*HAND_COUNTED.values(), 41, 2)


async def test_the_chiefs_pdf_holds_the_same_numbers_and_states_its_date(app, browsers, demo):
    chief = await demo_browser(app, browsers, "chief")
    text = pdf_text((await chief.post("/reports/agency/export", {"format": "pdf", "unit": ""})).content)
    assert "41 officers tracked in the whole agency: 2% compliant (of the 40 not on leave)." in text
    assert "1 compliant, 36 on track, 1 at risk, 2 overdue, 1 on leave." in text
    assert f"Data as of {format_date(demo.today)}" in text
    for standing in demo.standings.values():
        assert f"{standing.name} {standing.person.badge_number}" in text

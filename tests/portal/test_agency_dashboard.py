"""The agency dashboard and its drill-down, as command staff, coordinators and administrators see them.

Numbers are hand counts of the rows tests/services/agency_support.py inserts (see its docstring).
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from models import AuditEvent, ComplianceSnapshot, Unit
from services.agency_compliance import STATES
from services.training_records import agency_today
from tests.services.agency_support import add_officers, build_agency


@pytest.fixture
async def agency(session_factory, demo_org):
    return await build_agency(session_factory, demo_org)


def text_of(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def row_cells(page: str, row_id: str) -> dict[str, str]:
    """The cells of the table row with this id, by their data-state."""
    row = re.search(rf'<tr id="{re.escape(row_id)}">(.*?)</tr>', page, re.S)
    assert row, f"no row {row_id}"
    return {key: text_of(value) for key, value in re.findall(r'data-state="(\w+)">(.*?)</td>', row.group(1), re.S)}


def bar_labels(page: str, bar_id: str) -> dict[str, str]:
    """The numbers written inside a bar's segments, by their data-state."""
    bar = re.search(rf'<g id="{re.escape(bar_id)}">(.*?)</g>', page, re.S)
    assert bar, f"no bar {bar_id}"
    segment = r'data-state="(\w+)">\s*<rect[^>]*>.*?</rect>\s*<text[^>]*>(\d+)</text>'
    return dict(re.findall(segment, bar.group(1), re.S))


async def denials(session_factory) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "agency_compliance.view", AuditEvent.outcome == "denied")))


async def test_command_coordinators_and_administrators_see_the_agency_others_are_refused(
    browsers, agency, session_factory
):
    for username in ("chief1", "coord1", "admin1"):
        browser = await browsers(username)
        page = await browser.get("/agency")
        assert page.status_code == 200, username
        assert '<a href="/agency" aria-current="page">Agency</a>' in page.text
        assert (await browser.get("/agency/officers")).status_code == 200
    for username in ("officer1", "sgt1", "lt1"):
        browser = await browsers(username)
        for url in ("/agency", "/agency/officers?state=overdue"):
            refused = await browser.get(url)
            assert refused.status_code == 403, (username, url)
            assert "Traffic" not in refused.text and "Tina" not in refused.text
        assert 'href="/agency"' not in (await browser.get("/requests")).text
    assert len(await denials(session_factory)) == 6


async def test_units_are_a_rolled_up_tree_and_ranks_add_up(browsers, agency):
    page = (await (await browsers("chief1")).get("/agency")).text
    order = [int(unit_id) for unit_id in re.findall(r'<tr id="unit-row-(\d+)">', page)]
    assert order == [agency.department, agency.patrol_a, agency.traffic, agency.patrol_b]
    expected = {
        agency.department: ["3", "2", "1", "2", "1", "9", "37%"],
        agency.patrol_a: ["1", "1", "1", "2", "1", "6", "20%"],
        agency.traffic: ["1", "0", "0", "1", "1", "3", "50%"],
        agency.patrol_b: ["1", "1", "0", "0", "0", "2", "50%"],
    }
    for unit_id, numbers in expected.items():
        cells = row_cells(page, f"unit-row-{unit_id}")
        assert [cells[key] for key in (*STATES, "total", "percent")] == numbers, unit_id
    assert "Elsewhere" not in page and "Stranger" not in page
    # Traffic sits two levels down: indented, and said so to screen readers.
    assert re.search(r'&nbsp;└&nbsp;<a href="/agency\?unit=' + str(agency.traffic), page)
    assert "(level 3)" in page

    totals = row_cells(page, "totals-row")
    assert [totals[key] for key in (*STATES, "total", "percent")] == ["3", "2", "1", "2", "1", "9", "37%"]
    assert f'href="/agency/officers?unit={agency.patrol_a}&amp;state=overdue">2</a>' in page
    assert 'href="/agency/officers?state=overdue&amp;rank=Officer">2</a>' in page


async def test_chart_labels_are_the_tables_numbers(browsers, agency):
    page = (await (await browsers("coord1")).get("/agency")).text
    for unit_id in (agency.department, agency.patrol_a, agency.traffic, agency.patrol_b):
        cells = row_cells(page, f"unit-row-{unit_id}")
        labels = bar_labels(page, f"unit-bar-{unit_id}")
        assert labels == {state: cells[state] for state in STATES if cells[state] != "0"}, unit_id
    # The gaps chart: past-due and not-yet-due segments, and the total after the bar.
    for index in (1, 2, 3):
        cells = row_cells(page, f"gap-row-{index}")
        labels = bar_labels(page, f"gap-bar-{index}")
        bar = re.search(rf'<g id="gap-bar-{index}">(.*?)</g>', page, re.S).group(1)  # type: ignore[union-attr]
        total = re.search(r'data-total="true">(\d+)</text>', bar).group(1)  # type: ignore[union-attr]
        assert total == cells["officers"]
        assert labels.get("overdue", "0") == cells["overdue"]
        assert int(labels.get("owing", "0")) == int(cells["officers"]) - int(cells["overdue"])
    assert [text_of(title) for title in re.findall(r'<tr id="gap-row-\d+">\s*<th[^>]*>(.*?)</th>', page)] == [
        "Crisis intervention", "Use of force", "Firearms qualification"]
    assert row_cells(page, "gap-row-1") == {"officers": "4", "overdue": "2"}
    # Every chart names itself for assistive technology and is drawn here, without scripts.
    for chart in ("unit-chart", "gap-chart"):
        assert f'role="img" aria-labelledby="{chart}-title {chart}-desc"' in page
        assert f'<title id="{chart}-title">' in page and f'<desc id="{chart}-desc">' in page
    assert "<script" not in page.split("</head>", 1)[1]


async def test_trend_table_and_line_show_the_last_snapshot_of_each_period(browsers, agency, session_factory):
    a = agency.org.agency_id
    async with session_factory() as session:
        today = await agency_today(session, a)
    last_month_end = today.replace(day=1) - timedelta(days=1)
    rows = [(last_month_end.replace(day=1), 1), (last_month_end, 3), (today, 2)]
    async with session_factory() as session, session.begin():
        for day, compliant in rows:
            session.add(ComplianceSnapshot(day=day, agency_id=a, unit_key=0, compliant=compliant, on_track=1,
                                           at_risk=0, overdue=0, on_leave=0))
        session.add(ComplianceSnapshot(day=today, agency_id=a, unit_id=agency.patrol_b, unit_key=agency.patrol_b,
                                       compliant=5, on_track=0, at_risk=0, overdue=5, on_leave=0))
    browser = await browsers("chief1")
    page = (await browser.get("/agency")).text
    trend = re.search(r'<table class="responsive" id="trend-table">(.*?)</table>', page, re.S).group(1)  # type: ignore[union-attr]
    shown = [text_of(cell) for cell in re.findall(r'data-state="percent">(.*?)</td>', trend)]
    # Last month's last snapshot (3 of 4 compliant), then this month's so far (2 of 3).
    assert shown == ["75%", "66%"]
    points = re.findall(r"<circle [^>]*><title>(.*?)</title>", page)
    assert [text_of(point).split(": ")[1] for point in points] == ["75% compliant", "66% compliant"]
    assert 'role="img" aria-labelledby="trend-chart-title trend-chart-desc"' in page

    unit_page = (await browser.get(f"/agency?unit={agency.patrol_b}&period=weekly")).text
    unit_trend = re.search(r'id="trend-table">(.*?)</table>', unit_page, re.S).group(1)  # type: ignore[union-attr]
    assert [text_of(c) for c in re.findall(r'data-state="percent">(.*?)</td>', unit_trend)] == ["50%"]
    assert "Agency compliance: Patrol B" in unit_page
    assert [int(u) for u in re.findall(r'<tr id="unit-row-(\d+)">', unit_page)] == [agency.patrol_b]


async def test_names_are_escaped_in_tables_and_charts(browsers, agency, session_factory):
    async with session_factory() as session, session.begin():
        (await session.get_one(Unit, agency.patrol_b)).name = "B <i>shift</i> & nights"
    page = (await (await browsers("chief1")).get("/agency")).text
    assert "<i>shift</i>" not in page
    assert page.count("B &lt;i&gt;shift&lt;/i&gt; &amp; nights") >= 3  # the table, the bar's name and tooltip


async def test_drill_down_lists_the_officers_behind_a_number(browsers, agency):
    browser = await browsers("chief1")
    page = await browser.get("/agency/officers", params={"unit": agency.patrol_a, "state": "overdue"})
    assert page.status_code == 200
    names = [text_of(name) for name in re.findall(r'<th scope="row" data-label="Name">(.*?)</th>', page.text)]
    assert names == ["Officer, Olly", "Traffic, Tina"]
    assert f'<a href="/officers/{agency.org.officer1}/dashboard">Officer, Olly</a>' in page.text
    tina = re.search(rf'<tr id="officer-{agency.tina}">(.*?)</tr>', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert "Traffic" in tina and "Overdue" in tina and "20%" in tina and "30 June 2026" in tina
    assert "Firearms qualification by 2026-06-30" in tina and "3 of 4" in tina
    assert "2 officers overdue in Patrol A and the units below it." in text_of(page.text)

    gap = await browser.get("/agency/officers", params={"requirement": "mn-crisis", "gap": "overdue"})
    assert "2 officers who owe Crisis intervention, past its due date." in text_of(gap.text)

    dashboard = await browser.get(f"/officers/{agency.tina}/dashboard")
    assert dashboard.status_code == 200


async def test_drill_down_pages(browsers, agency, session_factory):
    await add_officers(session_factory, agency.org.agency_id, agency.patrol_b, 55)
    browser = await browsers("coord1")
    first = (await browser.get("/agency/officers", params={"unit": agency.patrol_b})).text
    assert "57 officers in Patrol B" in text_of(first)
    assert first.count('<tr id="officer-') == 50
    assert f'href="/agency/officers?unit={agency.patrol_b}&amp;page=2" rel="next"' in first
    second = (await browser.get("/agency/officers", params={"unit": agency.patrol_b, "page": "2"})).text
    assert second.count('<tr id="officer-') == 7


async def test_bad_filters_give_a_message_and_another_agencys_unit_is_not_found(browsers, agency, session_factory):
    browser = await browsers("chief1")
    page = await browser.get("/agency", params={"unit": "abc", "period": "daily"})
    assert page.status_code == 200
    assert "Choose a unit from the list." in page.text and "Choose monthly or weekly." in page.text
    listing = await browser.get("/agency/officers", params={"state": "asleep", "rank": "Admiral",
                                                            "requirement": "nothing-owed"})
    assert listing.status_code == 200
    for message in ("Choose a state from the list.", "Choose a rank from the list.",
                    "No officer owes that requirement now."):
        assert message in listing.text
    assert "9 officers." in text_of(listing.text)  # the bad filters were dropped

    for url in (f"/agency?unit={agency.other_unit}", f"/agency/officers?unit={agency.other_unit}",
                "/agency?unit=999999"):
        refused = await browser.get(url)
        assert refused.status_code == 404, url
        assert "Elsewhere" not in refused.text
    assert len(await denials(session_factory)) == 3


async def test_dashboard_statements_do_not_grow_with_the_agency(app, browsers, agency, session_factory):
    a = agency.org.agency_id
    await add_officers(session_factory, a, agency.traffic, 5)
    browser = await browsers("chief1")
    urls = ("/agency", f"/agency?unit={agency.patrol_a}&period=weekly",
            f"/agency/officers?unit={agency.department}&state=overdue&rank=Officer")
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    async def statements_per_page() -> list[int]:
        numbers = []
        for url in urls:
            statements.clear()
            assert (await browser.get(url)).status_code == 200
            numbers.append(len(statements))
        return numbers

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    try:
        await statements_per_page()  # the session's first use may write; measure after it
        with_5 = await statements_per_page()
        await add_officers(session_factory, a, agency.traffic, 45, start=5)
        with_50 = await statements_per_page()
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
    assert with_5 == with_50
    # The officer list is a page of 50 at most: one statement for the page, one for its gaps.
    assert with_50[2] <= with_50[0]

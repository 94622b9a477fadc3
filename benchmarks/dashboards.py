"""Team and command dashboards at state scale, each timed against a baseline from the same run.

The pages (GET /team as the busiest sergeant's lieutenant, GET /agency as the chief) go through the whole
portal stack and are set against the raw SQL of their main query. Each service query is set against the
same statements written by hand (services.team_compliance, team_warnings, agency_compliance and
agency_officers build them with the ORM). Rows read the stored compliance benchmarks/compliance_dataset.py
writes; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from benchmarks.dataset import DatasetSummary
from benchmarks.timing import Result, median_ms
from portal.app import create_app
from portal.sessions import cookie_name, start_session
from services import agency_compliance, agency_officers, team_compliance, team_warnings
from settings import Settings

Run = Callable[[], Awaitable[object]]

# Constants are written into the SQL, as a person would write it; only what varies per page is a parameter.
# Everyone below :supervisor, as services.team_compliance.Team.member_ids (MAX_CHAIN_DEPTH 10).
_CHAIN = """WITH RECURSIVE chain_below(person_id, depth) AS (
    SELECT id, 1 FROM person WHERE agency_id = :agency AND supervisor_id = :supervisor
    UNION ALL
    SELECT p.id, c.depth + 1 FROM person p JOIN chain_below c ON p.supervisor_id = c.person_id
    WHERE p.agency_id = :agency AND c.depth < 10)
"""
_MEMBER = "p.id IN (SELECT person_id FROM chain_below WHERE person_id <> :supervisor)"
_TRACKED = "p.license_date IS NOT NULL AND p.employment_status <> 'separated'"
_TEAM_FROM = f"""FROM person p LEFT JOIN unit u ON u.id = p.unit_id
LEFT JOIN officer_compliance oc ON oc.officer_id = p.id
WHERE p.agency_id = :agency AND {_MEMBER} AND {_TRACKED}"""
RAW_TEAM_COUNT = text(f"{_CHAIN}SELECT count(*) {_TEAM_FROM}")  # noqa: S608 (fixed text, no input)
RAW_TEAM_ROWS = text(
    f"{_CHAIN}SELECT p.id, p.first_name, p.last_name, p.rank, u.name, oc.state, oc.on_leave, oc.percent, "  # noqa: S608
    "oc.hours_done, oc.hours_required, oc.requirements_met, oc.requirements_total, oc.next_due_on "
    f"{_TEAM_FROM} ORDER BY p.last_name, p.first_name, p.id LIMIT 25 OFFSET 0"
)
RAW_TEAM_GAPS = text("SELECT officer_id, title FROM officer_compliance_gap WHERE officer_id = ANY(:ids) "
                     "ORDER BY officer_id, due_on, title")
RAW_TEAM_COUNTS = text(
    f"{_CHAIN}SELECT bucket, count(*) FROM (SELECT CASE WHEN NOT ({_TRACKED}) THEN 'not_tracked' "  # noqa: S608
    "WHEN oc.officer_id IS NULL THEN 'not_evaluated' WHEN oc.on_leave THEN 'on_leave' ELSE oc.state END AS bucket "
    f"FROM person p LEFT JOIN officer_compliance oc ON oc.officer_id = p.id WHERE p.agency_id = :agency AND {_MEMBER}"
    ") AS people GROUP BY bucket"
)
RAW_WARNING_COUNTS = text(
    f"{_CHAIN}SELECT count(DISTINCT CASE WHEN g.due_on <= :d30 THEN g.officer_id END), "  # noqa: S608
    "count(DISTINCT CASE WHEN g.due_on <= :d60 THEN g.officer_id END), "
    "count(DISTINCT CASE WHEN g.due_on <= :d90 THEN g.officer_id END) FROM officer_compliance_gap g "
    "WHERE g.agency_id = :agency AND g.overdue = false AND g.due_on >= :today AND g.due_on <= :d90 "
    f"AND g.officer_id IN (SELECT p.id FROM person p WHERE {_MEMBER} AND {_TRACKED})"
)
_SHOWN = "CASE WHEN oc.on_leave THEN 'on_leave' ELSE oc.state END"
_STATE_SUMS = ", ".join(f"sum(CASE WHEN {_SHOWN} = '{state}' THEN 1 ELSE 0 END) AS {state}"
                        for state in agency_compliance.STATES)
# services.agency_compliance.unit_rows: the tree, each unit with the units below it, officers counted per unit
# first and then rolled up the tree.
RAW_UNIT_ROLLUP = text(f"""WITH RECURSIVE unit_tree(unit_id, depth) AS (
    SELECT id, 0 FROM unit WHERE agency_id = :agency AND parent_id IS NULL
    UNION ALL SELECT c.id, t.depth + 1 FROM unit c JOIN unit_tree t ON c.parent_id = t.unit_id WHERE t.depth < 20
), unit_closure(ancestor_id, unit_id, hops) AS (
    SELECT unit_id, unit_id, 0 FROM unit_tree
    UNION ALL SELECT c.ancestor_id, u.id, c.hops + 1 FROM unit u JOIN unit_closure c ON u.parent_id = c.unit_id
    WHERE c.hops < 20
), per_unit AS (
    SELECT p.unit_id, {_STATE_SUMS} FROM officer_compliance oc JOIN person p ON p.id = oc.officer_id
    WHERE oc.agency_id = :agency AND p.agency_id = :agency AND p.unit_id IS NOT NULL GROUP BY p.unit_id
), rolled AS (
    SELECT c.ancestor_id, {", ".join(f"sum(pu.{state}) AS {state}" for state in agency_compliance.STATES)}
    FROM unit_closure c JOIN per_unit pu ON pu.unit_id = c.unit_id GROUP BY c.ancestor_id
)
SELECT u.id, u.name, u.parent_id, t.depth, {", ".join(f"r.{state}" for state in agency_compliance.STATES)}
FROM unit u JOIN unit_tree t ON t.unit_id = u.id LEFT JOIN rolled r ON r.ancestor_id = u.id""")  # noqa: S608
RAW_TOP_GAPS = text(
    "SELECT requirement_id, max(title), count(DISTINCT officer_id), "
    "count(DISTINCT CASE WHEN overdue THEN officer_id END) FROM officer_compliance_gap WHERE agency_id = :agency "
    "GROUP BY requirement_id ORDER BY 3 DESC, 4 DESC, 2, 1 LIMIT 10"
)
_DRILL = """WITH RECURSIVE scope_units(unit_id, depth) AS (
    SELECT id, 0 FROM unit WHERE agency_id = :agency AND id = :unit
    UNION ALL SELECT c.id, s.depth + 1 FROM unit c JOIN scope_units s ON c.parent_id = s.unit_id WHERE s.depth < 20)
SELECT {columns} FROM officer_compliance oc JOIN person p ON p.id = oc.officer_id LEFT JOIN unit u ON u.id = p.unit_id
WHERE oc.agency_id = :agency AND p.agency_id = :agency AND p.unit_id IN (SELECT unit_id FROM scope_units)
AND oc.on_leave = false AND oc.state = 'overdue'"""
RAW_DRILL_COUNT = text(_DRILL.format(columns="count(*)"))
RAW_DRILL_ROWS = text(_DRILL.format(
    columns=f"oc.officer_id, p.first_name, p.last_name, p.rank, u.name, {_SHOWN}, oc.percent, oc.requirements_met, "
            "oc.requirements_total, oc.next_due_on") + " ORDER BY p.last_name, p.first_name, oc.officer_id LIMIT 50")
RAW_DRILL_GAPS = text("SELECT officer_id, missing FROM officer_compliance_gap WHERE officer_id = ANY(:ids) "
                      "ORDER BY due_on, id")


class _Queries:
    """Runs a service call, or hand-written statements, each in a session of its own as a page would."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory

    def service(self, call: Callable[[AsyncSession], Awaitable[object]]) -> Run:
        async def run() -> object:
            async with self.factory() as session:
                return await call(session)
        return run

    def raw(self, *statements: tuple[Any, dict[str, Any]]) -> Run:
        """The statements in order; a `:ids` parameter of None takes the first column of the previous rows."""
        async def run() -> object:
            async with self.factory() as session:
                rows: list[Any] = []
                for statement, params in statements:
                    if "ids" in params and params["ids"] is None:
                        params = {**params, "ids": [row[0] for row in rows]}
                    rows = list((await session.execute(statement, params)).all())
                return rows
        return run


async def _drill_unit(factory: async_sessionmaker[AsyncSession], lieutenant_id: int) -> int:
    """The division above the lieutenant's unit: a bar of the command dashboard with 40 units below it."""
    async with factory() as session:
        return int(await session.scalar(text(
            "SELECT parent_id FROM unit WHERE id = (SELECT unit_id FROM person WHERE id = :person)"),
            {"person": lieutenant_id}))


async def query_benchmarks(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, repeat: int,
                           today: date) -> list[Result]:
    q = _Queries(factory)
    agency = data.agency_id
    lieutenant = team_compliance.Team(agency, data.busiest_lieutenant_id)
    chief = team_compliance.Team(agency, data.chief_id)
    division = await _drill_unit(factory, data.busiest_lieutenant_id)
    drill = agency_officers.OfficerFilters(unit_id=division, state="overdue")
    windows = {f"d{days}": today + timedelta(days=days) for days in team_warnings.WARNING_WINDOWS}

    def team(supervisor: int) -> Run:
        params = {"agency": agency, "supervisor": supervisor}
        return q.raw((RAW_TEAM_COUNT, params), (RAW_TEAM_ROWS, params), (RAW_TEAM_GAPS, {"ids": None}))

    drill_params = {"agency": agency, "unit": division}
    pairs: list[tuple[str, Run, Run]] = [
        ("Team list page (busiest lieutenant, 55 people)",
         q.service(lambda s: team_compliance.team_page(s, lieutenant, team_compliance.TeamFilters(), 1)),
         team(lieutenant.supervisor_id)),
        (f"Team list page (chief: {data.persons - 1:,} people below)",
         q.service(lambda s: team_compliance.team_page(s, chief, team_compliance.TeamFilters(), 1)),
         team(chief.supervisor_id)),
        ("Team counts at a glance (busiest lieutenant)",
         q.service(lambda s: team_compliance.team_counts(s, lieutenant)),
         q.raw((RAW_TEAM_COUNTS, {"agency": agency, "supervisor": lieutenant.supervisor_id}))),
        ("Early-warning counts, 30/60/90 days (busiest lieutenant)",
         q.service(lambda s: team_warnings.warning_counts(s, lieutenant, today)),
         q.raw((RAW_WARNING_COUNTS, {"agency": agency, "supervisor": lieutenant.supervisor_id, "today": today,
                                     **windows}))),
        ("Unit roll-up (command dashboard)", q.service(lambda s: agency_compliance.unit_rows(s, agency)),
         q.raw((RAW_UNIT_ROLLUP, {"agency": agency}))),
        ("Requirements most often owed (command dashboard)",
         q.service(lambda s: agency_compliance.top_gaps(s, agency)), q.raw((RAW_TOP_GAPS, {"agency": agency}))),
        ("Drill-down: a division's overdue officers, page 1",
         q.service(lambda s: agency_officers.officers_page(s, agency, drill, 1)),
         q.raw((RAW_DRILL_COUNT, drill_params), (RAW_DRILL_ROWS, drill_params), (RAW_DRILL_GAPS, {"ids": None}))),
    ]
    return [Result(name, "ORM queries (services/)", "same SQL by hand", await median_ms(subject, repeat),
                   await median_ms(baseline, repeat)) for name, subject, baseline in pairs]


async def page_benchmarks(settings: Settings, factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                          repeat: int) -> list[Result]:
    app = create_app(settings, temporal_client=await Client.connect("127.0.0.1:1", lazy=True))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower
    q = _Queries(factory)
    lieutenant = {"agency": data.agency_id, "supervisor": data.busiest_lieutenant_id}
    pages = [
        ("GET /team, whole portal stack (busiest lieutenant)", data.busiest_lieutenant_id, "/team",
         "HTTP request (session, team list, counts, warnings, pending, nav)", "raw SQL of the team list rows",
         q.raw((RAW_TEAM_ROWS, lieutenant))),
        ("GET /agency, whole portal stack (chief)", data.chief_id, "/agency",
         "HTTP request (roll-up, ranks, gaps, trend, work queues, charts)", "raw SQL of the unit roll-up",
         q.raw((RAW_UNIT_ROLLUP, {"agency": data.agency_id}))),
    ]
    results = []
    for name, user_id, url, subject_label, baseline_label, baseline in pages:
        async with factory() as session, session.begin():
            token = start_session(session, user_id, "127.0.0.1")
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     cookies={cookie_name(settings): token}) as client:
            subject = await median_ms(_get(client, url), repeat)
        results.append(Result(name, subject_label, baseline_label, subject, await median_ms(baseline, repeat)))
    await app.state.engine.dispose()
    return results


def _get(client: httpx.AsyncClient, url: str) -> Run:
    async def run() -> object:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response
    return run


async def dashboard_benchmarks(settings: Settings, factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                               repeat: int) -> list[Result]:
    today = data.compliance.evaluated_on
    return [*await page_benchmarks(settings, factory, data, repeat),
            *await query_benchmarks(factory, data, repeat, today)]


def dashboards_reading(results: list[Result], data: DatasetSummary) -> list[str]:
    stored = data.compliance
    ratio = {result.name: result.ratio for result in results}
    lines = [
        f"- **Team and command dashboards**: every person has a stored status ({stored.officers:,} rows, "
        f"{stored.gaps:,} gaps,",
        "  3-12 % overdue by unit; benchmarks/compliance_dataset.py) and two years of daily snapshots",
        f"  ({stored.snapshots:,} rows), in a tree of {stored.units:,} units (board, divisions, units). A "
        "lieutenant's team",
        "  (5 sergeants, 50 officers) and the chief's (the whole agency) are recursive queries down the chain of",
        "  command. The pages are set against the raw SQL of their main query, so their ratio is the rest of the",
        "  page; the service rows against the same statements by hand, with constants written in.",
    ]
    if ratio.get("Early-warning counts, 30/60/90 days (busiest lieutenant)", 0) > 30:
        lines += [
            "  The ORM's early-warning counts, and the team page's unit and rank filters, bind 'separated'",
            "  (services.team_compliance.is_tracked) as a parameter: from its sixth run on a connection PostgreSQL",
            "  plans the statement generically, expects one tracked person when everyone is active and compares",
            "  every person with every member (EXPLAIN: 0.5 ms with the constant written in, about 200 ms without;",
            "  over the whole agency, the chief's /team, tens of seconds per statement).",
        ]
    if ratio.get("GET /agency, whole portal stack (chief)", 0) > 10:
        lines += [
            f"  GET /agency draws a bar and a table row for each of the {stored.units:,} units: megabytes of HTML",
            "  whose rendering costs more than the page's queries.",
        ]
    return lines

"""Issue 14, target 4: the officer dashboard, the team page and the command dashboard at the built size,
and the agency report exports' peak memory at two agency sizes.

- Officer dashboard: services.training_records.officer_dashboard (what GET /dashboard computes) against its
  floor: the raw SQL it needs (person, agency, the officer's records with credits, waivers, agency
  requirements, the five latest records with credits, open requests with approver) plus the pure engine's
  own time on the same inputs, prepared beforehand. Target: within 1.5x.
- GET /team (a lieutenant's 55 people) and GET /agency (the chief) through the whole portal stack in this
  process: median and p95. Target: p95 under 100 ms.
- Exports: peak Python memory (tracemalloc) of the CSV and the workbook for the benchmark agency and for an
  agency of a quarter the size (benchmarks/report_export.load_agency in a database of its own). Target: flat.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from benchmarks import report_export
from benchmarks.dataset import DatasetSummary
from benchmarks.timing import Result, median_ms
from compliance import OfficerProfile, evaluate
from models import Agency, Person
from models.database import create_engine, create_session_factory
from portal.app import create_app
from portal.sessions import cookie_name, start_session
from services import training_records as records_service
from services.agency_requirements import active_requirements
from services.compliance import credit_records, rule_pack, waivers
from services.compliance_report import agency_report
from services.report_exports import ExportFormat, csv_stream, write_export
from settings import Settings

# The statements officer_dashboard needs, by hand (the open statuses of models.RequestStatus.is_open).
RAW_DASHBOARD = (
    text("SELECT * FROM person WHERE id = :officer"),
    text("SELECT * FROM agency WHERE id = :agency"),
    text("SELECT r.id, r.completed_on, r.hours, r.course_number, c.topic_code, c.credits FROM training_record r "
         "LEFT JOIN training_record_credit c ON c.record_id = r.id WHERE r.officer_id = :officer"),
    text("SELECT * FROM compliance_waiver WHERE officer_id = :officer"),
    text("SELECT * FROM agency_requirement WHERE agency_id = :agency AND retired_at IS NULL ORDER BY id"),
    text("SELECT r.*, c.* FROM (SELECT * FROM training_record WHERE officer_id = :officer "
         "ORDER BY completed_on DESC, id DESC LIMIT 5) r LEFT JOIN training_record_credit c ON c.record_id = r.id"),
    text("SELECT r.*, a.* FROM training_request r LEFT JOIN person a ON a.id = r.current_approver_id "
         "WHERE r.officer_id = :officer AND r.status IN ('submitted', 'in_review', 'changes_requested', "
         "'escalated') ORDER BY r.start_date, r.id"),
)


async def dashboard_rows(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, repeat: int
                         ) -> list[Result]:
    """The dashboard service against raw SQL + engine; a second row splits the floor into its two parts."""
    officer, agency_id = data.officer_id, data.agency_id
    async with factory() as session:
        person = await session.get_one(Person, officer)
        agency = await session.get_one(Agency, agency_id)
        on = await records_service.agency_today(session, agency_id)
        records = await credit_records(session, officer)
        officer_waivers = await waivers(session, officer)
        extra = await active_requirements(session, agency_id)
    pack = rule_pack(agency.rule_pack)
    assert person.license_date is not None
    profile = OfficerProfile(officer_id=officer, licence_date=person.license_date,
                             licence_status=person.license_status)  # type: ignore[arg-type]

    async def service() -> object:
        async with factory() as session:
            shown = await session.get_one(Person, officer)
            return await records_service.officer_dashboard(session, shown, on)

    async def raw_sql() -> object:
        async with factory() as session:
            return [(await session.execute(statement, {"officer": officer, "agency": agency_id})).all()
                    for statement in RAW_DASHBOARD]

    async def engine() -> object:
        return evaluate(pack, profile, records, officer_waivers, on, extra_requirements=extra)

    subject = await median_ms(service, repeat)
    sql_ms, engine_ms = await median_ms(raw_sql, repeat), await median_ms(engine, repeat)
    return [
        Result(f"Officer dashboard ({len(records)} records)", "services officer_dashboard (ORM, engine, rows)",
               "raw SQL it needs + engine on ready inputs", subject, sql_ms + engine_ms),
        Result("Officer dashboard floor, split", f"engine alone ({engine_ms:.2f} ms)",
               f"raw SQL alone ({sql_ms:.2f} ms)", engine_ms, sql_ms),
    ]


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


async def dashboard_page_p95(settings: Settings, factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                             repeat: int) -> list[tuple[str, float, float]]:
    """(page, median ms, p95 ms) of GET /team as the busiest lieutenant and GET /agency as the chief."""
    app = create_app(settings, temporal_client=await Client.connect("127.0.0.1:1", lazy=True))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower
    rows = []
    for label, user_id, url in (("GET /team (lieutenant: 5 sergeants, 50 officers)", data.busiest_lieutenant_id,
                                 "/team"), ("GET /agency (command dashboard, chief)", data.chief_id, "/agency")):
        async with factory() as session, session.begin():
            token = start_session(session, user_id, "127.0.0.1")
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     cookies={cookie_name(settings): token}) as client:
            samples = []
            for i in range(repeat + 2):
                start = time.perf_counter()
                response = await client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                if i >= 2:  # two warm-ups
                    samples.append((time.perf_counter() - start) * 1000)
        rows.append((label, statistics.median(samples), _p95(samples)))
    await app.state.engine.dispose()
    return rows


async def _peaks(factory: async_sessionmaker[AsyncSession], agency_id: int) -> dict[str, float]:
    """Peak MB (tracemalloc) of the appendix by hand, the streamed CSV and the workbook of a whole agency."""
    async with factory() as session:
        report = await agency_report(session, agency_id, None, datetime.now().astimezone())
    sink = report_export.NullSink()

    async def by_hand() -> None:
        import csv

        async with factory() as session:
            writer = csv.writer(sink)
            async for row in await session.stream(report_export.RAW_APPENDIX.execution_options(yield_per=500)):
                writer.writerow(row)

    async def streamed_csv() -> None:
        async for chunk in csv_stream(factory, report):
            sink.write(chunk)

    peaks = {}
    with tempfile.TemporaryDirectory(prefix="muster-bench-export-") as folder:
        async def workbook() -> None:
            await write_export(factory, report, ExportFormat.XLSX, Path(folder) / "report.xlsx")

        actions: dict[str, Callable[[], Awaitable[None]]] = {"baseline": by_hand, "csv": streamed_csv,
                                                             "xlsx": workbook}
        for name, action in actions.items():
            peaks[name] = (await report_export.seconds_and_peak(action))[1]
    return peaks


async def export_peaks_two_sizes(factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                                 small_officers: int, admin: Callable[[str], Awaitable[None]], url: str
                                 ) -> dict[int, dict[str, float]]:
    """{officers: peaks} for the benchmark agency and for a separate agency of `small_officers`."""
    big = await _peaks(factory, data.agency_id)
    database = url.rsplit("/", 1)[1]
    await admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await admin(f'CREATE DATABASE "{database}"')
    try:
        report_export._migrate(url)
        engine = create_engine(url)
        await report_export.load_agency(engine, small_officers)
        small = await _peaks(create_session_factory(engine), 1)
        await engine.dispose()
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {small_officers: small, data.compliance.officers: big}

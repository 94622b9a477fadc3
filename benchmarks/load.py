"""Issue 14, target 2: an open-model load of the page mix on one portal process, stepped by arrival rate.

The generator sends each request at its scheduled time (a fixed arrival rate, whatever the server is doing)
and measures latency from that scheduled time, so time spent queued counts: a closed loop of N clients
would slow down with the server and hide it. The portal runs in one uvicorn process pinned to core 0
(benchmarks/servers.py); this process pins itself to core 1 while it generates (os.sched_setaffinity, the
call taskset makes) and reports its own CPU use per step, so a saturated generator would show. PostgreSQL
is not pinned and shares both cores. The pages go round in turn (benchmarks/page_cost.PAGES).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.page_cost import PAGES, Page
from benchmarks.servers import GENERATOR_CORE

TARGET_P99_MS = 100.0
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Step:
    rate: float  # requests per second offered
    sent: int
    completed: int  # answered 200 within the timeout
    errors: int  # any other answer, transport error or timeout
    p50_ms: float
    p99_ms: float
    max_lag_ms: float  # worst delay of a send behind its schedule (the generator's own lateness)
    generator_cpu: float  # share of one core this process used
    server_cpu: float  # share of one core the portal process used
    load_average: float  # the machine's 1-minute load average at the step's end (other work on it shows here)


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return math.inf
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux /proc/pid/stat), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_step(client: httpx.AsyncClient, cookies: dict[str, dict[str, str]], rate: float, seconds: float,
                   server_pid: int, pages: Sequence[Page] = PAGES) -> Step:
    """Offer `rate` requests/second for `seconds`, then wait for the stragglers (up to the timeout)."""
    count = max(1, int(rate * seconds))
    latencies: list[float] = []
    errors = 0
    max_lag = 0.0
    loop = asyncio.get_running_loop()

    async def fire(page: Page, scheduled: float) -> None:
        nonlocal errors
        try:
            response = await client.get(page.path, cookies=cookies[page.who])
            if response.status_code == 200:
                latencies.append((loop.time() - scheduled) * 1000)
            else:
                errors += 1
        except httpx.HTTPError:
            errors += 1

    cpu_before, server_before, wall_before = time.process_time(), cpu_seconds(server_pid), time.perf_counter()
    tasks = []
    start = loop.time() + 0.05
    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        max_lag = max(max_lag, loop.time() - scheduled)
        tasks.append(asyncio.create_task(fire(pages[i % len(pages)], scheduled)))
    done, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT)
    for task in pending:
        task.cancel()
    errors += len(pending)
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - wall_before
    return Step(rate=rate, sent=count, completed=len(latencies), errors=errors,
                p50_ms=_percentile(latencies, 0.5),
                p99_ms=_percentile(latencies + [math.inf] * errors, 0.99),
                max_lag_ms=max_lag * 1000, generator_cpu=(time.process_time() - cpu_before) / wall,
                server_cpu=(cpu_seconds(server_pid) - server_before) / wall, load_average=os.getloadavg()[0])


async def step_rates(url: str, server_pid: int, cookies: dict[str, dict[str, str]], rates: Sequence[float],
                     seconds: float) -> list[Step]:
    """Each rate in turn after a short warm-up; stops after the first step whose p99 passes one second
    (beyond that every step only queues more)."""
    previous = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if previous is not None and (os.cpu_count() or 1) > GENERATOR_CORE:
        os.sched_setaffinity(0, {GENERATOR_CORE})
    steps: list[Step] = []
    limits = httpx.Limits(max_connections=4_000, max_keepalive_connections=4_000)
    try:
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=REQUEST_TIMEOUT) as client:
            await run_step(client, cookies, 10, 2, server_pid)  # warm-up, not reported
            for rate in rates:
                steps.append(await run_step(client, cookies, rate, seconds, server_pid))
                await asyncio.sleep(2)  # let the server drain before the next step
                if steps[-1].p99_ms > 1_000:
                    break
    finally:
        if previous is not None:
            os.sched_setaffinity(0, previous)
    return steps


def crossing_rate(steps: Sequence[Step]) -> str:
    """Where p99 first passes the target: between the last step under it and the first over it."""
    under = [s.rate for s in steps if s.p99_ms <= TARGET_P99_MS]
    over = [s.rate for s in steps if s.p99_ms > TARGET_P99_MS]
    if not over:
        return f"not crossed up to {max(under):g}/s" if under else "no steps"
    first_over = min(over)
    below = [rate for rate in under if rate < first_over]
    return f"between {max(below):g}/s and {first_over:g}/s" if below else f"already at {first_over:g}/s"


def steps_table(steps: Sequence[Step]) -> list[str]:
    lines = ["| Offered req/s | Sent | OK | Errors/timeouts | p50 ms | p99 ms | Send lag max ms | "
             "Generator CPU (core 1) | Portal CPU (core 0) | Load avg |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in steps:
        lines.append(f"| {s.rate:g} | {s.sent:,} | {s.completed:,} | {s.errors:,} | {s.p50_ms:,.1f} | "
                     f"{s.p99_ms:,.1f} | {s.max_lag_ms:.1f} | {s.generator_cpu:.0%} | {s.server_cpu:.0%} | "
                     f"{s.load_average:.1f} |")
    return lines

"""A portal (or the bare baseline app) in a uvicorn process of its own, pinned to one core with taskset."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx

from settings import PROJECT_ROOT

SERVER_CORE = 0  # the portal under test; the load generator takes the other core (benchmarks/load.py)
GENERATOR_CORE = 1
PORTAL_FACTORY = "portal.app:create_app"
BARE_FACTORY = "benchmarks.bare_app:create_bare_app"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pinned(command: list[str], core: int) -> list[str]:
    """The command under `taskset -c core` when taskset exists and the machine has that core."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > core:
        return ["taskset", "-c", str(core), *command]
    return command


@contextlib.asynccontextmanager
async def uvicorn_server(factory: str, env: Mapping[str, str], core: int = SERVER_CORE,
                         ready_path: str = "/healthz") -> AsyncIterator[tuple[str, int]]:
    """(base URL, pid) of `uvicorn --factory factory`, one process, no access log, until the block ends."""
    port = free_port()
    command = pinned([sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
                      "--port", str(port), "--no-access-log", "--log-level", "warning"], core)
    # The portal's JSON request lines go nowhere: writing them is the portal's cost, reading them is not ours.
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env},  # noqa: S603, ASYNC220 (fixed argv; starting it does not block)
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(url + ready_path, process)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stderr is not None:
            process.stderr.close()


async def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"uvicorn exited ({process.returncode}): {error[-2000:]}")
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(url)).status_code < 500:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

"""`make run`: the whole embedded system in one terminal.

Migrates and seeds the SQLite database under var/, then supervises the Temporal dev server, the mail
catcher, the worker and the portal, prefixing each one's output with its name. Ctrl-C stops them
all; if one dies on its own, the others are stopped too and the exit status is non-zero.

`--skip worker --skip portal` leaves those out (to run one under a debugger, say).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seed.demo import DEMO_LOGINS, DEMO_MFA_SECRET, DEMO_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("MUSTER_VAR_DIR", ROOT / "var")).resolve()
HOST = "127.0.0.1"
TEMPORAL_PORT = 7233
TEMPORAL_UI_PORT = 8233
SMTP_PORT = 8025
PORTAL_PORT = 8000
PORTAL_URL = f"http://{HOST}:{PORTAL_PORT}"
# Prometheus metrics, each on a port of its own (README "Observability").
PORTAL_METRICS_PORT = 9464
WORKER_METRICS_PORT = 9465

STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Service:
    name: str
    command: list[str]
    ports: tuple[tuple[int, str], ...]  # (port, what uses it), checked before anything starts


def services() -> list[Service]:
    python = sys.executable
    temporal = str(Path(python).parent / "temporal")
    return [
        Service("temporal", [
            temporal, "server", "start-dev",
            "--db-filename", str(VAR / "temporal" / "dev.db"),  # workflows survive a restart
            "--ip", HOST, "--port", str(TEMPORAL_PORT), "--ui-port", str(TEMPORAL_UI_PORT),
            "--namespace", "default", "--log-level", "warn",
        ], ((TEMPORAL_PORT, "Temporal gRPC"), (TEMPORAL_UI_PORT, "Temporal UI"))),
        Service("mail", [
            python, "-m", "devtools.mailcatcher", "--host", HOST, "--port", str(SMTP_PORT),
            "--mailbox-dir", str(VAR / "mailbox"),
        ], ((SMTP_PORT, "mail catcher (SMTP)"),)),
        Service("worker", [python, "worker.py"], ((WORKER_METRICS_PORT, "worker metrics"),)),
        Service("portal", [
            python, "-m", "uvicorn", "--factory", "portal.app:create_app",
            "--host", HOST, "--port", str(PORTAL_PORT),
            "--no-access-log",  # the portal writes its own JSON line per request
        ], ((PORTAL_PORT, "portal (HTTP)"), (PORTAL_METRICS_PORT, "portal metrics"))),
    ]


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MUSTER_VAR_DIR": str(VAR),
        "MUSTER_DEV_MAILBOX_DIR": str(VAR / "mailbox"),
        "MUSTER_SMTP_HOST": HOST,
        "MUSTER_SMTP_PORT": str(SMTP_PORT),
        "MUSTER_SMTP_USERNAME": "",
        "MUSTER_SMTP_PASSWORD": "",
        "MUSTER_SMTP_STARTTLS": "false",
        "MUSTER_TEMPORAL_ADDRESS": f"{HOST}:{TEMPORAL_PORT}",
        "MUSTER_PUBLIC_URL": PORTAL_URL,
        "MUSTER_PORTAL_METRICS_ADDRESS": f"{HOST}:{PORTAL_METRICS_PORT}",
        "MUSTER_WORKER_METRICS_ADDRESS": f"{HOST}:{WORKER_METRICS_PORT}",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def prepare(env: dict[str, str]) -> None:
    """Directories, schema and demo data, before any long-running process starts."""
    for directory in (VAR, VAR / "temporal", VAR / "mailbox", VAR / "storage"):
        directory.mkdir(parents=True, exist_ok=True)
    _forget_workflows_of_a_deleted_database(env)
    for title, command in (
        ("Applying database migrations", [sys.executable, "-m", "alembic", "upgrade", "head"]),
        ("Seeding the demo agency", [sys.executable, "-m", "seed.demo"]),
    ):
        print(f"==> {title}", flush=True)
        # A fixed argument list of this script's own, no shell.
        if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode != 0:  # noqa: S603 # nosec B603
            raise SystemExit(f"make run: '{' '.join(command[1:])}' failed; see the output above.")


def _forget_workflows_of_a_deleted_database(env: dict[str, str]) -> None:
    """A fresh var/muster.db hands out request ids 1, 2, 3 again; the old Temporal history would then
    hold closed workflows with those very ids, and their starts would be taken as already done."""
    if "MUSTER_DATABASE_URL" in env or (VAR / "muster.db").exists():
        return
    stale = sorted((VAR / "temporal").glob("dev.db*"))
    if stale:
        print("==> New database: removing the Temporal history of the previous one", flush=True)
        for path in stale:
            path.unlink()


class Supervisor:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.children: dict[str, asyncio.subprocess.Process] = {}
        self.pumps: list[asyncio.Task[None]] = []
        self.stopping = asyncio.Event()
        self.width = max(len(service.name) for service in services())

    async def start(self, service: Service) -> None:
        # Its own process group: the terminal's Ctrl-C reaches only us, and we stop children in order.
        process = await asyncio.create_subprocess_exec(
            *service.command, cwd=ROOT, env=self.env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, process_group=0,
            limit=1 << 20,  # long log lines (tracebacks as JSON) must not break the pump
        )
        self.children[service.name] = process
        self.pumps.append(asyncio.create_task(self._pump(service.name, process)))

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        prefix = f"{name:<{self.width}} | "
        async for raw in process.stdout:
            sys.stdout.write(prefix + raw.decode(errors="replace").rstrip("\r\n") + "\n")
            sys.stdout.flush()

    async def wait_for_exit(self) -> tuple[str, int] | None:
        """Block until Ctrl-C (None) or until a child exits ((name, return code))."""
        waits = {asyncio.create_task(p.wait()): name for name, p in self.children.items()}
        stop = asyncio.create_task(self.stopping.wait())
        done, _ = await asyncio.wait([stop, *waits], return_when=asyncio.FIRST_COMPLETED)
        for task in [stop, *waits]:
            if task not in done:
                task.cancel()
        for task in done:
            if task in waits:
                return waits[task], task.result()
        return None

    async def wait_for_port(self, port: int, owner: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        while loop.time() < deadline:
            self._check_alive(owner)
            try:
                _, writer = await asyncio.open_connection(HOST, port)
            except OSError:
                await asyncio.sleep(0.25)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise StartupError(f"{owner} did not open port {port} within {STARTUP_TIMEOUT:.0f} s")

    async def wait_for_http(self, path: str, owner: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        while loop.time() < deadline:
            self._check_alive(owner)
            if await _http_ok(PORTAL_PORT, path):
                return
            await asyncio.sleep(0.5)
        raise StartupError(f"{owner} did not answer {path} within {STARTUP_TIMEOUT:.0f} s")

    def _check_alive(self, name: str) -> None:
        for child_name, process in self.children.items():
            if process.returncode is not None:
                raise StartupError(f"{child_name} exited with code {process.returncode} while {name} started")

    async def stop_all(self) -> None:
        """SIGTERM every child (newest first), wait, then SIGKILL whatever is left."""
        for name, process in reversed(self.children.items()):
            if process.returncode is None:
                print(f"==> stopping {name}", flush=True)
                _signal_group(process, signal.SIGTERM)
        for name, process in self.children.items():
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
            except TimeoutError:
                print(f"==> {name} did not stop within {STOP_TIMEOUT:.0f} s; killing it", flush=True)
                _signal_group(process, signal.SIGKILL)
                await process.wait()
        await asyncio.gather(*self.pumps, return_exceptions=True)


class StartupError(Exception):
    pass


def _signal_group(process: asyncio.subprocess.Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


async def _http_ok(port: int, path: str) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 2)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(f"GET {path} HTTP/1.0\r\nHost: {HOST}:{port}\r\n\r\n".encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        return status_line.split(b" ")[1:2] == [b"200"]
    except (OSError, TimeoutError, IndexError):
        return False
    finally:
        writer.close()


def banner(portal: bool) -> str:
    rule = "=" * 78
    lines = [rule, "Muster is running.", ""]
    if portal:
        lines += [f"  Portal          {PORTAL_URL}", f"  Dev mail        {PORTAL_URL}/dev/mail (administrators)"]
    lines += [f"  Temporal UI     http://{HOST}:{TEMPORAL_UI_PORT}", f"  SMTP catcher    {HOST}:{SMTP_PORT}"
              f" (messages in {VAR / 'mailbox'})"]
    if portal:
        lines += [f"  Metrics         http://{HOST}:{PORTAL_METRICS_PORT}/metrics (portal),"
                  f" http://{HOST}:{WORKER_METRICS_PORT}/metrics (worker)"]
    lines += ["  Traces          set MUSTER_OTLP_ENDPOINT (e.g. http://127.0.0.1:4318) before `make run`", ""]
    if portal:
        lines += [f"Demo logins (password for all: {DEMO_PASSWORD})", ""]
        lines += [f"  {'username':<12} {'role':<12} who"]
        lines += [f"  {login.username:<12} {login.role:<12} {login.who}" for login in DEMO_LOGINS]
        lines += ["", "  Everyone else on the roster signs in as first initial + last name (e.g. tnguyen)."]
        lines += ["", "  Coordinator, command and admin logins also ask for a 6-digit code. Add this DEMO-ONLY key",
                  f"  to an authenticator app (time-based, 30 s): {DEMO_MFA_SECRET}"]
    lines += ["", "Press Ctrl-C to stop everything.", rule]
    return "\n".join(lines)


async def supervise(skip: Sequence[str]) -> int:
    chosen = [service for service in services() if service.name not in skip]
    busy = [(port, what) for service in chosen for port, what in service.ports if port_in_use(port)]
    if busy:
        for port, what in busy:
            print(f"make run: port {port} ({what}) is already in use.", file=sys.stderr)
        print("Is another `make run` still running? Stop it, or free the port(s), and try again.",
              file=sys.stderr)
        return 2

    env = child_environment()
    prepare(env)
    supervisor = Supervisor(env)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, supervisor.stopping.set)

    by_name = {service.name: service for service in chosen}
    exit_code = 0
    try:
        for name in ("temporal", "mail"):
            if name in by_name:
                await supervisor.start(by_name[name])
        if "temporal" in by_name:
            await _interruptible(supervisor, supervisor.wait_for_port(TEMPORAL_PORT, "temporal"))
        for name in ("worker", "portal"):
            if name in by_name:
                await supervisor.start(by_name[name])
        if "portal" in by_name:
            await _interruptible(supervisor, supervisor.wait_for_http("/healthz", "portal"))
        elif "mail" in by_name:
            await _interruptible(supervisor, supervisor.wait_for_port(SMTP_PORT, "mail"))
        print(banner("portal" in by_name), flush=True)

        exited = await supervisor.wait_for_exit()
        if exited is not None:
            name, code = exited
            print(f"==> {name} exited unexpectedly (code {code}); stopping everything.", file=sys.stderr)
            exit_code = 1
    except StartupError as error:
        print(f"==> {error}; stopping everything.", file=sys.stderr)
        exit_code = 1
    except _Interrupted:
        pass
    finally:
        await supervisor.stop_all()
    print("==> all stopped.", flush=True)
    return exit_code


class _Interrupted(Exception):
    pass


async def _interruptible(supervisor: Supervisor, waiting: Coroutine[Any, Any, None]) -> None:
    """Run a startup wait, but give up at once on Ctrl-C."""
    task = asyncio.create_task(waiting)
    stop = asyncio.create_task(supervisor.stopping.wait())
    done, _ = await asyncio.wait([task, stop], return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        stop.cancel()
        task.result()
        return
    task.cancel()
    raise _Interrupted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Muster's embedded development stack.")
    parser.add_argument("--skip", action="append", default=[], choices=[s.name for s in services()],
                        help="do not start this process (repeatable)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    try:
        return asyncio.run(supervise(args.skip))
    except KeyboardInterrupt:  # Ctrl-C during migrations or seeding, before the handlers are installed
        return 130


if __name__ == "__main__":
    sys.exit(main())

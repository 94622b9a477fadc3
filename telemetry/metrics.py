"""The portal's Prometheus metrics, served on a port of their own (MUSTER_PORTAL_METRICS_ADDRESS).

With several portal processes (`python -m portal.serve`), PROMETHEUS_MULTIPROC_DIR is set before they
start: each process writes its samples to files there and whichever process holds the metrics port
adds them all up on every scrape (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess, start_http_server
from prometheus_client.registry import REGISTRY
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

# Route patterns ("/requests/{request_id:int}"), never raw paths: one series per route, not per record.
REQUESTS = Counter("muster_http_requests", "Portal HTTP responses sent, by route pattern and status code.",
                   ["method", "route", "status"])
LATENCY = Histogram("muster_http_request_duration_seconds",
                    "Time from a request's arrival to its last response byte, by route pattern.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
IN_FLIGHT = Gauge("muster_http_requests_in_flight", "Portal requests being handled now.",
                  multiprocess_mode="livesum")
POOL_IN_USE = Gauge("muster_db_pool_connections_in_use",
                    "Database connections checked out of the portal's pools now.", multiprocess_mode="livesum")
POOL_LIMIT = Gauge("muster_db_pool_connections_limit",
                   "Most connections the portal's pools may open (pool size plus overflow, all processes).",
                   multiprocess_mode="livesum")

EXPORTED = ("muster_http_requests_total", "muster_http_request_duration_seconds", "muster_http_requests_in_flight",
            "muster_db_pool_connections_in_use", "muster_db_pool_connections_limit")


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    return Path(value) if value else None


def registry() -> CollectorRegistry:
    """What a scrape sees: this process's metrics, or every portal process's when they share a directory."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    combined = CollectorRegistry()
    multiprocess.MultiProcessCollector(combined, path=str(directory))
    return combined


def watch_pool(engine: AsyncEngine) -> None:
    """Count the engine's checked-out connections as they come and go (SQLAlchemy pool events)."""
    pool = engine.sync_engine.pool
    size = getattr(pool, "size", None)
    if callable(size):
        # The pool's own ceiling: pool_size + max_overflow (models/database.py).
        POOL_LIMIT.set(size() + max(getattr(pool, "_max_overflow", 0), 0))
    event.listen(engine.sync_engine, "checkout", _checked_out)
    event.listen(engine.sync_engine, "checkin", _checked_in)


def _checked_out(*_: Any) -> None:
    POOL_IN_USE.inc()


def _checked_in(*_: Any) -> None:
    POOL_IN_USE.dec()


def serve(address: str) -> bool:
    """Listen for scrapes on host:port; False when another portal process of this machine already does."""
    global _serving
    if _serving == address:  # a second app in this process (tests, reloads) shares the one listener
        return True
    host, _, port = address.rpartition(":")
    directory = multiprocess_dir()
    if directory is not None:
        _forget_dead_processes(directory)
    try:
        start_http_server(int(port), addr=host.strip("[]"), registry=registry())
    except OSError:
        if directory is None:
            raise
        log.info("portal metrics on %s are served by another portal process", address)
        return False
    _serving = address
    log.info("portal metrics on http://%s/metrics", address)
    return True


_serving: str | None = None
_LIVE_FILE = re.compile(r"gauge_live\w+_(\d+)\.db")


def _forget_dead_processes(directory: Path) -> None:
    """Drop the in-flight and pool gauges of portal processes that died (uvicorn restarts them)."""
    for path in directory.glob("gauge_live*.db"):
        match = _LIVE_FILE.fullmatch(path.name)
        if match and not _alive(int(match.group(1))):
            multiprocess.mark_process_dead(int(match.group(1)), str(directory))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

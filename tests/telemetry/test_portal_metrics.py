"""The portal's Prometheus metrics: per route pattern, on a port of their own, added up over processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import REGISTRY

from portal.app import create_app
from settings import PROJECT_ROOT
from telemetry import metrics
from tests.portal.conftest import Browser, sign_in
from tests.telemetry.conftest import free_port


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def exposed_families(port: int) -> set[str]:
    """Metric family names exactly as the endpoint writes them (what PromQL queries name)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:  # noqa: S310
        return {line.split()[2] for line in response.read().decode().splitlines() if line.startswith("# TYPE ")}


def _scrape(port: int) -> dict[tuple[str, frozenset], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:  # noqa: S310
        text = response.read().decode()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def test_requests_are_counted_per_route_pattern_and_served_on_the_metrics_port(
    unreachable_temporal, settings, demo_org
):
    port = free_port()
    measured = replace(settings, portal_metrics_address=f"127.0.0.1:{port}")
    app = create_app(measured, temporal_client=unreachable_temporal)
    route = "/requests/{request_id}"
    before = sum(_sample("muster_http_requests_total", method="GET", route=route, status=status)
                 for status in ("200", "403", "404"))
    unmatched_before = _sample("muster_http_requests_total", method="GET", route="unmatched", status="404")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local") as client:
        officer = Browser(client)
        await sign_in(app, officer, "officer1")
        for request_id in (101, 102):  # two records, one route: one series
            await officer.get(f"/requests/{request_id}")
        await officer.get("/nowhere")
        for hook in app.on_startup[1:]:  # the metrics port opens at startup (the first hook connects Temporal)
            await hook(app)
    await app.state.engine.dispose()

    scraped = _scrape(port)
    counted = sum(value for (name, labels), value in scraped.items()
                  if name == "muster_http_requests_total" and ("route", route) in labels)
    assert counted - before == 2
    assert not any(("route", "/requests/101") in labels for _, labels in scraped)
    sample_names = {name for name, _ in scraped}
    assert all(name in sample_names or f"{name}_bucket" in sample_names for name in metrics.EXPORTED)
    assert _sample("muster_http_requests_total", method="GET", route="unmatched", status="404") == unmatched_before + 1
    assert _sample("muster_http_request_duration_seconds_count", method="GET", route=route) >= 2
    assert _sample("muster_http_requests_in_flight") == 0
    assert _sample("muster_db_pool_connections_in_use") == 0  # every connection went back
    assert _sample("muster_db_pool_connections_limit") >= 1


def test_several_portal_processes_report_one_sum(tmp_path: Path):
    http_port, metrics_port = free_port(), free_port()
    env = {**os.environ, "MUSTER_VAR_DIR": str(tmp_path), "MUSTER_PORTAL_PROCESSES": "2",
           "MUSTER_PORTAL_METRICS_ADDRESS": f"127.0.0.1:{metrics_port}",
           "MUSTER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'muster.db'}"}
    env.pop(metrics.MULTIPROCESS_DIR_VARIABLE, None)
    portal = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "portal.serve", "--host", "127.0.0.1", "--port", str(http_port)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_serving(http_port, portal)
        for _ in range(6):
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/healthz", timeout=5) as response:  # noqa: S310
                assert response.status == 200
        scraped = _scrape(metrics_port)
        health = frozenset({"method": "GET", "route": "/healthz", "status": "200"}.items())
        assert scraped[("muster_http_requests_total", health)] == 7  # the first answer of the wait, then six
        # Each process keeps its in-flight gauge in a file of its own from the start; the sum spans both.
        processes = {path.name for path in (tmp_path / "portal-metrics").glob("gauge_livesum_*.db")}
        assert len(processes) == 2
    finally:
        portal.send_signal(signal.SIGTERM)
        portal.wait(timeout=30)


def _wait_until_serving(port: int, portal: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert portal.poll() is None, "the portal exited"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the portal did not answer /healthz within 60 s")

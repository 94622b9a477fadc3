"""The portal in production: `python -m portal.serve`, MUSTER_PORTAL_PROCESSES uvicorn processes (default one per core).

One Python process uses one core; uvicorn's supervisor starts the others and restarts any that dies.
When metrics are on, the processes share a fresh PROMETHEUS_MULTIPROC_DIR (telemetry/metrics.py).
"""

from __future__ import annotations

import argparse
import os
import shutil

import uvicorn

from settings import get_settings
from telemetry.metrics import MULTIPROCESS_DIR_VARIABLE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Muster portal with several processes.")
    parser.add_argument("--host", default="127.0.0.1", help="the container passes 0.0.0.0 (docker-compose.yml)")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    settings = get_settings()  # a bad configuration stops here, once, not in every process
    if settings.portal_metrics_address and settings.portal_processes > 1:
        directory = settings.var_dir / "portal-metrics"
        # Samples of an earlier run would be added to this one's.
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        os.environ[MULTIPROCESS_DIR_VARIABLE] = str(directory)
    uvicorn.run("portal.app:create_app", factory=True, host=args.host, port=args.port,
                workers=settings.portal_processes, proxy_headers=True,
                access_log=False)  # each request's JSON line (telemetry/http.py) replaces uvicorn's


if __name__ == "__main__":
    main()

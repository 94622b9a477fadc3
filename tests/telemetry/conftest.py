"""Telemetry fixtures: the portal's app and browsers (tests/portal), and free local ports."""

from __future__ import annotations

import socket

from tests.portal.conftest import app, browsers, make_app, unreachable_temporal

__all__ = ["app", "browsers", "free_port", "make_app", "unreachable_temporal"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

"""Capture the JSON lines a logger writes, parsed, while a test runs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telemetry.structured_logs import JsonFormatter


@contextmanager
def json_lines(logger: logging.Logger) -> Iterator[list[dict[str, Any]]]:
    """Every line `logger` writes inside the block, as the JSON objects production writes to stdout."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    lines: list[dict[str, Any]] = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())

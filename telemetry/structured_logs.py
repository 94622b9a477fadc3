"""One JSON object per log line, so an incident can be followed by request id, user id and workflow id."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

REQUESTS = logging.getLogger("muster.requests")
ACTIVITIES = logging.getLogger("muster.activities")
_FIELDS = "muster_fields"


class JsonFormatter(logging.Formatter):
    """Renders a record as one JSON object: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, _FIELDS, {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def log_fields(logger: logging.Logger, message: str, fields: dict[str, Any], level: int = logging.INFO) -> None:
    """Log `message` with `fields` as top-level keys of the JSON line; callers pass ids, never names."""
    logger.log(level, message, extra={_FIELDS: fields})


def current_trace_id() -> str | None:
    """The active trace's id as 32 hex digits, or None when nothing is being traced."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def send_to_stdout(*loggers: logging.Logger) -> None:
    """Write these loggers' INFO lines as JSON to stdout (once each, however often it is called)."""
    for logger in loggers:
        if any(isinstance(handler.formatter, JsonFormatter) for handler in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        # Our own handler writes the line; the root's (uvicorn's or none) would write it twice.
        logger.propagate = False


def configure_json_root(level: int = logging.INFO) -> None:
    """Every log line of this process as JSON on stdout (the worker's logging setup)."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)

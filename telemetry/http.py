"""Around every portal request: a request id, one JSON log line, metrics and (when tracing) a server span."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from time import perf_counter
from typing import Any, cast

from litestar import Litestar
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from telemetry import metrics
from telemetry.structured_logs import REQUESTS, current_trace_id, log_fields, send_to_stdout
from telemetry.tracing import shut_down, tracer_for

REQUEST_ID_HEADER = "x-request-id"
# A proxy's or load balancer's id is kept when it is plainly an id; anything else could forge log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
UNMATCHED = "unmatched"  # requests no route answers (404, 405): one series for all of them


def request_id_from(scope: Scope) -> str:
    """The caller's X-Request-ID when sane, else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestTelemetry:
    """ASGI wrapper around the whole portal, routing included, so every response is counted."""

    def __init__(self, app: ASGIApp, *, tracer: Tracer | None, measure: bool) -> None:
        self.app = app
        self.tracer = tracer
        self.measure = measure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        status = 500  # what the client gets when nothing was sent

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        started = perf_counter()
        if self.measure:
            metrics.IN_FLIGHT.inc()
        try:
            async with self._span(cast(HTTPScope, scope)) as finish:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    route = scope.get("path_template") or UNMATCHED
                    finish(route, status)
                    self._record(cast(HTTPScope, scope), route, status, perf_counter() - started, request_id)
        finally:
            if self.measure:
                metrics.IN_FLIGHT.dec()

    @asynccontextmanager
    async def _span(self, scope: HTTPScope) -> AsyncIterator[Any]:
        """A server span named "METHOD /route/{pattern}" once routing has found the pattern."""
        method = scope["method"]
        if self.tracer is None:
            yield lambda route, status: None
            return
        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        with self.tracer.start_as_current_span(method, context=propagate.extract(carrier), kind=SpanKind.SERVER,
                                               attributes={"http.request.method": method}) as span:
            def finish(route: str, status: int) -> None:
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))

            yield finish

    def _record(self, scope: HTTPScope, route: str, status: int, seconds: float, request_id: str) -> None:
        method = scope["method"]
        if self.measure:
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(seconds)
        user = scope.get("user")
        fields: dict[str, Any] = {
            "event": "request", "method": method, "route": route, "status": status,
            "duration_ms": round(seconds * 1000, 1), "request_id": request_id,
            # The account id only: names, usernames and record contents never reach the logs.
            "user_id": getattr(user, "id", None),
        }
        trace_id = current_trace_id()
        if trace_id:
            fields["trace_id"] = trace_id
        log_fields(REQUESTS, "request", fields)


def instrument(app: Litestar) -> Litestar:
    """Wrap the portal in RequestTelemetry and, at startup, open the metrics port and the JSON request log."""
    settings = app.state.settings
    measure = bool(settings.portal_metrics_address)
    if measure:
        metrics.watch_pool(app.state.engine)
    app.asgi_handler = RequestTelemetry(app.asgi_handler, tracer=tracer_for(settings, "muster-portal"),
                                        measure=measure)

    async def start(_: Litestar) -> None:
        send_to_stdout(REQUESTS)
        if measure:
            metrics.serve(settings.portal_metrics_address)

    async def stop(_: Litestar) -> None:
        shut_down(settings, "muster-portal")

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
    return app

"""OpenTelemetry traces over OTLP/HTTP: from the portal's request through Temporal into workflows and activities.

Off unless MUSTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT) is set; then the portal's Temporal client
and the worker carry `MusterTracingInterceptor`, and the portal opens one server span per request.
No global tracer provider is installed: each endpoint gets a provider of its own, passed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import opentelemetry.context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Tracer
from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.client import Interceptor as ClientInterceptor
from temporalio.contrib.opentelemetry import TracingInterceptor, TracingWorkflowInboundInterceptor
from temporalio.worker import HandleUpdateInput, WorkflowInboundInterceptor, WorkflowInterceptorClassInput

from settings import Settings

SERVICE_NAMESPACE = "muster"


_providers: dict[tuple[str, str], TracerProvider] = {}


def tracer_provider(endpoint: str, service: str) -> TracerProvider:
    """One provider per process and destination; spans leave in batches from a background thread."""
    key = (endpoint, service)
    if key not in _providers:
        provider = TracerProvider(resource=Resource.create({"service.name": service,
                                                            "service.namespace": SERVICE_NAMESPACE}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
        _providers[key] = provider
    return _providers[key]


def tracer_for(settings: Settings, service: str) -> Tracer | None:
    """The tracer a process uses, or None when tracing is off (then nothing is created per request)."""
    if not settings.otlp_endpoint:
        return None
    return tracer_provider(settings.otlp_endpoint, service).get_tracer("muster")


def flush(settings: Settings, service: str, timeout_millis: int = 10_000) -> bool:
    """Send every finished span now."""
    provider = _providers.get((settings.otlp_endpoint, service))
    return provider is None or provider.force_flush(timeout_millis)


def shut_down(settings: Settings, service: str) -> None:
    """Send what is left and stop exporting (at process exit, so the last spans are not lost)."""
    provider = _providers.pop((settings.otlp_endpoint, service), None)
    if provider is not None:
        provider.shutdown()


def client_interceptors(settings: Settings, service: str) -> list[ClientInterceptor]:
    """Interceptors for a Temporal client; a worker built on that client inherits them."""
    tracer = tracer_for(settings, service)
    return [] if tracer is None else [MusterTracingInterceptor(tracer)]


class MusterTracingInterceptor(TracingInterceptor):
    """The SDK's tracing interceptor, with an Update's work traced under the request that sent it.

    The SDK puts an Update's handler span in the trace of the workflow's start (the officer's submission,
    days earlier) with only a link to the caller. Muster's workflows run a decision's activities from the
    main loop while the Update waits for them, so a sergeant's click would leave no trace of its own.
    """

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[TracingWorkflowInboundInterceptor]:
        super().workflow_interceptor_class(input)  # registers the extern function that creates spans
        return _UpdateTracingWorkflowInterceptor


class _UpdateTracingWorkflowInterceptor(TracingWorkflowInboundInterceptor):
    """Handles each Update under its caller's trace; work the workflow starts meanwhile joins that trace."""

    def __init__(self, next: WorkflowInboundInterceptor) -> None:
        super().__init__(next)
        # Trace carriers of the Updates being handled, oldest first. Muster's workflows take inputs one
        # at a time in arrival order, so activities started now serve the oldest one.
        self._updates: list[dict[str, str]] = []

    def _update_carrier(self, headers: Mapping[str, Payload]) -> dict[str, str] | None:
        header = headers.get(self.header_key)
        if not header:
            return None
        carrier = self.payload_converter.from_payloads([header])[0]
        return carrier if isinstance(carrier, dict) and carrier else None

    @contextmanager
    def _under(self, carrier: dict[str, str]) -> Iterator[None]:
        context = self._set_on_context(self.text_map_propagator.extract(carrier))
        token = opentelemetry.context.attach(context)
        try:
            yield
        finally:
            opentelemetry.context.detach(token)

    def handle_update_validator(self, input: HandleUpdateInput) -> None:
        carrier = self._update_carrier(input.headers)
        if carrier is None:
            return super().handle_update_validator(input)
        with self._under(carrier):
            self._completed_span(f"ValidateUpdate:{input.update}", kind=SpanKind.SERVER,
                                 link_context_carrier=self._load_workflow_context_carrier())
            WorkflowInboundInterceptor.handle_update_validator(self, input)
        return None

    async def handle_update_handler(self, input: HandleUpdateInput) -> Any:
        carrier = self._update_carrier(input.headers)
        if carrier is None:
            return await super().handle_update_handler(input)
        self._updates.append(carrier)
        try:
            with self._under(carrier):
                self._completed_span(f"HandleUpdate:{input.update}", kind=SpanKind.SERVER,
                                     link_context_carrier=self._load_workflow_context_carrier())
                return await WorkflowInboundInterceptor.handle_update_handler(self, input)
        finally:
            self._updates.remove(carrier)

    def _completed_span(self, span_name: str, **options: Any) -> None:  # type: ignore[override]
        outbound = any(options.get(key) is not None
                       for key in ("add_to_outbound", "add_to_outbound_str", "add_to_outbound_model"))
        if outbound and self._updates and not workflow.unsafe.is_replaying():
            with self._under(self._updates[0]):
                super()._completed_span(span_name, **options)
            return
        super()._completed_span(span_name, **options)


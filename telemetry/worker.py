"""The worker's telemetry: the Temporal SDK's Prometheus endpoint, a JSON line per activity attempt,
and two queue gauges from the database (escalations and outbox messages waiting).
"""

from __future__ import annotations

import asyncio
import logging
from time import perf_counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from models.outbox import OutboxMessage
from models.training_requests import RequestStatus, TrainingRequest
from settings import Settings
from telemetry.structured_logs import ACTIVITIES, current_trace_id, log_fields

log = logging.getLogger(__name__)

# The SDK metrics the README's alerts and the Grafana dashboard use (names as PrometheusConfig below writes them).
SDK_METRICS = (
    "temporal_workflow_task_schedule_to_start_latency",
    "temporal_workflow_task_execution_latency",
    "temporal_activity_schedule_to_start_latency",
    "temporal_activity_execution_latency",
    "temporal_activity_execution_failed_total",
    "temporal_sticky_cache_hit_total",
    "temporal_sticky_cache_size",
    "temporal_worker_task_slots_available",
)
ESCALATIONS_WAITING = "muster_escalations_waiting"
OUTBOX_WAITING = "muster_outbox_waiting"
GAUGE_SECONDS = 30.0


def runtime_for(settings: Settings) -> Runtime | None:
    """A Temporal runtime serving the SDK's metrics on MUSTER_WORKER_METRICS_ADDRESS, or None when unset."""
    if not settings.worker_metrics_address:
        return None
    # Seconds and `_total` counters, like the portal's metrics, so one dashboard reads both the same way.
    return Runtime(telemetry=TelemetryConfig(
        metrics=PrometheusConfig(bind_address=settings.worker_metrics_address, durations_as_seconds=True,
                                 counters_total_suffix=True)))


class ActivityAttemptLog(Interceptor):
    """One JSON line per activity attempt: type, attempt, workflow id, outcome, duration (never arguments)."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _AttemptLogger(next)


class _AttemptLogger(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        started = perf_counter()
        outcome, error_type = "completed", None
        try:
            return await super().execute_activity(input)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except BaseException as error:
            # The type only: messages can quote names or record contents.
            outcome, error_type = "failed", type(error).__name__
            raise
        finally:
            info = activity.info()
            fields: dict[str, Any] = {
                "event": "activity", "activity_type": info.activity_type, "attempt": info.attempt,
                "workflow_id": info.workflow_id, "workflow_type": info.workflow_type, "outcome": outcome,
                "duration_ms": round((perf_counter() - started) * 1000, 1),
            }
            if error_type:
                fields["error_type"] = error_type
            trace_id = current_trace_id()
            if trace_id:
                fields["trace_id"] = trace_id
            log_fields(ACTIVITIES, "activity attempt", fields,
                       logging.WARNING if outcome == "failed" else logging.INFO)


async def count_waiting(session_factory: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    """Training requests in the coordinators' escalation queue, and outbox messages not yet delivered."""
    async with session_factory() as session:
        escalated = await session.scalar(
            select(func.count()).select_from(TrainingRequest).where(TrainingRequest.status == RequestStatus.ESCALATED))
        outbox = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dispatched_at.is_(None)))
    return int(escalated or 0), int(outbox or 0)


async def publish_queue_gauges(runtime: Runtime, session_factory: async_sessionmaker[AsyncSession],
                               every: float = GAUGE_SECONDS) -> None:
    """Set the queue gauges on the SDK's endpoint every `every` seconds (every worker does; use max())."""
    meter = runtime.metric_meter
    escalations = meter.create_gauge(ESCALATIONS_WAITING, "Training requests waiting in the escalation queue.")
    outbox = meter.create_gauge(OUTBOX_WAITING, "Workflow starts and Updates saved but not yet delivered.")
    while True:
        try:
            waiting_escalations, waiting_outbox = await count_waiting(session_factory)
        except Exception:  # the database is away for a moment: keep the last values, try again
            log.warning("could not count waiting escalations and outbox messages", exc_info=True)
        else:
            escalations.set(waiting_escalations)
            outbox.set(waiting_outbox)
        await asyncio.sleep(every)

"""Metrics, traces and structured logs for the portal and the worker (README "Observability").

Everything here is off unless configured (MUSTER_PORTAL_METRICS_ADDRESS, MUSTER_WORKER_METRICS_ADDRESS,
MUSTER_OTLP_ENDPOINT), except the JSON log lines, which cost one line per request or activity attempt.
"""

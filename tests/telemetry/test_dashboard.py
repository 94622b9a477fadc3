"""The Grafana dashboard in deploy/grafana queries only metrics Muster exports."""

from __future__ import annotations

import json
import re

from settings import PROJECT_ROOT
from telemetry.metrics import EXPORTED
from telemetry.worker import ESCALATIONS_WAITING, OUTBOX_WAITING, SDK_METRICS

DASHBOARD = PROJECT_ROOT / "deploy" / "grafana" / "muster.json"
PROMQL_WORDS = {"sum", "by", "rate", "increase", "histogram_quantile", "max", "min", "le", "route", "status",
                "activity_type", "worker_type"}


def queried_metrics(expression: str) -> set[str]:
    """Metric names in a PromQL expression (label matchers and ranges removed), histogram suffixes dropped."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expression)
    names = set(re.findall(r"[a-z_][a-z0-9_]*", bare)) - PROMQL_WORDS
    return {re.sub(r"_(bucket|sum|count)$", "", name) if name.endswith(("_bucket", "_count")) else name
            for name in names}


def test_dashboard_is_json_and_every_query_names_an_exported_metric():
    dashboard = json.loads(DASHBOARD.read_text())
    exported = {*EXPORTED, *SDK_METRICS, ESCALATIONS_WAITING, OUTBOX_WAITING}
    queried: set[str] = set()
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            queried |= queried_metrics(target["expr"])
    assert queried and queried <= exported, queried - exported
    # Every alert the README suggests has its panel.
    assert {"temporal_workflow_task_schedule_to_start_latency", "temporal_activity_execution_failed_total",
            ESCALATIONS_WAITING, "muster_db_pool_connections_in_use"} <= queried

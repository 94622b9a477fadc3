"""What a state board's Temporal cluster needs, worked out from the workflow-scale measurements."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.workflow_scale import KindResult

STATE_OFFICERS = 120_000
STORM_MINUTES = 15  # how long an agency-wide recompute may take before dashboards look stale
CACHE_DEFAULT = 1_000  # the SDK's max_cached_workflows, which worker.py leaves as it is


def sizing_lines(real: KindResult, noop: KindResult, officers: int = STATE_OFFICERS) -> list[str]:
    """The arithmetic, each figure from a row above; the guidance in brackets is Temporal's, not measured."""
    cpu_ms = 1000 * real.storm_cpu_seconds / real.workflows
    noop_ms = 1000 * noop.storm_cpu_seconds / noop.workflows
    cores = officers * cpu_ms / 1000 / (STORM_MINUTES * 60)
    one_worker_minutes = officers / real.storm_rate / 60
    per_cached_kb = 1024 * max(0.0, real.started_rss_mb - real.idle_rss_mb) / min(real.workflows, CACHE_DEFAULT)
    all_cached_gb = officers * per_cached_kb / 1024 / 1024
    wakes = officers / (STORM_MINUTES * 60)
    return [
        "", f"### What {officers:,} officers need from a production Temporal cluster", "",
        f"- **Workers.** A recompute storm cost the worker {cpu_ms:.1f} ms of CPU per officer, of which the no-op "
        f"cycle's {noop_ms:.1f} ms is the SDK's own work (signal, workflow task, replay of workflows evicted from "
        "the cache, activity dispatch) and the rest the evaluation and its database writes. "
        f"{officers:,} officers are {officers * cpu_ms / 1000 / 60:.0f} CPU-minutes: one worker process at the "
        f"measured {real.storm_rate:.0f} re-evaluations/s takes {one_worker_minutes:.0f} min, and finishing within "
        f"{STORM_MINUTES} min needs about {cores:.1f} busy cores of workers (so {max(2, round(cores * 1.5 + 0.5))} "
        "worker processes with headroom, one per core), each with its own PostgreSQL pool. Workflow tasks and "
        "CPU-bound async activities share one process and its GIL: when it is starved, workflow tasks pass 5 s and "
        "the SDK's deadlock detector fires (seen in this run), so give workers CPU headroom.",
        f"- **Worker memory.** About {per_cached_kb:.0f} KB per cached workflow (RSS with the cache full over idle). "
        f"The default cache holds {CACHE_DEFAULT:,}; keeping all {officers:,} cached would take "
        f"{all_cached_gb:.1f} GB across the workers. Without it each woken workflow's history is fetched and "
        "replayed (cheap: the history stays short, see below), so a cache of a few thousand per worker is enough.",
        f"- **History and persistence.** {real.history_events} events per workflow after start and one recompute; "
        "the workflow continues as new at each cycle end and when Temporal suggests it, so histories stay small. "
        f"A storm finished in {STORM_MINUTES} min is {wakes:.0f} wakes/s, each a signal, a workflow task, an "
        "activity and a timer (roughly 6 history events and a handful of persistence writes): about "
        f"{wakes * 6:,.0f} events/s at the peak, and next to nothing between storms (one timer per officer per "
        "reminder). A PostgreSQL 13+ persistence store of its own (not Muster's database), with SQL visibility on "
        "it, carries that; Cassandra is not needed at this size.",
        f"- **History shards.** Fixed when the cluster is created. {officers:,} workflows over 512 shards is "
        f"{officers // 512} per shard, and a storm {wakes / 512:.2f} wakes/s per shard, far below what one shard "
        "sustains; 512 leaves room for growth (the dev server runs one shard on SQLite: its rates above are not "
        "a production cluster's).",
        "- **Services.** Frontend, history and matching at two replicas each for availability; one history "
        "host holds all 512 shards' load at this size.",
    ]

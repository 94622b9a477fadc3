"""Inputs and results at the daily compliance refresh's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass

COMPLIANCE_REFRESH_WORKFLOW = "ComplianceRefresh"
COMPLIANCE_REFRESH_SCHEDULE_ID = "muster-compliance-refresh"
# People evaluated and stored per activity call: one keyset page of the person table.
BATCH_SIZE = 500


@dataclass
class ComplianceRefreshInput:
    """Empty when the Schedule starts it; carried across continue-as-new otherwise."""

    on: str | None = None  # ISO date to evaluate on; None: the UTC date the run starts
    after_officer_id: int = 0  # the last person id already refreshed
    batch_size: int = BATCH_SIZE
    batches: int = 0  # activity calls so far, across continue-as-new
    # ISO instant (UTC) whose agency dates are evaluated and snapshotted, each agency on its own date; the
    # run sets it to its start when `on` is None. None with `on` given: everyone on `on`.
    at: str | None = None


@dataclass
class RefreshBatch:
    on: str  # ISO date
    after_officer_id: int
    limit: int
    at: str | None = None  # ISO instant: each person evaluated on their agency's date then, not on `on`


@dataclass
class RefreshBatchResult:
    next_after_officer_id: int | None  # None once every person has been refreshed


@dataclass
class SnapshotDay:
    day: str  # ISO date
    at: str | None = None  # ISO instant: each agency's snapshot dated by its own date then, not `day`


@dataclass
class SnapshotCounts:
    counts: int  # compliance_snapshot rows written for the day (agencies and units)
    topics: int  # compliance_gap_snapshot rows written for the day


@dataclass
class ComplianceRefreshResult:
    on: str
    batches: int
    snapshot: SnapshotCounts

"""Inputs and results at the agency-recompute workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass

AGENCY_RECOMPUTE_WORKFLOW = "AgencyRecompute"
# Officers signalled per activity call: one keyset page of the roster.
PAGE_SIZE = 500


def agency_recompute_workflow_id(agency_id: int, change_key: str, prefix: str = "") -> str:
    """One run per change (e.g. "add-12", "retire-12"), so a retried outbox start is the same run."""
    return f"{prefix}agency-recompute-{agency_id}-{change_key}"


@dataclass
class AgencyRecomputeInput:
    """The run argument, carried across continue-as-new: where the roster walk has got to."""

    agency_id: int
    after_id: int = 0  # the last officer id already signalled
    signalled: int = 0
    page_size: int = PAGE_SIZE


@dataclass
class RecomputePage:
    agency_id: int
    after_id: int
    limit: int


@dataclass
class RecomputePageResult:
    next_after_id: int | None  # None once the roster is done
    signalled: int  # officers whose running licensing-cycle workflow got the signal
    not_running: int  # officers with no running workflow (they evaluate fresh when it starts)

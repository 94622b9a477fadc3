"""Inputs at the officer-recompute workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass, field

OFFICER_RECOMPUTE_WORKFLOW = "OfficerRecompute"
# Officers signalled per activity call.
PAGE_SIZE = 500


def officer_recompute_workflow_id(change_key: str, prefix: str = "") -> str:
    """One run per change (e.g. "bulk-3f9a1c2e7b"), so a retried outbox start is the same run."""
    return f"{prefix}officer-recompute-{change_key}"


@dataclass
class OfficerRecomputeInput:
    officer_ids: list[int] = field(default_factory=list)


@dataclass
class OfficerList:
    officer_ids: list[int] = field(default_factory=list)

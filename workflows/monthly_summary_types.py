"""Inputs and results at the monthly summary's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MONTHLY_SUMMARY_WORKFLOW = "MonthlySummary"
MONTHLY_SUMMARY_SCHEDULE_ID = "muster-monthly-summary"
# Agencies summarised per activity call; each costs a few statements whatever its size.
BATCH_SIZE = 50


@dataclass
class MonthlySummaryInput:
    """Empty when the Schedule starts it; carried across continue-as-new otherwise."""

    month: str | None = None  # "2026-11", the month summarised; None: the month before the run's start
    as_of: str | None = None  # ISO instant the figures are as of; None: the run's start
    after_agency_id: int = 0  # the last agency already summarised
    batch_size: int = BATCH_SIZE
    summaries: int = 0  # summaries mailed so far, across continue-as-new


@dataclass
class SummaryBatch:
    month: str  # "YYYY-MM"
    as_of: str  # ISO instant, UTC
    after_agency_id: int
    limit: int


@dataclass
class SummaryBatchResult:
    notification_ids: list[int]  # the batch's summaries still to mail (new, or unsent by an earlier run)
    next_after_agency_id: int | None  # None once every agency has been summarised


def month_before(day: date) -> str:
    """The month that ended before `day`'s month began, as "YYYY-MM" (the Schedule runs on the 1st)."""
    months = day.year * 12 + day.month - 2
    return f"{months // 12}-{months % 12 + 1:02d}"

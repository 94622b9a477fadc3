"""Inputs and results at the record-report workflow's boundary (portal, activities, tests).

Plain dataclasses only: this module is imported inside the workflow sandbox. A correction travels as
the strings of the coordinator's validated form ("7.5", "2026-03-01"), so no float ever touches hours
or credits and the activity can validate it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workflows.business_days_types import BusinessCalendar

RECORD_REPORT_WORKFLOW = "RecordReport"

UPDATE_RESOLVE = "resolve"
UPDATE_WITHDRAW = "withdraw"
QUERY_STATE = "state"

# The workflow's refusal and the portal's own check (a page loaded before the report closed) say the same.
ALREADY_CLOSED = "This report has already been closed."


class ResolveAction(StrEnum):
    CORRECT = "correct"  # correct the reported record, or add the missing one
    DECLINE = "decline"  # the record stands


class ReportPhase(StrEnum):
    OPEN = "open"
    BUSY = "busy"  # setting up, or writing an outcome; a resolution or withdrawal waits its turn
    CLOSED = "closed"


@dataclass
class RecordReportInput:
    report_id: int


@dataclass
class ReportPlan:
    """The report as the workflow needs it, with the agency's reminder and escalation periods."""

    report_id: int
    agency_id: int
    officer_id: int
    reminder_business_days: int
    escalation_business_days: int
    # The agency's zone and holidays; UTC dates with no holidays for plans recorded before (as counted then).
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)


@dataclass
class Resolution:
    actor_id: int
    action: ResolveAction
    reason: str = ""
    # Set by the portal after checking the actor's coordinator role; the workflow checks the agency too.
    actor_is_coordinator: bool = False
    actor_agency_id: int = 0
    # CORRECT only: the record as it should be (course fields, and credits per topic code).
    values: dict[str, str] | None = None
    credits: dict[str, str] = field(default_factory=dict)
    source: str | None = None


@dataclass
class Withdrawal:
    actor_id: int
    source: str | None = None


@dataclass
class ReportState:
    phase: ReportPhase
    outcome: str | None = None

"""Inputs and results at the licensing-cycle workflow's boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass, field

LICENSING_CYCLE_WORKFLOW = "LicensingCycle"
SIGNAL_RECOMPUTE = "recompute"

# Days before a deadline that an officer is reminded, while the requirement is unmet.
DEFAULT_REMINDER_OFFSETS = (180, 90, 60, 30, 10)
# From this many days out the officer's supervisor is copied.
SUPERVISOR_COPY_FROM_DAYS = 30


def licensing_cycle_workflow_id(officer_id: int, prefix: str = "") -> str:
    return f"{prefix}licensing-cycle-{officer_id}"


@dataclass
class LicensingCycleState:
    """The run argument, carried across continue-as-new."""

    officer_id: int
    cycle_end: str | None = None  # ISO date of the cycle this run watches; set on the first evaluation
    sent_reminders: list[str] = field(default_factory=list)  # "{due_on}:{offset}" keys sent this cycle


@dataclass
class Deadline:
    due_on: str  # ISO date
    missing: list[str]  # plain sentences, one per unmet requirement due that day


@dataclass
class CycleSnapshot:
    officer_id: int
    tracked: bool  # False once the officer separates or has no licence: the workflow ends
    licensed_from: str | None = None  # set when the licence starts in the future: sleep until then
    cycle_end: str | None = None
    compliant: bool = False
    deadlines: list[Deadline] = field(default_factory=list)  # unmet, not yet past, earliest first
    reminder_offsets: list[int] = field(default_factory=lambda: list(DEFAULT_REMINDER_OFFSETS))


@dataclass
class EvaluateInput:
    officer_id: int
    on: str  # ISO date


@dataclass
class ReminderInput:
    key: str
    officer_id: int
    due_on: str
    days_before: int
    missing: list[str]
    copy_supervisor: bool


@dataclass
class ComplianceCaseInput:
    key: str
    workflow_id: str
    officer_id: int
    cycle_end: str
    missing: list[str]

"""Inputs and results at the training-request workflow's boundary (portal, activities, tests).

Plain dataclasses only: this module is imported inside the workflow sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workflows.business_days_types import BusinessCalendar

WORKFLOW_NAME = "TrainingRequest"

# Update names the portal calls; each has a validator that refuses before anything reaches history.
UPDATE_DECIDE = "decide"
UPDATE_RESUBMIT = "resubmit"
UPDATE_WITHDRAW = "withdraw"
UPDATE_REASSIGN = "reassign"
QUERY_STATE = "state"
# Sent by the portal (best effort) once a certificate linked to the approved request is uploaded.
SIGNAL_CERTIFICATE_UPLOADED = "certificate_uploaded"

# Workflows approved before this existed closed at approval; the patch keeps their histories valid.
CERTIFICATE_REMINDER_PATCH = "certificate-reminder-after-course"
# The second (and last) reminder to upload the certificate comes this many days after the first.
SECOND_CERTIFICATE_REMINDER_DAYS = 14
# Error type of an activity that met an agency setting it cannot use (a time zone that is not one).
# Non-retryable: the workflow puts the request on hold in the coordinators' queue instead.
AGENCY_CONFIGURATION_ERROR = "AgencyConfigurationError"


class DecisionAction(StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    REQUEST_CHANGES = "request_changes"


class Phase(StrEnum):
    AWAITING_APPROVER = "awaiting_approver"
    AWAITING_COORDINATORS = "awaiting_coordinators"
    CHANGES_REQUESTED = "changes_requested"
    ON_HOLD = "on_hold"  # an agency setting Muster cannot use; checked again every hour
    BUSY = "busy"  # recording a transition; decisions are refused for these few milliseconds
    CLOSED = "closed"


@dataclass
class TrainingRequestInput:
    request_id: int


@dataclass
class ApprovalPlan:
    """What the workflow needs to route a request, read once at its start."""

    request_id: int
    agency_id: int
    officer_id: int
    # The officer's chain of command at submission, nearest supervisor first.
    chain: list[int]
    # Index in `chain` whose approval (or approval by anyone above it) completes the request:
    # 0 for the sergeant alone, 1 when cost or overnight travel needs the lieutenant too.
    required_level: int
    reminder_business_days: int
    escalation_business_days: int
    # When to first ask the officer for the certificate: 09:00 agency time on the day after the
    # course's last day (UTC ISO). None for plans recorded before this field existed.
    certificate_reminder_at_iso: str | None = None
    # The agency's zone and holidays for counting business days. Plans recorded before this existed
    # decode to UTC dates with no holidays: the deadlines they were given then.
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)


@dataclass
class Decision:
    actor_id: int
    action: DecisionAction
    comment: str = ""
    # Set by the portal after checking the actor's coordinator role in the same agency.
    actor_is_coordinator: bool = False
    source: str | None = None


@dataclass
class Resubmission:
    actor_id: int
    comment: str = ""
    source: str | None = None


@dataclass
class Withdrawal:
    actor_id: int
    comment: str = ""
    source: str | None = None


@dataclass
class Reassignment:
    actor_id: int
    new_approver_id: int
    actor_is_coordinator: bool = False
    comment: str = ""
    source: str | None = None
    # Set by a roster transfer: the officer's former supervisor, whose pending approval moves to the new one.
    transfer_from_id: int | None = None


@dataclass
class CertificateUploaded:
    submission_id: int


@dataclass
class ApprovalState:
    phase: Phase
    assignee_id: int | None
    step: int
    outcome: str | None = None
    approvals: list[int] = field(default_factory=list)
    # Decided and every decision mail sent; only the certificate reminders after the course remain.
    waiting_for_certificate: bool = False

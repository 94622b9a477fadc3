"""Inputs and results at the certificate-review workflow's boundary (portal, activities, tests).

Plain dataclasses only: this module is imported inside the workflow sandbox. Amounts travel as
strings ("7.5") so no float ever touches hours or credits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workflows.business_days_types import BusinessCalendar

CERTIFICATE_REVIEW_WORKFLOW = "CertificateReview"

UPDATE_DECIDE = "decide"
UPDATE_NEW_VERSION = "new_version"
QUERY_STATE = "state"

# The agency's review periods unless set (Agency.certificate_*_business_days): coordinators are
# reminded after 3 business days without a decision, administrators told after 7.
REMINDER_BUSINESS_DAYS = 3
ESCALATION_BUSINESS_DAYS = 7


class ReviewAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ReviewPhase(StrEnum):
    AWAITING_REVIEW = "awaiting_review"
    AWAITING_CORRECTION = "awaiting_correction"
    BUSY = "busy"  # recording a transition; inputs are refused for these few milliseconds
    CLOSED = "closed"


@dataclass
class CertificateReviewInput:
    submission_id: int


@dataclass
class ReviewPlan:
    """The submission as the workflow needs it, read at the start and after every new version."""

    submission_id: int
    agency_id: int
    officer_id: int
    version: int
    claimed_hours: str
    claimed_credits: dict[str, str] = field(default_factory=dict)
    # The agency's settings when the plan was read. Defaults, so plans recorded before these
    # existed (in running workflows' histories) still deserialise, with the periods used then.
    reminder_business_days: int = REMINDER_BUSINESS_DAYS
    escalation_business_days: int = ESCALATION_BUSINESS_DAYS
    # The agency's zone and holidays; UTC dates with no holidays for plans recorded before (as counted then).
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)


@dataclass
class ReviewDecision:
    actor_id: int
    action: ReviewAction
    reason: str = ""
    # Set by the portal after checking the actor's coordinator role in the same agency.
    actor_is_coordinator: bool = False
    # None: as claimed. Otherwise what the coordinator credits instead (a reason is then required).
    credited_hours: str | None = None
    credited_credits: dict[str, str] | None = None
    source: str | None = None


@dataclass
class NewVersion:
    """The officer uploaded a corrected file; the portal has written version `version` already."""

    actor_id: int
    version: int
    source: str | None = None


@dataclass
class ReviewState:
    phase: ReviewPhase
    version: int
    outcome: str | None = None

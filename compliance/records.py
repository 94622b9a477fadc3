"""What the engine is told about one officer: the licence, the credits earned, and any waivers or leave."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from compliance.rules import LICENCE_STATUSES, LicenceStatus

WaiverKind = Literal["exemption", "waiver", "leave"]


class InvalidRecord(ValueError):
    """A training record the engine refuses to count (negative amounts, topic credits above its hours)."""


def record_problem(hours: Decimal, topic_credits: Mapping[str, Decimal]) -> str | None:
    """Why a record's hours and topic credits cannot be counted, or None. Every entry point that makes a
    record (form, CSV import, certificate approval) asks this, so none can store what the engine refuses."""
    if hours < 0 or any(credit < 0 for credit in topic_credits.values()):
        return "hours and credits cannot be negative"
    credited = sum(topic_credits.values(), Decimal(0))
    if credited > hours:
        # One hour of training earns at most one credit: otherwise a 2-hour course could fill 6 crisis credits.
        return f"its topic credits ({credited.normalize():f}) add up to more than its hours ({hours.normalize():f})"
    return None
WAIVER_KINDS: tuple[str, ...] = ("exemption", "waiver", "leave")


@dataclass(frozen=True)
class OfficerProfile:
    """`exemptions` holds requirement ids the officer is declared exempt from (e.g. EVOC); `flags` holds
    assignments and certificates that switch requirements on or off (`school_resource_officer`,
    `intermediate_certificate`). `employed` False: a licensee with no current employer, measured as the
    pack's `without_employer` says."""

    officer_id: int | str
    licence_date: date
    licence_status: LicenceStatus = "active"
    exemptions: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    employed: bool = True

    def __post_init__(self) -> None:
        if self.licence_status not in LICENCE_STATUSES:
            raise ValueError(f"unknown licence status {self.licence_status!r}")


@dataclass(frozen=True)
class CreditRecord:
    """One completed activity. `hours` count toward totals; `topic_credits` say which topics it covers
    (a 6-hour crisis course: hours 6, topic_credits {"crisis_intervention": 6})."""

    record_id: int | str
    completed_on: date
    hours: Decimal
    topic_credits: Mapping[str, Decimal] = field(default_factory=dict)
    course_number: str | None = None

    def __post_init__(self) -> None:
        problem = record_problem(self.hours, self.topic_credits)
        if problem:
            raise InvalidRecord(f"record {self.record_id}: {problem}")
        # Frozen in spirit as well as in form: a caller's dict cannot change a record after the fact.
        object.__setattr__(self, "topic_credits", MappingProxyType(dict(self.topic_credits)))

    def credit_in(self, topics: tuple[str, ...]) -> Decimal:
        return sum((self.topic_credits.get(topic, Decimal(0)) for topic in topics), Decimal(0))


@dataclass(frozen=True)
class Waiver:
    """A coordinator's decision that reduces or pauses a requirement (`requirement_id` None: all of them).

    `exemption`: the requirement does not apply (only for requirements marked exemptible).
    `waiver`: `hours_reduction` hours are credited as done; without a reduction the requirement is waived.
    `leave` (medical, military): due dates move later by the leave days inside the period.
    A waiver is used for a period when its dates overlap the period; `ends_on` None means open-ended
    (for leave: still on leave, counted up to the evaluation date).
    """

    requirement_id: str | None
    kind: WaiverKind
    starts_on: date
    reason: str
    granted_by: str
    ends_on: date | None = None
    hours_reduction: Decimal | None = None

    def __post_init__(self) -> None:
        if self.kind not in WAIVER_KINDS:
            raise ValueError(f"unknown waiver kind {self.kind!r} (expected one of {', '.join(WAIVER_KINDS)})")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("a waiver cannot end before it starts")
        if self.hours_reduction is not None and self.hours_reduction <= 0:
            raise ValueError("hours_reduction must be positive")
        if not self.reason.strip() or not self.granted_by.strip():
            raise ValueError("a waiver needs a reason and who granted it")

    def covers(self, requirement_id: str) -> bool:
        return self.requirement_id is None or self.requirement_id == requirement_id

    def overlaps(self, start: date, end: date) -> bool:
        return self.starts_on <= end and (self.ends_on is None or self.ends_on >= start)

"""Small builders for engine inputs, so each test states only what matters to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from compliance import CreditRecord, OfficerProfile, Waiver
from compliance.records import WaiverKind
from compliance.rules import LicenceStatus

_ids = count(1)


def officer(licence: date, status: LicenceStatus = "active", exemptions: tuple[str, ...] = (),
            flags: tuple[str, ...] = ()) -> OfficerProfile:
    return OfficerProfile("officer-1", licence, status, frozenset(exemptions), frozenset(flags))


def record(on: date, hours: float | str, topic: str | None = None, course: str | None = None) -> CreditRecord:
    """A course of `hours` hours, all credited to `topic` when one is given."""
    amount = Decimal(str(hours))
    credits = {topic: amount} if topic else {}
    return CreditRecord(f"r{next(_ids)}", on, amount, credits, course)


def waiver(requirement_id: str | None, kind: WaiverKind, starts: date, ends: date | None = None,
           hours: int | None = None, reason: str = "medical leave") -> Waiver:
    reduction = None if hours is None else Decimal(hours)
    return Waiver(requirement_id, kind, starts, reason, "Lt. Example", ends, reduction)

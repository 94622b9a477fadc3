"""Training already on an officer's record, found by what it says rather than by the file's bytes.

A provider's certificate re-generated as a new PDF (or scanned again) has different bytes but is the
same course: same officer, same completion date, same hours, and the same course number (or, where
either side has none, the same title, ignoring case, spacing and punctuation). Such a match is
flagged, never refused outright: two sessions of one course on one day do happen, so a person decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from models import TrainingRecord

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class CourseFacts:
    """What a certificate or a record form claims about one completed course."""

    officer_id: int
    course_title: str
    course_number: str | None
    completed_on: date
    hours: Decimal


def _key(text: str | None) -> str:
    return _NOT_WORD.sub("", (text or "").casefold())


def same_course(record: TrainingRecord, facts: CourseFacts) -> bool:
    """True when the record is very likely the course these facts describe."""
    if (record.officer_id, record.completed_on) != (facts.officer_id, facts.completed_on):
        return False
    if Decimal(record.hours) != Decimal(facts.hours):
        return False
    numbers = _key(record.course_number), _key(facts.course_number)
    if all(numbers):
        return numbers[0] == numbers[1]
    return _key(record.course_title) == _key(facts.course_title)


async def records_like_each(session: AsyncSession, claims: Iterable[tuple[int, CourseFacts]],
                            ) -> dict[int, list[TrainingRecord]]:
    """For each (key, facts), the officer's records that are likely the same course: one query for all."""
    claims = list(claims)
    if not claims:
        return {}
    pairs = {(facts.officer_id, facts.completed_on) for _, facts in claims}
    candidates = list(await session.scalars(
        select(TrainingRecord)
        .where(tuple_(TrainingRecord.officer_id, TrainingRecord.completed_on).in_(sorted(pairs)))
        .order_by(TrainingRecord.id)
    ))
    found: dict[int, list[TrainingRecord]] = {}
    for key, facts in claims:
        matches = [record for record in candidates if same_course(record, facts)]
        if matches:
            found[key] = matches
    return found


async def records_like(session: AsyncSession, facts: CourseFacts) -> list[TrainingRecord]:
    """The officer's records that are likely the course these facts describe."""
    return (await records_like_each(session, [(0, facts)])).get(0, [])

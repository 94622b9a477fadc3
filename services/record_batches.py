"""Creating many training records at once (bulk entry, CSV import): the record from a checked form,
its JSON form for staging, and the records officers already have, found for a whole batch in one query.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import format_amount
from models import Person, TrainingRecord
from services.training_records import RecordForm

# (officer, course title ignoring case, completion date, hours): the same training recorded twice.
RecordKey = tuple[int, str, date, Decimal]


def officer_label(person: Person) -> str:
    """How an officer is named in an attendee's or an import row's problem."""
    return f"{person.full_name} (badge {person.badge_number})"


def form_json(form: RecordForm) -> dict[str, Any]:
    """A checked form as plain JSON values (staged import rows keep this)."""
    return {
        "course_title": form.course_title,
        "provider": form.provider,
        "course_number": form.course_number,
        "started_on": form.started_on.isoformat() if form.started_on else None,
        "completed_on": form.completed_on.isoformat(),
        "hours": format_amount(form.hours),
        "credits": {code: format_amount(value) for code, value in sorted(form.credits.items())},
    }


def form_from_json(values: dict[str, Any]) -> RecordForm:
    """The form `form_json` wrote. Raises KeyError, ValueError or ArithmeticError on anything else."""
    return RecordForm(
        course_title=str(values["course_title"]),
        provider=str(values["provider"]),
        course_number=values["course_number"] or None,
        started_on=date.fromisoformat(values["started_on"]) if values["started_on"] else None,
        completed_on=date.fromisoformat(values["completed_on"]),
        hours=Decimal(values["hours"]),
        credits={str(code): Decimal(amount) for code, amount in dict(values["credits"]).items()},
    )


def record_key(officer_id: int, form: RecordForm) -> RecordKey:
    return officer_id, form.course_title.casefold(), form.completed_on, form.hours


async def existing_records(session: AsyncSession, officer_ids: Collection[int], days: Collection[date]
                           ) -> list[Row[int, str, str | None, date, Decimal]]:
    """The officers' records completed on any of `days`: (officer, title, number, completed, hours).

    One query on the (officer_id, completed_on) index; callers bound the lists (a chunk of rows).
    """
    if not officer_ids or not days:
        return []
    result = await session.execute(
        select(TrainingRecord.officer_id, TrainingRecord.course_title, TrainingRecord.course_number,
               TrainingRecord.completed_on, TrainingRecord.hours)
        .where(TrainingRecord.officer_id.in_(set(officer_ids)), TrainingRecord.completed_on.in_(set(days)))
    )
    return list(result.all())


async def recorded_keys(session: AsyncSession, officer_ids: Collection[int], days: Collection[date]
                        ) -> set[RecordKey]:
    return {(row[0], row[1].casefold(), row[3], row[4])
            for row in await existing_records(session, officer_ids, days)}

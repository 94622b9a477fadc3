"""The monthly compliance summary command staff are mailed: the agency's figures, and their wording.

The figures are read from the same functions as the /agency dashboard (services/agency_compliance.py and
services/agency_work_queues.py), so the mail and the page never disagree. The change is measured against the
trend's last snapshot on or before the first day of the month summarised: the figures the previous month's
summary was sent with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import MONTHS, format_date
from models import Agency
from services.agency_compliance import (
    STATE_LABELS,
    STATES,
    GapRow,
    StateCounts,
    TrendPoint,
    rank_rows,
    sum_counts,
    top_gaps,
    trend,
)
from services.agency_work_queues import QueueRow, work_queues
from services.time_zones import agency_zone_or_utc

TOP_REQUIREMENTS = 5


@dataclass(frozen=True)
class MonthlySummary:
    agency_name: str
    month: date  # the first day of the month summarised
    as_of: date  # the agency's date when the figures were read
    counts: StateCounts
    previous: TrendPoint | None  # the snapshot compared with; None before the first one
    gaps: list[GapRow]
    queues: list[QueueRow]
    now: datetime  # the instant the figures were read (the queues' ages)


def first_day(month: str) -> date:
    """The first day of a "YYYY-MM" month."""
    return date.fromisoformat(f"{month}-01")


async def agency_summary(session: AsyncSession, agency_id: int, month: str, now: datetime) -> MonthlySummary:
    """The agency's figures now, and the snapshot they are compared with: a fixed few statements."""
    name, zone_name = (await session.execute(
        select(Agency.name, Agency.timezone).where(Agency.id == agency_id))).one()
    start = first_day(month)
    points = await trend(session, agency_id, None, "monthly", start)
    return MonthlySummary(
        agency_name=name, month=start, as_of=now.astimezone(agency_zone_or_utc(zone_name, agency_id)).date(),
        counts=sum_counts(await rank_rows(session, agency_id)), previous=points[-1] if points else None,
        gaps=await top_gaps(session, agency_id, limit=TOP_REQUIREMENTS),
        queues=await work_queues(session, agency_id, now), now=now,
    )


def month_words(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def summary_subject(summary: MonthlySummary) -> str:
    # Short and without the agency's name: a subject over a header line's length is folded oddly.
    return f"[Muster] Monthly compliance summary: {month_words(summary.month)}"


def _change(now: int, before: int, unit: str = "") -> str:
    if now == before:
        return "no change"
    return f"{'up' if now > before else 'down'} {abs(now - before)}{unit}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _headline(summary: MonthlySummary) -> list[str]:
    counts, previous = summary.counts, summary.previous
    if counts.percent_compliant is None:
        return ["No officer's compliance is recorded yet."]
    counted = counts.total - counts.on_leave
    line = f"{counts.percent_compliant}% of officers are compliant ({counts.compliant} of the {counted} not on leave)"
    if previous is None:
        return [f"{line}.", "There is no earlier snapshot to compare with yet."]
    if previous.percent_compliant is None:
        return [f"{line}; on {format_date(previous.day)} no officer was counted."]
    change = _change(counts.percent_compliant, previous.percent_compliant, " points")
    return [f"{line}: {change} from {previous.percent_compliant}% on {format_date(previous.day)}."]


def _states(summary: MonthlySummary) -> list[str]:
    previous = summary.previous
    heading = "Officers by state" + (f" (change since {format_date(previous.day)})" if previous else "") + ":"
    lines = [heading]
    for state in STATES:
        count = summary.counts.count(state)
        change = f" ({_change(count, previous.count(state))})" if previous else ""
        lines.append(f"  {STATE_LABELS[state]}: {count}{change}")
    lines.append(f"  Tracked in all: {summary.counts.total}")
    return lines


def _past_due(officers: int, overdue: int) -> str:
    if not overdue:
        return ""
    if overdue == officers:
        return ", past due" if officers == 1 else ", all past due"
    return f", {overdue} of them past due"


def _gaps(summary: MonthlySummary) -> list[str]:
    if not summary.gaps:
        return ["No requirement is outstanding."]
    lines = ["Requirements most often outstanding:"]
    for number, gap in enumerate(summary.gaps, start=1):
        late = _past_due(gap.officers, gap.overdue)
        lines.append(f"  {number}. {gap.title}: {_plural(gap.officers, 'officer')}{late}")
    return lines


def _queues(summary: MonthlySummary) -> list[str]:
    lines = ["Work waiting:"]
    for queue in summary.queues:
        age = queue.oldest_age_days(summary.now)
        oldest = f" (the oldest for {_plural(age, 'day')})" if queue.open and age is not None else ""
        lines.append(f"  {queue.label}: {queue.open}{oldest}")
    return lines


def summary_body(summary: MonthlySummary, first_name: str, public_url: str) -> str:
    sections = [
        [f"Hello {first_name},"],
        [f"{summary.agency_name}'s training compliance for {month_words(summary.month)}, "
         f"as of {format_date(summary.as_of)}."],
        _headline(summary), _states(summary), _gaps(summary), _queues(summary),
        [f"The agency's dashboard: {public_url}/agency"],
        ["You get this summary on the first day of each month as command staff. "
         f"To stop it: {public_url}/account/notifications"],
    ]
    return "\n\n".join("\n".join(lines) for lines in sections)

"""Plain sentences for what an officer still has to do ("6 more crisis-intervention credits by 30 June 2026")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from compliance.engine import RequirementStatus

# Spelled out here rather than taken from strftime, whose month names follow the process locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def format_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: datetime) -> str:
    """A moment as people read it, in the zone it carries: "4 December 2026 at 19:05 (CST)"."""
    return f"{format_date(moment.date())} at {moment:%H:%M} ({moment.tzname()})"


def format_amount(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def topic_label(code: str) -> str:
    return code.replace("_", "-")


def describe_missing(status: RequirementStatus, on: date, unit: str) -> str:
    """One sentence for an unmet requirement, naming what is left and the deadline. A requirement that
    contains other unmet ones (compliance.netting) names only what is owed beyond them."""
    requirement = status.requirement
    left = status.required - status.done if status.owed_beyond is None else status.owed_beyond
    units = unit[:-1] if left == 1 and unit.endswith("s") else unit
    if status.owed_beyond == 0:
        what = f"{requirement.title}: met once the other {unit} listed are done"
    elif requirement.kind == "course":
        numbers = " or ".join(requirement.course_numbers)
        what = f"Course {numbers} ({requirement.title})"
    elif requirement.counts_completions:
        what = requirement.title
    elif requirement.kind == "total_hours":
        what = f"{format_amount(left)} more {units}"
    elif len(requirement.topics) == 1:
        what = f"{format_amount(left)} more {topic_label(requirement.topics[0])} {units}"
    elif requirement.topics:
        topics = [topic_label(topic) for topic in requirement.topics]
        what = f"{format_amount(left)} more {units} in {', '.join(topics[:-1])} or {topics[-1]}"
    else:
        what = f"{format_amount(left)} more {units} of {requirement.title}"
    if status.owed_beyond:
        what += " in any topic" if requirement.kind == "total_hours" else ""
        what += " (besides those listed)"
    if status.overdue:
        return f"{what}, overdue (was due by {format_date(status.due_on)})"
    return f"{what} by {format_date(status.due_on)}"

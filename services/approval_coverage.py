"""Whether a requested course meets what its officer still owes, in the approver's words, from the stored gaps.

Pure: it reads the gaps services/compliance_status.py stored and the rule pack's requirements, and never
evaluates the engine. Choices made here once:
- A course counts toward a requirement when its topics meet the requirement's (any course counts toward a
  total), and, for a period requirement, when it ends by the gap's deadline (credits after a deadline do
  not count toward that period). A course requirement needs a course number a request does not have.
- The course's hours are shared out, most specific requirement first: a record's topic credits never add up
  to more than its hours, and a requirement that contains others states only what is owed beyond them
  (compliance.netting), so the contained ones take the hours first.
- What is owed comes from the stored sentence ("6 more crisis-intervention credits by ..."): the gap keeps
  the sentence, not the number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.rules import Requirement
from compliance.wording import format_amount, format_date

NOTHING_OWED = "Does not count toward anything this officer still owes"
# The order hours are shared out in: the most specific requirement first (see the module docstring).
_SPECIFICITY = {"topic_hours": 0, "recurring": 1, "topic_group_hours": 2, "total_hours": 3}
# compliance.wording.describe_missing starts every hours sentence with the amount left.
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?) more ")


@dataclass(frozen=True)
class Course:
    """What an approver is asked to send an officer to."""

    hours: Decimal
    topics: frozenset[str]
    ends_on: date


@dataclass(frozen=True)
class OwedRequirement:
    """One stored gap with the requirement it is for."""

    requirement: Requirement
    due_on: date
    overdue: bool
    missing: str


def owed_amount(missing: str) -> Decimal | None:
    """The hours or credits a stored gap sentence says are left; None when it names no amount (a course, a
    completion, or a requirement met once the others listed are)."""
    found = _AMOUNT.match(missing)
    return Decimal(found.group(1)) if found else None


def counts_toward(course: Course, owed: OwedRequirement) -> bool:
    requirement = owed.requirement
    if requirement.kind == "course":
        return False
    if requirement.kind != "total_hours" and not course.topics & set(requirement.topics):
        return False
    return requirement.period.kind == "rolling" or course.ends_on <= owed.due_on


def coverage(course: Course, owed: Sequence[OwedRequirement], topic_names: Mapping[str, str], unit: str
             ) -> list[str]:
    """One sentence per outstanding requirement the course counts toward, or NOTHING_OWED."""
    pool = course.hours
    sentences = []
    ordered = sorted(owed, key=lambda each: (_SPECIFICITY.get(each.requirement.kind, 9), each.due_on))
    for each in ordered:
        if not counts_toward(course, each):
            continue
        if each.requirement.counts_completions:
            title = in_sentence(each.requirement.title)
            sentences.append(f"Covers the {title} this officer still needs {_deadline(each)}")
            continue
        left = owed_amount(each.missing)
        if left is None or left <= 0 or pool <= 0:
            continue
        share = min(pool, left)
        pool -= share
        what = _what(each.requirement, left, topic_names, unit)
        if share == left:
            amount = "the 1" if left == 1 else f"all {format_amount(left)}"
        else:
            amount = f"{format_amount(share)} of the {format_amount(left)}"
        sentences.append(f"Covers {amount} {what} this officer still needs {_deadline(each)}")
    return sentences or [NOTHING_OWED]


def _deadline(owed: OwedRequirement) -> str:
    return f"(overdue since {format_date(owed.due_on)})" if owed.overdue else f"by {format_date(owed.due_on)}"


def _what(requirement: Requirement, left: Decimal, topic_names: Mapping[str, str], unit: str) -> str:
    units = unit[:-1] if left == 1 and unit.endswith("s") else unit
    if requirement.kind == "topic_hours" and requirement.topics[0] in topic_names:
        return f"{in_sentence(topic_names[requirement.topics[0]])} {units}"
    return f"{units} of {in_sentence(requirement.title)}"


def in_sentence(name: str) -> str:
    """A name as it reads mid-sentence: "Crisis intervention" -> "crisis intervention"; "ALERRT" stays."""
    return name[0].lower() + name[1:] if len(name) > 1 and name[1].islower() else name

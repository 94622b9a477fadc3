"""Netting of overlapping requirements, so the missing-work sentences add up to what is really owed.

A requirement contains another when every credit toward the other also counts toward it: the 48-credit
total contains every topic requirement of the same period, and Minnesota's 16 mandated credits contain the
crisis, autism, conflict, bias and bias-crimes minimums. An officer short 2 autism credits is also short 2
mandated credits, but closing the autism gap closes both; the mandated requirement therefore states only
what is owed beyond the shortfalls of the requirements it contains (here nothing).

Only hours requirements of the same period are netted, and only when the contained ones share no topic
(a credit counting toward two of them would make their sum overstate what closes the container).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from compliance.rules import Requirement

if TYPE_CHECKING:
    from compliance.engine import RequirementStatus

_TOPIC_KINDS = ("topic_hours", "topic_group_hours")


def contains(outer: Requirement, inner: Requirement) -> bool:
    """True when every credit toward `inner` also counts toward `outer` (and they differ)."""
    if inner.kind not in _TOPIC_KINDS or outer.id == inner.id:
        return False
    if outer.kind == "total_hours":
        return True
    return outer.kind == "topic_group_hours" and set(inner.topics) < set(outer.topics)


def shortfall(status: RequirementStatus) -> Decimal:
    return max(status.required - status.done, Decimal(0))


def net_overlaps(statuses: list[RequirementStatus]) -> list[RequirementStatus]:
    """`statuses` with `contains_unmet` and `owed_beyond` set on every unmet requirement that contains
    unmet ones of the same period."""
    unmet = [status for status in statuses if not status.met and status.requirement.kind in
             ("total_hours", *_TOPIC_KINDS)]
    netted = []
    for status in statuses:
        inner = _directly_contained(status, unmet) if any(status is each for each in unmet) else []
        if inner and _disjoint(inner):
            owed = max(shortfall(status) - sum((shortfall(each) for each in inner), Decimal(0)), Decimal(0))
            status = replace(status, contains_unmet=tuple(each.requirement.id for each in inner), owed_beyond=owed)
        netted.append(status)
    return netted


def _same_period(one: RequirementStatus, other: RequirementStatus) -> bool:
    return (one.period_start, one.due_on, one.previous_period) == (other.period_start, other.due_on,
                                                                    other.previous_period)


def _directly_contained(outer: RequirementStatus, unmet: list[RequirementStatus]) -> list[RequirementStatus]:
    """The unmet requirements `outer` contains that no other contained one contains in turn (the total
    contains the mandated group, not the topics inside it)."""
    inside = [each for each in unmet if _same_period(outer, each) and contains(outer.requirement, each.requirement)]
    return [each for each in inside
            if not any(contains(other.requirement, each.requirement) for other in inside if other is not each)]


def _disjoint(statuses: list[RequirementStatus]) -> bool:
    seen: set[str] = set()
    for status in statuses:
        topics = set(status.requirement.topics)
        if topics & seen:
            return False
        seen |= topics
    return True

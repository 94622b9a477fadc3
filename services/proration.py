"""Proration for officers appointed part-way through a cycle: the pack's own rule, or the agency's choice
where the state publishes none (California: `agency_decides` in the pack's [proration])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from compliance import ProrationRule, RulePack
from compliance.rules import ProrationMethod

# The agency's choices, in the words the settings form and the requirements page use.
PRORATION_CHOICES: dict[str, str] = {
    "none": "No proration: an officer appointed during a cycle owes the full hours in that cycle",
    "monthly": "By month: an officer appointed during a cycle owes the hours in proportion to the months left in"
               " it, counting the month of appointment, rounded up to whole hours",
    "first_full_unit": "Wait for the first full cycle: nothing is owed in the cycle of appointment",
}


def agency_may_choose(pack: RulePack) -> bool:
    """Whether the pack leaves proration to the agency (the settings form offers the choice only then)."""
    return pack.proration.agency_decides


def proration_for(pack: RulePack, agency_method: str) -> ProrationRule:
    """The rule the engine applies to the agency's officers: the pack's own, unless the pack leaves it to the
    agency; then the agency's method, on the pack's requirement kinds."""
    rule = pack.proration
    if not rule.agency_decides or agency_method not in PRORATION_CHOICES:
        return rule
    # Waiting for the first full cycle is the first_full_unit rule with the whole cycle as its unit.
    unit_months = pack.cycle.length_years * 12 if agency_method == "first_full_unit" else 0
    return ProrationRule(method=cast(ProrationMethod, agency_method), kinds=rule.kinds, unit_months=unit_months,
                         source=rule.source, agency_decides=True)


def describe_proration(rule: ProrationRule) -> str:
    """The rule in words, for the requirements page."""
    if rule.agency_decides:
        return PRORATION_CHOICES[rule.method]
    if rule.method == "monthly":
        return PRORATION_CHOICES["monthly"]
    if rule.method == "first_full_unit":
        return (f"Nothing is owed in a period until the first complete {rule.unit_months}-month unit after"
                " the licence date")
    return "No proration: an officer owes the full hours of every period from the licence date"


@dataclass(frozen=True)
class ProrationNotice:
    """What the requirements page says about officers appointed part-way through a period."""

    text: str
    source: str
    chosen_by_agency: bool


def proration_notice(pack: RulePack, agency_method: str) -> ProrationNotice:
    """The rule the agency's officers are measured under, in words, with the pack's source."""
    rule = proration_for(pack, agency_method)
    return ProrationNotice(describe_proration(rule), pack.proration.source, rule.agency_decides)

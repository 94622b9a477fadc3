"""The one place compliance is computed: a pure function of a rule pack, an officer and their records.

Choices the states leave open, made here once:
- Each requirement is measured over its own period (the licensing cycle, a fixed period such as a Texas
  unit, or a rolling window). One record counts toward every requirement it fits: a crisis-intervention
  course counts toward the total, the crisis minimum and the mandated group at once.
- Records dated after the evaluation date are ignored; a record on a period's last day counts.
- Leave pauses the clock: a due date moves later by the leave days that fall inside the period, and
  records up to the moved date count for that period (they may also count for the next one).
- An unmet earlier period (the previous cycle or unit) is reported as overdue. A late record does not cure
  it: the period is closed, and a coordinator records a waiver if the state accepted late credits.
- Overlapping requirements are netted in the missing-work sentences (compliance.netting): a requirement that
  contains others (the 48 total, the 16 mandated credits) states only what is owed beyond their shortfalls,
  so the sentences add up to what is really owed.
- A licensee with no current employer is measured as the pack's `without_employer` says (Minnesota: as an
  inactive licence, 48 general credits and no mandated topics).
- Percent is hours-based over the current periods: sum of min(done, required) + waived over sum of
  required + waived, rounded down, so 100 means every requirement is met. A course or a recurring
  completion weighs one hour. Waived hours count as done, so a waiver never lowers the percentage.
- State: overdue if any requirement is past due and unmet; compliant if all are met; at risk if an unmet
  requirement is due within AT_RISK_DAYS and its progress is behind the share of its period that has
  elapsed, or an earlier period is unmet but still open because of leave; otherwise on track.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Literal

from compliance.cycles import (
    DateRange,
    add_months,
    cycle_before,
    cycle_containing,
    days_in,
    fixed_period_containing,
    months_touched,
)
from compliance.netting import net_overlaps
from compliance.records import CreditRecord, OfficerProfile, Waiver
from compliance.rules import ProrationRule, Requirement, RulePack
from compliance.wording import describe_missing

ComplianceState = Literal["compliant", "on_track", "at_risk", "overdue"]

# Days before a deadline from which an unmet requirement that is behind schedule counts as at risk.
AT_RISK_DAYS = 90
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement over one period. `required` is what is still owed after proration and waivers;
    `waived` is what waivers and exemptions took off. Completion-based requirements count in units of 1."""

    requirement: Requirement
    period_start: date
    due_on: date
    done: Decimal
    required: Decimal
    waived: Decimal
    met: bool
    overdue: bool
    waived_reason: str | None = None
    previous_period: bool = False
    # Netting (compliance.netting): the unmet requirements this one contains, and what is owed beyond them.
    contains_unmet: tuple[str, ...] = ()
    owed_beyond: Decimal | None = None

    @property
    def progress(self) -> Decimal:
        """Share of the requirement completed, waived part included (0..1)."""
        whole = self.required + self.waived
        return ONE if whole == 0 else (min(self.done, self.required) + self.waived) / whole


@dataclass(frozen=True)
class ComplianceStatus:
    """An officer's standing on one date. `requirements` lists current periods first in pack order, each
    preceded by its unmet previous period if any; `missing` has one sentence per unmet requirement."""

    officer_id: int | str
    pack_code: str
    on: date
    cycle_start: date
    cycle_end: date
    days_left: int
    total_done: Decimal
    total_required: Decimal
    requirements: tuple[RequirementStatus, ...]
    missing: tuple[str, ...]
    percent: int
    state: ComplianceState
    notes: tuple[str, ...] = ()


@dataclass
class _Context:
    pack: RulePack
    officer: OfficerProfile
    records: tuple[CreditRecord, ...]
    waivers: tuple[Waiver, ...]
    on: date
    cycle: DateRange
    proration: ProrationRule
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def evaluate(
    pack: RulePack,
    officer: OfficerProfile,
    records: Iterable[CreditRecord],
    waivers: Iterable[Waiver],
    on: date,
    extra_requirements: Iterable[Requirement] = (),
    proration: ProrationRule | None = None,
) -> ComplianceStatus:
    """The officer's compliance on `on`. `extra_requirements` are the agency's own on top of the pack;
    `proration` overrides the pack's rule (agencies choose, states do not publish one)."""
    requirements = pack.requirements + tuple(extra_requirements)
    ids = [requirement.id for requirement in requirements]
    if len(set(ids)) != len(ids):
        raise ValueError("extra requirements reuse an id from the pack")
    context = _Context(
        pack=pack,
        officer=officer,
        records=tuple(sorted(records, key=lambda r: (r.completed_on, str(r.record_id)))),
        waivers=tuple(sorted(waivers, key=_waiver_order)),
        on=on,
        cycle=cycle_containing(pack.cycle, officer.licence_date, on),
        proration=proration or pack.proration,
    )
    measured = _measured_status(pack, officer, context)
    statuses = [status for requirement in requirements if _applies(requirement, measured, officer)
                for status in _statuses(requirement, context)]
    return _summarise(net_overlaps(statuses), context)


def _measured_status(pack: RulePack, officer: OfficerProfile, context: _Context) -> str:
    """The licence status the requirements are chosen by; "none" when nothing applies."""
    if officer.employed:
        return officer.licence_status
    if pack.without_employer == "none":
        context.note(f"{pack.name} sets no continuing education for a licensee without an employer"
                     f" ({pack.without_employer_source or pack.source})")
    return pack.without_employer


def _waiver_order(waiver: Waiver) -> tuple[date, str, str, str, str]:
    return (waiver.starts_on, waiver.kind, waiver.requirement_id or "", waiver.reason, waiver.granted_by)


def _applies(requirement: Requirement, status: str, officer: OfficerProfile) -> bool:
    return (
        status in requirement.applies_to
        and requirement.requires_flags <= officer.flags
        and not (requirement.excluded_by_flags & officer.flags)
    )


def _statuses(requirement: Requirement, context: _Context) -> list[RequirementStatus]:
    if requirement.period.kind == "rolling":
        return [_rolling_status(requirement, context)] if requirement.in_force(context.on) else []
    current, previous = _periods(requirement, context)
    statuses = []
    if (previous is not None and previous.end >= context.officer.licence_date and requirement.in_force(previous.end)
            and _owed_in(requirement, previous, context)):
        earlier = _period_status(requirement, previous, context, previous_period=True)
        if not earlier.met:
            statuses.append(earlier)
    if requirement.in_force(current.end) and _owed_in(requirement, current, context):
        statuses.append(_period_status(requirement, current, context))
    return statuses


def _owed_in(requirement: Requirement, period: DateRange, context: _Context) -> bool:
    """False for a period the proration rule excuses (Texas: one without a complete unit after licensing)."""
    rule = context.proration
    if rule.method != "first_full_unit" or requirement.kind not in rule.kinds:
        return True
    last_unit_start = add_months(period.end + timedelta(days=1), -rule.unit_months)
    return last_unit_start >= context.officer.licence_date


def _periods(requirement: Requirement, context: _Context) -> tuple[DateRange, DateRange | None]:
    """The period containing the evaluation date and the one before it."""
    if requirement.period.kind == "cycle":
        return context.cycle, cycle_before(context.pack.cycle, context.officer.licence_date, context.cycle)
    anchor, months = requirement.period.anchor, requirement.period.months
    assert anchor is not None  # checked by PeriodRule
    current = fixed_period_containing(anchor, months, context.on)
    return current, fixed_period_containing(anchor, months, current.start - timedelta(days=1))


def _period_status(
    requirement: Requirement, period: DateRange, context: _Context, previous_period: bool = False
) -> RequirementStatus:
    full = ONE if requirement.counts_completions else _prorated(requirement, period, context)
    waived, reason = _relief(requirement, period, full, context)
    due = period.end + timedelta(days=_leave_days(requirement, period, context))
    last_counted = min(due, context.on)
    done = sum((_amount(requirement, r) for r in context.records if period.start <= r.completed_on <= last_counted),
               ZERO)
    required = full - waived
    met = done >= required
    return RequirementStatus(requirement, period.start, due, done, required, waived, met,
                             overdue=not met and due < context.on, waived_reason=reason,
                             previous_period=previous_period)


def _rolling_status(requirement: Requirement, context: _Context) -> RequirementStatus:
    """Met while the newest records, summed newest first, reach the requirement within `months` of the
    oldest record needed. The due date is the latest such record's date plus `months` (plus leave), and
    never earlier than `months` after licensing, so a newly licensed officer is not overdue at once."""
    months = requirement.period.months
    window = DateRange(add_months(context.on, -months), context.on)
    full = ONE if requirement.counts_completions else (requirement.hours or ONE)
    waived, reason = _relief(requirement, window, full, context)
    required = full - waived
    if required == 0:
        return RequirementStatus(requirement, window.start, context.on, ZERO, required, waived, met=True,
                                 overdue=False, waived_reason=reason)
    due = _extended(requirement, context.officer.licence_date, months, context)
    reached = False
    done = cumulative = ZERO
    for record in reversed(context.records):
        amount = _amount(requirement, record)
        if record.completed_on > context.on or amount == 0:
            continue
        cumulative += amount
        candidate = _extended(requirement, record.completed_on, months, context)
        if cumulative >= required and (not reached or candidate > due):
            due, done, reached = max(due, candidate), cumulative, True
    met = reached and context.on <= due
    if not met:
        done = sum((_amount(requirement, r) for r in context.records if r.completed_on in window), ZERO)
    return RequirementStatus(requirement, window.start, due, done, required, waived, met,
                             overdue=not met and due < context.on, waived_reason=reason)


def _extended(requirement: Requirement, start: date, months: int, context: _Context) -> date:
    end = add_months(start, months)
    return end + timedelta(days=_leave_days(requirement, DateRange(start, end), context))


def _amount(requirement: Requirement, record: CreditRecord) -> Decimal:
    """What one record contributes to one requirement."""
    course_match = record.course_number is not None and record.course_number in requirement.course_numbers
    if requirement.kind == "total_hours":
        return record.hours
    if requirement.kind == "course":
        return ONE if course_match else ZERO
    credit = record.credit_in(requirement.topics)
    if requirement.kind != "recurring":
        return credit
    if requirement.hours is None:
        return ONE if credit > 0 or course_match else ZERO
    return credit if credit > 0 or not course_match else record.hours


def _prorated(requirement: Requirement, period: DateRange, context: _Context) -> Decimal:
    hours = requirement.hours or ONE
    licence = context.officer.licence_date
    rule = context.proration
    if rule.method != "monthly" or requirement.kind not in rule.kinds or licence <= period.start:
        return hours
    share = Decimal(months_touched(licence, period.end)) / Decimal(months_touched(period.start, period.end))
    return min(hours, (hours * share).to_integral_value(rounding=ROUND_CEILING))


def _relief(
    requirement: Requirement, period: DateRange, full: Decimal, context: _Context
) -> tuple[Decimal, str | None]:
    """How much exemptions and waivers take off `full` for this period, and why."""
    if requirement.id in context.officer.exemptions:
        if requirement.exemptible:
            return full, "exempt (officer profile)"
        context.note(f"{requirement.id} cannot be exempted; the exemption on the officer's profile is ignored")
    waived = ZERO
    reasons = []
    for waiver in context.waivers:
        if waiver.kind == "leave" or not waiver.covers(requirement.id) or not waiver.overlaps(period.start, period.end):
            continue
        if waiver.kind == "exemption" and not requirement.exemptible:
            context.note(f"{requirement.id} cannot be exempted; the exemption by {waiver.granted_by} is ignored")
            continue
        if waiver.kind == "exemption" or waiver.hours_reduction is None or requirement.counts_completions:
            return full, f"{waiver.reason} ({waiver.kind} granted by {waiver.granted_by})"
        waived += waiver.hours_reduction
        reasons.append(f"{waiver.reason} ({waiver.hours_reduction.normalize():f} waived by {waiver.granted_by})")
    return min(waived, full), "; ".join(reasons) or None


def _leave_days(requirement: Requirement, period: DateRange, context: _Context) -> int:
    spans = []
    for waiver in context.waivers:
        if waiver.kind != "leave" or not waiver.covers(requirement.id):
            continue
        start = max(waiver.starts_on, period.start)
        end = min(waiver.ends_on or context.on, period.end)
        if start <= end:
            spans.append(DateRange(start, end))
    return days_in(spans)


def _summarise(statuses: list[RequirementStatus], context: _Context) -> ComplianceStatus:
    current = [status for status in statuses if not status.previous_period]
    total = next((status for status in current if status.requirement.kind == "total_hours"), None)
    if total is not None:
        total_done, total_required = total.done, total.required
    else:
        total_done = sum((r.hours for r in context.records if context.cycle.start <= r.completed_on <= context.on),
                         ZERO)
        total_required = ZERO
    unit = context.pack.credit_unit
    return ComplianceStatus(
        officer_id=context.officer.officer_id,
        pack_code=context.pack.code,
        on=context.on,
        cycle_start=context.cycle.start,
        cycle_end=context.cycle.end,
        days_left=(context.cycle.end - context.on).days,
        total_done=total_done,
        total_required=total_required,
        requirements=tuple(statuses),
        missing=tuple(describe_missing(status, context.on, unit) for status in statuses if not status.met),
        percent=_percent(current),
        state=_state(statuses, context.on),
        notes=tuple(context.notes),
    )


def _percent(statuses: list[RequirementStatus]) -> int:
    whole = sum((status.required + status.waived for status in statuses), ZERO)
    if whole == 0:
        return 100
    achieved = sum((min(status.done, status.required) + status.waived for status in statuses), ZERO)
    return int((100 * achieved / whole).to_integral_value(rounding=ROUND_FLOOR))


def _state(statuses: list[RequirementStatus], on: date) -> ComplianceState:
    if any(status.overdue for status in statuses):
        return "overdue"
    if all(status.met for status in statuses):
        return "compliant"
    if any(_at_risk(status, on) for status in statuses):
        return "at_risk"
    return "on_track"


def _at_risk(status: RequirementStatus, on: date) -> bool:
    if status.met:
        return False
    if status.previous_period:
        return True  # still open only because leave moved its due date
    if (status.due_on - on).days > AT_RISK_DAYS:
        return False
    length = (status.due_on - status.period_start).days + 1
    elapsed = Decimal((on - status.period_start).days + 1) / length
    return status.progress < elapsed

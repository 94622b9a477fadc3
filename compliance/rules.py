"""What a rule pack says: the licensing cycle, the requirements inside it, and how to prorate them.

Plain frozen dataclasses, so a requirement can come from a pack file (`compliance.packs`) or be built
in code (an agency's own firearms qualification, stored in the database). Each class checks its own
consistency on construction, so both routes get the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal, get_args

if TYPE_CHECKING:
    from compliance.examples import WorkedExample

RequirementKind = Literal["total_hours", "topic_hours", "topic_group_hours", "course", "recurring"]
PeriodKind = Literal["cycle", "fixed", "rolling"]
CycleKind = Literal["licence_anchored", "fixed"]
FirstCycleCount = Literal["calendar_years", "anniversary"]
ProrationMethod = Literal["none", "monthly", "first_full_unit"]
LicenceStatus = Literal["active", "inactive"]
WithoutEmployer = Literal["active", "inactive", "none"]

REQUIREMENT_KINDS: tuple[str, ...] = get_args(RequirementKind)
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)
CYCLE_KINDS: tuple[str, ...] = get_args(CycleKind)
FIRST_CYCLE_COUNTS: tuple[str, ...] = get_args(FirstCycleCount)
WITHOUT_EMPLOYER: tuple[str, ...] = get_args(WithoutEmployer)
PRORATION_METHODS: tuple[str, ...] = get_args(ProrationMethod)
LICENCE_STATUSES: tuple[str, ...] = get_args(LicenceStatus)


@dataclass(frozen=True)
class CycleRule:
    """The licensing cycle every officer is measured in.

    `licence_anchored` (Minnesota, Florida): cycles end on a fixed day of the year (end_month/end_day). The
    first cycle runs from the licence date to that day in the year `first_cycle_years_after` calendar years
    after the licence year (`first_cycle_count = "calendar_years"`, Minnesota), or to the first such day on
    or after the licence date's `first_cycle_years_after`-th anniversary (`"anniversary"`, Florida: certified
    21 November 1997, anniversary 21 November 2001, deadline 30 June 2002); later cycles last `length_years`.
    `fixed` (California, Texas): statewide cycles of `length_years` starting on `anchor` (any cycle's start).
    """

    kind: CycleKind
    length_years: int
    end_month: int = 12
    end_day: int = 31
    first_cycle_years_after: int = 0
    anchor: date | None = None
    first_cycle_count: FirstCycleCount = "calendar_years"

    def __post_init__(self) -> None:
        if self.kind not in CYCLE_KINDS:
            raise ValueError(f"unknown cycle kind {self.kind!r} (expected one of {', '.join(CYCLE_KINDS)})")
        if self.first_cycle_count not in FIRST_CYCLE_COUNTS:
            expected = ", ".join(FIRST_CYCLE_COUNTS)
            raise ValueError(f"unknown first_cycle_count {self.first_cycle_count!r} (expected one of {expected})")
        if self.length_years < 1:
            raise ValueError("cycle length_years must be at least 1")
        if self.kind == "fixed" and self.anchor is None:
            raise ValueError("a fixed cycle needs an anchor date (the start of any one cycle)")
        if self.kind == "licence_anchored":
            if self.first_cycle_years_after < 1:
                raise ValueError("a licence-anchored cycle needs first_cycle_years_after of at least 1")
            date(2000, self.end_month, self.end_day)  # a leap year, so 29 February is accepted


@dataclass(frozen=True)
class PeriodRule:
    """When a requirement falls due.

    `cycle`: once per licensing cycle. `fixed`: calendar periods of `months` starting on `anchor` (Texas's
    2-year units). `rolling`: within `months` of the last completion (use of force every 12 months).
    """

    kind: PeriodKind = "cycle"
    months: int = 0
    anchor: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {self.kind!r} (expected one of {', '.join(PERIOD_KINDS)})")
        if self.kind in ("fixed", "rolling") and self.months < 1:
            raise ValueError(f"a {self.kind} period needs months of at least 1")
        if self.kind == "fixed" and self.anchor is None:
            raise ValueError("a fixed period needs an anchor date (the start of any one period)")


CYCLE = PeriodRule("cycle")


@dataclass(frozen=True)
class Requirement:
    """One thing an officer must do, where it comes from and when it is in force.

    `effective_from`/`effective_to` (inclusive) are compared with the end of the period being measured
    (the renewal date), or with the evaluation date for rolling periods: "required for renewals from 2027"
    is `effective_from = 2027-06-30`.
    For `course`, any one of `course_numbers` satisfies the requirement (renumbered courses). For
    `recurring`, `hours` is optional: without it one completion (a record with credit in one of the
    topics, or one of the course numbers) is enough.
    """

    id: str
    title: str
    kind: RequirementKind
    source: str
    effective_from: date
    effective_to: date | None = None
    hours: Decimal | None = None
    topics: tuple[str, ...] = ()
    course_numbers: tuple[str, ...] = ()
    period: PeriodRule = CYCLE
    applies_to: frozenset[LicenceStatus] = frozenset({"active"})
    requires_flags: frozenset[str] = frozenset()
    excluded_by_flags: frozenset[str] = frozenset()
    exemptible: bool = False

    def __post_init__(self) -> None:
        if not self.id or not self.title:
            raise ValueError("a requirement needs an id and a title")
        if not self.source.strip():
            raise ValueError("a requirement needs a source citation")
        if self.kind not in REQUIREMENT_KINDS:
            raise ValueError(f"unknown kind {self.kind!r} (expected one of {', '.join(REQUIREMENT_KINDS)})")
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        if self.hours is not None and self.hours <= 0:
            raise ValueError("hours must be positive")
        unknown = set(self.applies_to) - set(LICENCE_STATUSES)
        if unknown or not self.applies_to:
            raise ValueError(f"applies_to must name licence statuses from {', '.join(LICENCE_STATUSES)}")
        self._check_shape()

    def _check_shape(self) -> None:
        needs_hours = self.kind in ("total_hours", "topic_hours", "topic_group_hours")
        if needs_hours and self.hours is None:
            raise ValueError(f"a {self.kind} requirement needs hours")
        if self.kind == "topic_hours" and len(self.topics) != 1:
            raise ValueError("a topic_hours requirement names exactly one topic")
        if self.kind == "topic_group_hours" and len(self.topics) < 2:
            raise ValueError("a topic_group_hours requirement names at least two topics")
        if self.kind == "course" and not self.course_numbers:
            raise ValueError("a course requirement needs course_numbers")
        if self.kind == "recurring" and not (self.topics or self.course_numbers):
            raise ValueError("a recurring requirement needs topics or course_numbers")

    @property
    def counts_completions(self) -> bool:
        """True when progress is counted in completions (one unit) rather than hours."""
        return self.kind == "course" or (self.kind == "recurring" and self.hours is None)

    def in_force(self, reference: date) -> bool:
        return self.effective_from <= reference and (self.effective_to is None or reference <= self.effective_to)


@dataclass(frozen=True)
class ProrationRule:
    """How much of an hours requirement an officer licensed part-way through a period owes.

    Packs default to `none` where the state publishes no rule, and an agency may override it.
    `monthly`: required x (calendar months from the licence month to the period's end) / (months in the
    period), rounded up to whole hours.
    `first_full_unit` (Texas): nothing is owed in a period unless its last `unit_months`-month unit starts on
    or after the licence date, so a 2-year unit is owed only when the officer held the licence all of it,
    and a 4-year cycle only when its second unit is complete. Only the requirement kinds in `kinds` are
    affected. `agency_decides`: the state publishes no rule, so each agency picks the method (California);
    `method` is then the default.
    """

    method: ProrationMethod = "none"
    kinds: frozenset[RequirementKind] = frozenset({"total_hours"})
    unit_months: int = 0
    source: str = ""
    agency_decides: bool = False

    def __post_init__(self) -> None:
        if self.method not in PRORATION_METHODS:
            expected = ", ".join(PRORATION_METHODS)
            raise ValueError(f"unknown proration method {self.method!r} (expected one of {expected})")
        if (self.method == "first_full_unit") != (self.unit_months > 0):
            raise ValueError("unit_months is needed by, and only by, the first_full_unit method")
        unknown = set(self.kinds) - set(REQUIREMENT_KINDS)
        if unknown:
            raise ValueError(f"proration kinds: unknown requirement kind(s) {', '.join(sorted(unknown))}")


@dataclass(frozen=True)
class RulePack:
    """One state's versioned rules. `credit_unit` is the word the missing-work sentences use.

    `without_employer`: how the state treats a licensee with no current employer (a state-board install
    tracks them): as an `active` or an `inactive` licence (whose requirements then apply), or `none` (the
    state sets no continuing education for them). `examples` are the pack's worked examples
    (compliance.examples), checked by the test suite against the engine.
    """

    code: str
    name: str
    state: str
    version: str
    source: str
    cycle: CycleRule
    requirements: tuple[Requirement, ...]
    proration: ProrationRule = field(default_factory=ProrationRule)
    credit_unit: Literal["hours", "credits"] = "hours"
    without_employer: WithoutEmployer = "none"
    without_employer_source: str = ""
    examples: tuple[WorkedExample, ...] = ()

    def __post_init__(self) -> None:
        if self.without_employer not in WITHOUT_EMPLOYER:
            expected = ", ".join(WITHOUT_EMPLOYER)
            raise ValueError(f"without_employer must be one of {expected}, not {self.without_employer!r}")
        if self.credit_unit not in ("hours", "credits"):
            raise ValueError(f"credit_unit must be 'hours' or 'credits', not {self.credit_unit!r}")
        ids = [requirement.id for requirement in self.requirements]
        duplicates = sorted({rid for rid in ids if ids.count(rid) > 1})
        if duplicates:
            raise ValueError(f"duplicate requirement id(s): {', '.join(duplicates)}")

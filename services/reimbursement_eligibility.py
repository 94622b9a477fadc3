"""Who counts for Minnesota POST reimbursement in a fiscal year: a pure rule, no database.

The rule (Minn. R. 6700.1800 subp. 2 and 3, as quoted on dps.mn.gov/entity/post/continuing-education/Pages/
reimbursement.aspx, and mn.gov/post/licensees/continuingeducation/continuingeducat): a share is paid for each
peace officer who "has been employed by the same local unit during at least eight of the 12 months" of the
fiscal year (July 1 to June 30) and had "at least 16 hours of board-approved continuing education made
available to the peace officer by the local unit during those 12 months"; a part-time officer may be counted
"but only one local unit shall be credited with a share for the same peace officer".

How months count: neither the rule nor the Board's pages say how a partly worked month counts. Muster counts
a calendar month of the fiscal year when the officer was employed on every day of it (whole months only);
days in partly worked months are reported ("7 months and 12 days") but never add up to a month. Why: the
chief affirms the list is eligible under the Board's rules, and an overclaimed share is repaid, so the
reading that can never count a month the officer did not work is the safe one, and a whole calendar month is
what payroll shows and anyone can check by hand. Spells of employment are summed (a re-hire's months in both
spells count); leave and transfers between units do not interrupt employment by the agency.

Credits: the hours of the officer's training records with this agency completed within the fiscal year (one
POST credit per hour, Minn. R. 6700.1000; every record Muster keeps is continuing education reviewed by a
coordinator or entered by one).
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from compliance.wording import format_amount, format_date

MINIMUM_MONTHS = 8
MINIMUM_CREDITS = Decimal(16)
FIRST_FISCAL_YEAR = 2000  # the earliest year the pages offer; nothing older is kept in Muster


@dataclass(frozen=True)
class FiscalYear:
    """Minnesota's fiscal year, named by the year it closes: 2026 runs 1 July 2025 to 30 June 2026."""

    closing_year: int

    @property
    def starts_on(self) -> date:
        return date(self.closing_year - 1, 7, 1)

    @property
    def ends_on(self) -> date:
        return date(self.closing_year, 6, 30)

    @property
    def application_due(self) -> date:
        return date(self.closing_year, 7, 31)

    @property
    def label(self) -> str:
        return f"FY{self.closing_year} ({format_date(self.starts_on)} - {format_date(self.ends_on)})"

    def months(self) -> list[tuple[int, int]]:
        """The twelve (year, month) pairs, July first."""
        return [(self.closing_year - 1, month) for month in range(7, 13)] + \
               [(self.closing_year, month) for month in range(1, 7)]

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def fiscal_year_of(day: date) -> FiscalYear:
    return FiscalYear(day.year + 1 if day.month >= 7 else day.year)


@dataclass(frozen=True)
class Spell:
    """One spell of employment at the agency (ended_on None: still employed)."""

    started_on: date
    ended_on: date | None
    part_time: bool = False


@dataclass(frozen=True)
class OfficerFacts:
    person_id: int
    name: str
    license_number: str | None
    spells: tuple[Spell, ...]
    credits: Decimal
    claimed_elsewhere: bool = False


@dataclass(frozen=True)
class Eligibility:
    person_id: int
    name: str
    license_number: str | None
    months: int  # whole calendar months employed in the fiscal year
    extra_days: int  # days employed in the fiscal year's other, partly worked months
    first_day: date | None  # first and last day employed within the fiscal year
    last_day: date | None
    credits: Decimal
    part_time: bool
    claimed_elsewhere: bool
    eligible: bool
    reason: str  # why not, in words; empty when eligible


def employed_days(spells: tuple[Spell, ...], year: FiscalYear) -> set[date]:
    """Every day of the fiscal year the officer was employed by the agency (spells may overlap)."""
    days: set[date] = set()
    for spell in spells:
        first = max(spell.started_on, year.starts_on)
        last = min(spell.ended_on or year.ends_on, year.ends_on)
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days


def months_employed(spells: tuple[Spell, ...], year: FiscalYear) -> tuple[int, int]:
    """(whole calendar months employed, days employed in the other months) within the fiscal year."""
    days = employed_days(spells, year)
    whole, extra = 0, 0
    for y, m in year.months():
        in_month = sum(1 for d in range(1, monthrange(y, m)[1] + 1) if date(y, m, d) in days)
        if in_month == monthrange(y, m)[1]:
            whole += 1
        else:
            extra += in_month
    return whole, extra


def describe_months(months: int, extra_days: int) -> str:
    text = f"{months} month{'' if months == 1 else 's'}"
    if extra_days:
        text += f" and {extra_days} day{'' if extra_days == 1 else 's'}"
    return f"{text} employed"


def describe_credits(credits: Decimal) -> str:
    return f"{format_amount(credits)} credit{'' if credits == 1 else 's'}"


def assess(facts: OfficerFacts, year: FiscalYear) -> Eligibility:
    """The officer's standing for the year, with the reason in words when they do not count."""
    months, extra = months_employed(facts.spells, year)
    days = employed_days(facts.spells, year)
    part_time = any(spell.part_time for spell in facts.spells if _overlaps(spell, year))
    problems: list[str] = []
    if not facts.license_number:
        problems.append("no licence number on the roster")
    if months < MINIMUM_MONTHS:
        problems.append(f"{describe_months(months, extra)} ({MINIMUM_MONTHS} whole months needed)")
    if facts.credits < MINIMUM_CREDITS:
        problems.append(f"{describe_credits(facts.credits)} ({format_amount(MINIMUM_CREDITS)} needed)")
    if facts.claimed_elsewhere:
        problems.append("part-time, claimed by another agency")
    return Eligibility(
        person_id=facts.person_id, name=facts.name, license_number=facts.license_number, months=months,
        extra_days=extra, first_day=min(days) if days else None, last_day=max(days) if days else None,
        credits=facts.credits, part_time=part_time, claimed_elsewhere=facts.claimed_elsewhere,
        eligible=not problems, reason="; ".join(problems),
    )


def _overlaps(spell: Spell, year: FiscalYear) -> bool:
    return spell.started_on <= year.ends_on and (spell.ended_on is None or spell.ended_on >= year.starts_on)


def _counted_to(spells: tuple[Spell, ...], as_of: date) -> tuple[Spell, ...]:
    """The spells as far as they have happened by `as_of` (a year in progress counts no future day)."""
    return tuple(Spell(spell.started_on, min(spell.ended_on or as_of, as_of), spell.part_time)
                 for spell in spells if spell.started_on <= as_of)


def assess_all(officers: list[OfficerFacts], year: FiscalYear, as_of: date | None = None) -> list[Eligibility]:
    """Everyone employed at some time in the year (up to `as_of` while it runs), eligible first, then by name."""
    if as_of is not None and as_of < year.ends_on:
        officers = [replace(facts, spells=_counted_to(facts.spells, as_of)) for facts in officers]
    rows = [assess(facts, year) for facts in officers if any(_overlaps(s, year) for s in facts.spells)]
    return sorted(rows, key=lambda row: (not row.eligible, row.name.lower(), row.person_id))

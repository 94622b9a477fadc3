"""Worked examples kept in a rule pack next to its rules: an officer, a date, records, and what the source
says the outcome is. tests/compliance/test_pack_examples.py runs every one through the engine, so a pack is
checked against its own sources rather than against the code that reads it.

An example either comes from the source itself (`source`: the citation that gives it) or follows directly
from the rule text (`derived_from`: the rule it is worked from).

    [[examples]]
    name = "Certified in November: first deadline the June 30 after the fourth anniversary"
    source = "Fla. Admin. Code 11B-27.00212(1), the rule's own example"
    licence_date = 1997-11-21
    on = 1998-01-05
    expect = { cycle_start = 1997-11-21, cycle_end = 2002-06-30 }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from compliance.records import CreditRecord, OfficerProfile

EXAMPLE_KEYS = {"name", "source", "derived_from", "licence_date", "licence_status", "employed", "flags", "on",
                "records", "expect"}
RECORD_KEYS = {"on", "hours", "credits", "course"}
EXPECT_KEYS = {"cycle_start", "cycle_end", "state", "unmet", "missing", "total_required"}
STATES = ("compliant", "on_track", "at_risk", "overdue")


@dataclass(frozen=True)
class WorkedExample:
    """`state`, `unmet` (requirement ids) and `missing` (sentences) are checked only when given."""

    name: str
    citation: str
    derived: bool
    officer: OfficerProfile
    on: date
    records: tuple[CreditRecord, ...]
    cycle_start: date
    cycle_end: date
    state: str | None = None
    unmet: tuple[str, ...] | None = None
    missing: tuple[str, ...] | None = None
    total_required: Decimal | None = None

    @property
    def cites(self) -> str:
        return f"derived from {self.citation}" if self.derived else self.citation


def worked_example(data: Mapping[str, Any]) -> WorkedExample:
    """One `[[examples]]` table; raises ValueError naming what is wrong."""
    _known(data, EXAMPLE_KEYS, "example")
    if ("source" in data) == ("derived_from" in data):
        raise ValueError("an example needs exactly one of source (the source gives it) or derived_from")
    citation = str(data.get("source") or data.get("derived_from") or "").strip()
    if not citation:
        raise ValueError("an example's citation is empty")
    expect = data["expect"]
    _known(expect, EXPECT_KEYS, "expect")
    state = expect.get("state")
    if state is not None and state not in STATES:
        raise ValueError(f"expect.state must be one of {', '.join(STATES)}, not {state!r}")
    officer = OfficerProfile(
        officer_id=f"example: {data['name']}", licence_date=_day(data["licence_date"], "licence_date"),
        licence_status=data.get("licence_status", "active"), flags=frozenset(data.get("flags", ())),
        employed=bool(data.get("employed", True)),
    )
    records = tuple(_record(index, item) for index, item in enumerate(data.get("records", ()), start=1))
    return WorkedExample(
        name=str(data["name"]), citation=citation, derived="derived_from" in data, officer=officer,
        on=_day(data["on"], "on"), records=records,
        cycle_start=_day(expect["cycle_start"], "expect.cycle_start"),
        cycle_end=_day(expect["cycle_end"], "expect.cycle_end"), state=state,
        unmet=None if "unmet" not in expect else tuple(expect["unmet"]),
        missing=None if "missing" not in expect else tuple(expect["missing"]),
        total_required=None if "total_required" not in expect else Decimal(str(expect["total_required"])),
    )


def _record(index: int, data: Mapping[str, Any]) -> CreditRecord:
    _known(data, RECORD_KEYS, f"example record {index}")
    credits = {topic: Decimal(str(amount)) for topic, amount in data.get("credits", {}).items()}
    course = data.get("course")
    return CreditRecord(record_id=f"example-{index}", completed_on=_day(data["on"], f"record {index} on"),
                        hours=Decimal(str(data["hours"])), topic_credits=credits,
                        course_number=None if course is None else str(course))


def _known(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"unknown {where} key(s): {', '.join(unknown)}")


def _day(value: Any, key: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(f"{key} must be a TOML date like 2024-06-30, not {value!r}")

"""Read rule packs from `rulepacks/*.toml` into `compliance.rules` dataclasses, with errors naming the
file and the rule. The files are the only I/O in the compliance package."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from compliance.examples import worked_example
from compliance.rules import CycleRule, PeriodRule, ProrationRule, Requirement, RulePack

RULEPACK_DIR = Path(__file__).resolve().parent.parent / "rulepacks"

PACK_KEYS = {"code", "name", "state", "version", "source", "credit_unit", "cycle", "proration", "requirements",
             "without_employer", "examples"}
CYCLE_KEYS = {"kind", "length_years", "end_month", "end_day", "first_cycle_years_after", "first_cycle_count",
              "anchor", "source"}
PERIOD_KEYS = {"kind", "months", "anchor"}
PRORATION_KEYS = {"method", "kinds", "unit_months", "source", "agency_decides"}
WITHOUT_EMPLOYER_KEYS = {"measured_as", "source"}
REQUIREMENT_KEYS = {
    "id", "title", "kind", "source", "effective_from", "effective_to", "hours", "topics", "course_numbers",
    "period", "applies_to", "requires_flags", "excluded_by_flags", "exemptible",
}


class RulePackError(ValueError):
    """A rule-pack file that cannot be used; the message names the file and the rule."""


def available_packs(directory: Path = RULEPACK_DIR) -> dict[str, Path]:
    """Pack code -> file, for every pack in `directory`."""
    return {load_pack_file(path).code: path for path in sorted(directory.glob("*.toml"))}


def load_pack(code: str, directory: Path = RULEPACK_DIR) -> RulePack:
    """The pack whose `code` is `code` (e.g. "MN-POST")."""
    packs = available_packs(directory)
    if code not in packs:
        known = ", ".join(sorted(packs)) or "none"
        raise RulePackError(f"no rule pack with code {code!r} in {directory} (available: {known})")
    return load_pack_file(packs[code])


def load_pack_file(path: Path) -> RulePack:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise RulePackError(f"{path.name}: not valid TOML: {error}") from error
    try:
        return _pack(data)
    except (ValueError, TypeError, KeyError) as error:
        raise RulePackError(f"{path.name}: {_message(error)}") from error


def _message(error: Exception) -> str:
    return f"missing {error}" if isinstance(error, KeyError) else str(error)


def _pack(data: Mapping[str, Any]) -> RulePack:
    _known_keys(data, PACK_KEYS, "pack")
    requirements = []
    for index, item in enumerate(data.get("requirements", ()), start=1):
        label = f"requirement {item.get('id', f'#{index}')!r}"
        try:
            requirements.append(_requirement(item))
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"{label}: {_message(error)}") from error
    try:
        cycle = _cycle(data["cycle"])
        proration = ProrationRule(**_proration_args(data.get("proration", {})))
    except (ValueError, TypeError) as error:
        raise ValueError(f"cycle/proration: {error}") from error
    if not requirements:
        raise ValueError("a pack needs at least one [[requirements]] entry")
    examples = []
    for index, item in enumerate(data.get("examples", ()), start=1):
        try:
            examples.append(worked_example(item))
        except (ValueError, TypeError, KeyError) as error:
            raise ValueError(f"example {item.get('name', f'#{index}')!r}: {_message(error)}") from error
    without_employer = data.get("without_employer", {})
    _known_keys(without_employer, WITHOUT_EMPLOYER_KEYS, "without_employer")
    return RulePack(
        code=_text(data, "code"),
        name=_text(data, "name"),
        state=_text(data, "state"),
        version=_text(data, "version"),
        source=_text(data, "source"),
        cycle=cycle,
        requirements=tuple(requirements),
        proration=proration,
        credit_unit=data.get("credit_unit", "hours"),
        without_employer=without_employer.get("measured_as", "none"),
        without_employer_source=without_employer.get("source", ""),
        examples=tuple(examples),
    )


def _cycle(data: Mapping[str, Any]) -> CycleRule:
    _known_keys(data, CYCLE_KEYS, "cycle")
    args = {key: value for key, value in data.items() if key != "source"}
    if "anchor" in args:
        args["anchor"] = _date(args["anchor"], "anchor")
    return CycleRule(**args)


def _proration_args(data: Mapping[str, Any]) -> dict[str, Any]:
    _known_keys(data, PRORATION_KEYS, "proration")
    args = dict(data)
    if "kinds" in args:
        args["kinds"] = frozenset(args["kinds"])
    return args


def _period(value: Any) -> PeriodRule:
    if value == "cycle":
        return PeriodRule("cycle")
    if not isinstance(value, Mapping):
        raise ValueError(f"period must be \"cycle\" or a table with kind and months, not {value!r}")
    _known_keys(value, PERIOD_KEYS, "period")
    anchor = _date(value["anchor"], "period anchor") if "anchor" in value else None
    return PeriodRule(kind=value["kind"], months=value.get("months", 0), anchor=anchor)


def _requirement(data: Mapping[str, Any]) -> Requirement:
    _known_keys(data, REQUIREMENT_KEYS, "requirement")
    effective_to = data.get("effective_to")
    hours = data.get("hours")
    return Requirement(
        id=_text(data, "id"),
        title=_text(data, "title"),
        kind=data["kind"],
        source=_text(data, "source"),
        effective_from=_date(data["effective_from"], "effective_from"),
        effective_to=None if effective_to is None else _date(effective_to, "effective_to"),
        hours=None if hours is None else Decimal(str(hours)),
        topics=tuple(data.get("topics", ())),
        course_numbers=tuple(str(number) for number in data.get("course_numbers", ())),
        period=_period(data.get("period", "cycle")),
        applies_to=frozenset(data.get("applies_to", ("active",))),
        requires_flags=frozenset(data.get("requires_flags", ())),
        excluded_by_flags=frozenset(data.get("excluded_by_flags", ())),
        exemptible=bool(data.get("exemptible", False)),
    )


def _known_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValueError(f"unknown {where} key(s): {', '.join(unknown)}")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} is missing or empty")
    return value


def _date(value: Any, key: str) -> date:
    # TOML has a date type (effective_from = 2024-06-30); a quoted string or a date-time is a mistake.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError(f"{key} must be a TOML date like 2024-06-30, not {value!r}")

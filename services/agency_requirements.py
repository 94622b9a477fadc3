"""An agency's own requirements on top of its state rule pack (an annual firearms qualification, a
department course), as rows and as the engine's `Requirement`s.

The form is validated by building a `compliance.Requirement`, so a coordinator meets the same rules as a
rule-pack author. Requirements are never deleted: retiring one stops it counting and keeps the history.
Callers audit and commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance import PeriodRule, Requirement
from compliance.rules import PERIOD_KINDS
from compliance.wording import format_amount, format_date
from models import AgencyRequirement, utcnow
from services.form_text import control_character_problem

log = logging.getLogger(__name__)

ENGINE_ID_PREFIX = "agency:"
FORM_FIELDS = ("title", "code", "kind", "hours", "course_numbers", "period_kind", "period_months", "period_anchor",
               "effective_from", "effective_to", "source")
# The kinds a coordinator can choose (the engine also knows topic_group_hours, used by state packs).
KIND_LABELS = {
    "total_hours": "Total hours (any topic)",
    "topic_hours": "Hours in one topic",
    "course": "A specific course",
    "recurring": "Recurring completion (topic or course)",
}
PERIOD_LABELS = {
    "cycle": "Once per licensing cycle",
    "rolling": "Every N months, counted from the last completion (rolling)",
    "fixed": "Fixed periods of N months from an anchor date",
}
TEXT_LIMITS = {"title": 200, "code": 60, "source": 500}
REASON_LIMIT = 500
MAX_HOURS = Decimal(1000)
MAX_MONTHS = 120
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Which form field an engine message is about, by a word in the message (first match wins).
_ENGINE_FIELDS = (("needs hours", "hours"), ("hours must", "hours"), ("needs topics", "topics"), ("names", "topics"),
                  ("course_numbers", "course_numbers"), ("effective_to", "effective_to"), ("source", "source"),
                  ("anchor", "period_anchor"), ("months", "period_months"), ("period kind", "period_kind"),
                  ("kind", "kind"), ("title", "title"))


def engine_id(code: str) -> str:
    return f"{ENGINE_ID_PREFIX}{code}"


def is_agency_requirement(requirement: Requirement) -> bool:
    return requirement.id.startswith(ENGINE_ID_PREFIX)


def period_rule(kind: str, months: int, anchor: date | None) -> PeriodRule:
    if kind == "cycle":
        return PeriodRule("cycle")
    return PeriodRule(kind, months, anchor if kind == "fixed" else None)  # type: ignore[arg-type]


def requirement_from_row(row: AgencyRequirement) -> Requirement:
    """The engine's view of a stored requirement (active licensees only, like the packs' in-service rules)."""
    return Requirement(
        id=engine_id(row.code),
        title=row.title,
        kind=row.kind,  # type: ignore[arg-type]
        source=row.source,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        hours=row.hours,
        topics=tuple(row.topics or ()),
        course_numbers=tuple(row.course_numbers or ()),
        period=period_rule(row.period_kind, row.period_months, row.period_anchor),
    )


async def agency_requirement_rows(session: AsyncSession, agency_id: int, *, retired: bool = False
                                  ) -> list[AgencyRequirement]:
    """The agency's requirements in force (or, with `retired`, the retired ones), oldest first."""
    retired_filter = AgencyRequirement.retired_at.is_not(None) if retired else AgencyRequirement.retired_at.is_(None)
    return list(await session.scalars(
        select(AgencyRequirement).where(AgencyRequirement.agency_id == agency_id, retired_filter)
        .order_by(AgencyRequirement.id)
    ))


async def active_requirements(session: AsyncSession, agency_id: int) -> list[Requirement]:
    """What the engine adds to the state pack for this agency: every requirement not retired.

    Effective dates are the engine's business (it compares them with each period's end); retirement
    is not dated, so a retired requirement stops counting for every evaluation, past periods included.
    A row the engine rejects (edited outside the portal) is logged and left out rather than
    breaking every officer's dashboard.
    """
    requirements = []
    for row in await agency_requirement_rows(session, agency_id):
        try:
            requirements.append(requirement_from_row(row))
        except ValueError as error:
            log.error("agency requirement %s (%s) is not valid and is ignored: %s", row.id, row.code, error)
    return requirements


# --- The form ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementForm:
    """A validated form: the engine accepted `requirement`; `code` is the code the coordinator chose."""

    code: str
    requirement: Requirement


def _human(message: str) -> str:
    for kind, label in KIND_LABELS.items():
        message = message.replace(f"a {kind} requirement", f"“{label}”")
    message = message.replace("course_numbers", "course numbers").replace("effective_to", "the end date")
    message = message.replace("effective_from", "the start date")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _engine_field(message: str) -> str:
    return next((name for word, name in _ENGINE_FIELDS if word in message), "form")


def _parse_date(raw: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        errors[key] = f"Enter the {label} as a date (YYYY-MM-DD)."
        return None
    if not 1950 <= day.year <= 2200:
        errors[key] = f"The {label} is out of range."
        return None
    return day


def _parse_hours(raw: str, errors: dict[str, str]) -> Decimal | None:
    if not raw:
        return None
    try:
        hours = Decimal(raw)
    except InvalidOperation:
        hours = Decimal("NaN")
    if not hours.is_finite():
        errors["hours"] = "Enter the hours as a number, e.g. 4 or 1.5."
    elif hours > MAX_HOURS:
        errors["hours"] = f"Hours must be at most {MAX_HOURS}."
    elif hours <= 0:
        return hours  # the engine refuses it in its own words; quantize would overflow on -1e30
    elif hours != hours.quantize(Decimal("0.01")):
        errors["hours"] = "Use at most two decimal places for the hours."
    else:
        return hours
    return None


def _parse_months(raw: str, period_kind: str, errors: dict[str, str]) -> int:
    if period_kind == "cycle":
        return 0
    if not raw:
        errors["period_months"] = "Enter how many months each period lasts."
    # Short before int(): it refuses strings of more than 4,300 digits.
    elif not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not 1 <= int(raw) <= MAX_MONTHS:
        errors["period_months"] = f"Enter a whole number of months from 1 to {MAX_MONTHS}."
    else:
        return int(raw)
    return 0


def _text_fields(values: Mapping[str, str], errors: dict[str, str]) -> dict[str, str]:
    text = {key: values.get(key, "").strip() for key in TEXT_LIMITS}
    for key, label in (("title", "a title"), ("code", "a short code"), ("source", "the source (e.g. a policy number)")):
        if not text[key]:
            errors[key] = f"Enter {label}."
    for key, limit in TEXT_LIMITS.items():
        if len(text[key]) > limit:
            errors[key] = f"Use at most {limit} characters."
        elif problem := control_character_problem(text[key]):
            errors[key] = problem
    if text["code"] and "code" not in errors and not CODE_PATTERN.fullmatch(text["code"]):
        errors["code"] = "Use lower-case letters, digits and single hyphens, e.g. firearms-qualification."
    return text


def _shape_errors(kind: str, hours: Decimal | None, topics: tuple[str, ...], numbers: tuple[str, ...],
                  errors: dict[str, str]) -> None:
    """Combinations the engine accepts but would silently ignore: refuse them rather than mislead."""
    if kind == "total_hours" and (topics or numbers):
        errors["topics"] = "Total hours count every record: leave topics and course numbers empty."
    if kind == "course" and hours is not None:
        errors["hours"] = "A specific course is completed or not: leave the hours empty."
    if kind in ("total_hours", "topic_hours") and numbers:
        errors["course_numbers"] = "Course numbers only apply to a specific course or a recurring completion."
    if kind == "course" and topics:
        errors["topics"] = "A specific course is found by its course number: leave the topics empty."


def validate_requirement_form(
    values: Mapping[str, str], topics: Collection[str], known_topics: Collection[str]
) -> RequirementForm | dict[str, str]:
    """The form as the engine's `Requirement`, or a message per bad field (field name -> message)."""
    errors: dict[str, str] = {}
    text = _text_fields(values, errors)
    kind = values.get("kind", "").strip()
    if kind not in KIND_LABELS:
        errors["kind"] = "Choose what the requirement counts."
    period_kind = values.get("period_kind", "").strip()
    if period_kind not in PERIOD_KINDS:
        errors["period_kind"] = "Choose when the requirement falls due."
    hours = _parse_hours(values.get("hours", "").strip(), errors)
    months = _parse_months(values.get("period_months", "").strip(), period_kind, errors)
    anchor = _parse_date(values.get("period_anchor", "").strip(), "anchor date", errors, "period_anchor")
    effective_from = _parse_date(values.get("effective_from", "").strip(), "start date", errors, "effective_from")
    if effective_from is None and "effective_from" not in errors:
        errors["effective_from"] = "Enter the date from which the requirement applies."
    effective_to = _parse_date(values.get("effective_to", "").strip(), "end date", errors, "effective_to")
    chosen = tuple(sorted(set(topics)))
    if set(chosen) - set(known_topics):
        errors["topics"] = "Choose topics from the list."
    numbers = tuple(dict.fromkeys(n.strip() for n in values.get("course_numbers", "").split(",") if n.strip()))
    if any(len(number) > 40 for number in numbers):
        errors["course_numbers"] = "Each course number can have at most 40 characters."
    elif problem := control_character_problem(",".join(numbers)):
        errors["course_numbers"] = problem
    _shape_errors(kind, hours, chosen, numbers, errors)
    if errors:
        return errors
    assert effective_from is not None
    try:
        period = period_rule(period_kind, months, anchor)
        requirement = Requirement(
            id=engine_id(text["code"]), title=text["title"], kind=kind,  # type: ignore[arg-type]
            source=text["source"], effective_from=effective_from, effective_to=effective_to, hours=hours,
            topics=chosen, course_numbers=numbers, period=period,
        )
    except ValueError as error:
        message = str(error)
        return {_engine_field(message): _human(message)}
    return RequirementForm(code=text["code"], requirement=requirement)


def form_values(values: Mapping[str, str]) -> dict[str, str]:
    """The raw form as typed, for re-rendering (missing fields empty)."""
    return {name: str(values.get(name) or "") for name in FORM_FIELDS}


# --- Changes -------------------------------------------------------------------------------------------


def requirement_snapshot(row: AgencyRequirement) -> dict[str, object]:
    """What the audit trail keeps of a requirement (plain JSON values)."""
    return {
        "code": row.code, "title": row.title, "kind": row.kind,
        "hours": None if row.hours is None else format_amount(row.hours),
        "topics": list(row.topics), "course_numbers": list(row.course_numbers),
        "period_kind": row.period_kind, "period_months": row.period_months,
        "period_anchor": row.period_anchor.isoformat() if row.period_anchor else None,
        "effective_from": row.effective_from.isoformat(),
        "effective_to": row.effective_to.isoformat() if row.effective_to else None,
        "source": row.source,
    }


async def add_requirement(session: AsyncSession, agency_id: int, form: RequirementForm, created_by_id: int
                          ) -> AgencyRequirement | dict[str, str]:
    """Store the requirement, or say why not (its code is taken: codes of retired ones are not reused)."""
    taken = await session.scalar(select(AgencyRequirement.id).where(
        AgencyRequirement.agency_id == agency_id, AgencyRequirement.code == form.code))
    if taken is not None:
        return {"code": "The agency already has a requirement with this code (retired ones included): choose another."}
    requirement = form.requirement
    row = AgencyRequirement(
        agency_id=agency_id, code=form.code, title=requirement.title, kind=requirement.kind, hours=requirement.hours,
        topics=list(requirement.topics), course_numbers=list(requirement.course_numbers),
        period_kind=requirement.period.kind, period_months=requirement.period.months,
        period_anchor=requirement.period.anchor, effective_from=requirement.effective_from,
        effective_to=requirement.effective_to, source=requirement.source, created_by_id=created_by_id,
    )
    session.add(row)
    await session.flush()
    return row


async def retire_requirement(session: AsyncSession, agency_id: int, requirement_id: int, reason: str
                             ) -> AgencyRequirement | str:
    """Retire the requirement (it stops counting; the row stays), or the reason it cannot be."""
    row = await session.get(AgencyRequirement, requirement_id)
    if row is None or row.agency_id != agency_id:
        return "This requirement does not exist."
    if row.retired_at is not None:
        return "This requirement is already retired."
    if not reason:
        return "Say why the requirement is being retired."
    if len(reason) > REASON_LIMIT:
        return f"Use at most {REASON_LIMIT} characters for the reason."
    row.retired_at = utcnow()
    await session.flush()
    return row


# --- Plain descriptions for the requirements page -------------------------------------------------------


def describe_what(requirement: Requirement, topic_names: Mapping[str, str], unit: str) -> str:
    """What a requirement asks for, e.g. "6 credits in Crisis intervention"."""
    names = [topic_names.get(topic, topic) for topic in requirement.topics]
    amount = f"{format_amount(requirement.hours)} {unit}" if requirement.hours is not None else ""
    if requirement.kind == "total_hours":
        return f"{amount} in any topic"
    if requirement.kind == "topic_hours":
        return f"{amount} in {names[0]}"
    if requirement.kind == "topic_group_hours":
        return f"{amount} across {', '.join(names)}"
    if requirement.kind == "course":
        return f"Course {' or '.join(requirement.course_numbers)}"
    what = " or ".join([*names, *(f"course {number}" for number in requirement.course_numbers)])
    return f"{amount} in {what}" if amount else f"One completion in {what}"


def describe_period(requirement: Requirement) -> str:
    period = requirement.period
    if period.kind == "cycle":
        return "Per licensing cycle"
    if period.kind == "rolling":
        return f"Every {period.months} months (rolling, from the last completion)"
    assert period.anchor is not None
    return f"Periods of {period.months} months from {format_date(period.anchor)}"


def describe_scope(requirement: Requirement) -> str:
    """Who it applies to, when that is not every active officer."""
    parts = []
    if requirement.applies_to != frozenset({"active"}):
        parts.append(" and ".join(sorted(requirement.applies_to)) + " licences")
    if requirement.requires_flags:
        parts.append("only " + ", ".join(flag.replace("_", " ") for flag in sorted(requirement.requires_flags)))
    if requirement.exemptible:
        parts.append("exemptible")
    return "; ".join(parts)

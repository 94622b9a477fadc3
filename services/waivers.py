"""Exemptions, waivers and leave a coordinator records for an officer (the engine applies them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ComplianceWaiver, Person, WaiverKind
from services.form_text import control_character_problem, parse_date

REASON_LIMIT = 2000
MAX_REDUCTION = Decimal(200)
KIND_LABELS = {
    WaiverKind.EXEMPTION: "Exemption (the requirement does not apply, e.g. EVOC)",
    WaiverKind.WAIVER: "Waiver (credits the requirement as done, wholly or by some hours)",
    WaiverKind.LEAVE: "Leave (medical or military: deadlines move later by the days on leave)",
}


@dataclass(frozen=True)
class WaiverForm:
    requirement_id: str | None
    kind: WaiverKind
    starts_on: date
    ends_on: date | None
    hours_reduction: Decimal | None
    reason: str


def validate_waiver_form(values: dict[str, str], requirements: dict[str, str], exemptible: set[str]
                         ) -> WaiverForm | dict[str, str]:
    """`requirements`: the officer's requirement ids and titles; `exemptible`: ids the rules allow exempting."""
    errors: dict[str, str] = {}
    try:
        kind = WaiverKind(values.get("kind", ""))
    except ValueError:
        errors["kind"] = "Choose exemption, waiver or leave."
        kind = WaiverKind.WAIVER
    requirement_id = values.get("requirement_id", "").strip() or None
    if requirement_id is not None and requirement_id not in requirements:
        errors["requirement_id"] = "Choose one of the officer's requirements."
    elif requirement_id is None and kind != WaiverKind.LEAVE:
        errors["requirement_id"] = "Only leave can apply to every requirement; choose the requirement."
    elif kind == WaiverKind.EXEMPTION and requirement_id not in exemptible:
        errors["requirement_id"] = "The rules allow no exemption from this requirement; record a waiver instead."
    starts_on = parse_date(values.get("starts_on", ""))
    if starts_on is None:
        errors["starts_on"] = "Enter the first day it applies (YYYY-MM-DD)."
    ends_on = None
    if values.get("ends_on", "").strip():
        ends_on = parse_date(values["ends_on"])
        if ends_on is None:
            errors["ends_on"] = "Enter the last day as YYYY-MM-DD, or leave it empty if open-ended."
        elif starts_on is not None and ends_on < starts_on:
            errors["ends_on"] = "The last day cannot be before the first."
    hours_reduction = None
    raw_hours = values.get("hours_reduction", "").strip()
    if raw_hours:
        try:
            hours_reduction = Decimal(raw_hours)
        except InvalidOperation:
            hours_reduction = None
        if kind != WaiverKind.WAIVER:
            errors["hours_reduction"] = "Hours apply to a waiver only."
        elif hours_reduction is None or not hours_reduction.is_finite() or not 0 < hours_reduction <= MAX_REDUCTION:
            errors["hours_reduction"] = f"Enter hours from more than 0 to {MAX_REDUCTION}, or leave it empty."
        elif hours_reduction != hours_reduction.quantize(Decimal("0.01")):
            # Stored as NUMERIC(6, 2): 0.001 would become a waiver of 0 hours, 12.345 one of 12.35.
            errors["hours_reduction"] = "Use at most two decimal places for the hours."
    reason = values.get("reason", "").strip()
    if not reason:
        errors["reason"] = "Give the reason (and where the decision is documented)."
    elif len(reason) > REASON_LIMIT:
        errors["reason"] = f"Keep the reason under {REASON_LIMIT} characters."
    elif problem := control_character_problem(reason, multiline=True):
        errors["reason"] = problem
    if errors:
        return errors
    assert starts_on is not None
    return WaiverForm(requirement_id, kind, starts_on, ends_on, hours_reduction, reason)


async def officer_waivers(session: AsyncSession, officer_id: int) -> list[ComplianceWaiver]:
    return list(await session.scalars(
        select(ComplianceWaiver).where(ComplianceWaiver.officer_id == officer_id)
        .order_by(ComplianceWaiver.starts_on.desc(), ComplianceWaiver.id.desc())
    ))


def add_waiver(session: AsyncSession, person: Person, form: WaiverForm, granted_by_id: int) -> ComplianceWaiver:
    waiver = ComplianceWaiver(
        agency_id=person.agency_id, officer_id=person.id, requirement_id=form.requirement_id, kind=form.kind,
        starts_on=form.starts_on, ends_on=form.ends_on, hours_reduction=form.hours_reduction, reason=form.reason,
        granted_by_id=granted_by_id,
    )
    session.add(waiver)
    return waiver

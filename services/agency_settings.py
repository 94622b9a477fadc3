"""Agency settings an administrator changes: what each field of the form accepts, and applying a change.

A value is checked here, where it is entered, so that a workflow never meets one it cannot use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from models import Agency
from services.proration import PRORATION_CHOICES
from services.time_zones import time_zone_error

SETTINGS_FIELDS = ("threshold", "reminder_days", "escalation_days", "certificate_reminder_days",
                   "certificate_escalation_days", "timezone", "proration")


@dataclass(frozen=True)
class CheckedAgencySettings:
    """The agency's new values by attribute, or a message per form field (and then nothing to store)."""

    values: dict[str, int | str]
    errors: dict[str, str]


def check_agency_settings(data: Mapping[str, str], proration_choice: bool = False) -> CheckedAgencySettings:
    """Every field of the settings form; the proration method only where the agency's pack leaves it to
    the agency (`proration_choice`), as only then does the form offer it."""
    numbers = validate_agency_settings(data)
    errors = {field: value for field, value in numbers.items() if isinstance(value, str)}
    values: dict[str, int | str] = {} if errors else dict(numbers)
    time_zone = data.get("timezone", "").strip()
    problem = time_zone_error(time_zone)
    if problem:
        errors["timezone"] = problem
    else:
        values["timezone"] = time_zone
    if proration_choice:
        method = data.get("proration", "").strip()
        if method in PRORATION_CHOICES:
            values["proration_method"] = method
        else:
            errors["proration"] = "Choose how much an officer appointed during a cycle owes in it."
    return CheckedAgencySettings(values={} if errors else values, errors=errors)


def validate_agency_settings(data: Mapping[str, str]) -> dict[str, int] | dict[str, str]:
    """The numbers of the form: cleaned values (threshold in cents) or a message per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}
    _validate_threshold(data.get("threshold", ""), errors, cleaned)
    for key, field in (
        ("reminder_days", "approval_reminder_business_days"),
        ("escalation_days", "approval_escalation_business_days"),
    ):
        days = _business_days(data.get(key, ""), 1, 60)
        if days is None:
            errors[key] = "Enter a whole number of business days from 1 to 60."
        else:
            cleaned[field] = days
    _validate_certificate_periods(data, errors, cleaned)
    return errors or cleaned


def form_values(agency: Agency) -> dict[str, str]:
    """The form filled in with what the agency has now."""
    return {
        "threshold": f"{agency.approval_cost_threshold_cents / 100:.2f}",
        "reminder_days": str(agency.approval_reminder_business_days),
        "escalation_days": str(agency.approval_escalation_business_days),
        "certificate_reminder_days": str(agency.certificate_reminder_business_days),
        "certificate_escalation_days": str(agency.certificate_escalation_business_days),
        "timezone": agency.timezone,
        "proration": agency.proration_method,
    }


def apply_agency_settings(agency: Agency, values: Mapping[str, int | str]) -> dict[str, int | str]:
    """Store checked values on the agency; returns what they were before (for the audit trail)."""
    before = {field: getattr(agency, field) for field in values}
    for field, value in values.items():
        setattr(agency, field, value)
    return before


def _validate_threshold(raw: str, errors: dict[str, str], values: dict[str, int]) -> None:
    try:
        dollars = Decimal(raw.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        errors["threshold"] = "Enter an amount in dollars, e.g. 500."
        return
    if not dollars.is_finite() or dollars < 0 or dollars > 1_000_000:
        errors["threshold"] = "Enter an amount from 0 to 1,000,000 dollars."
    elif dollars != dollars.quantize(Decimal("0.01")):
        errors["threshold"] = "Use at most two decimal places."
    else:
        values["approval_cost_threshold_cents"] = int(dollars * 100)


def _business_days(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    # ASCII only: str.isdigit() also accepts characters such as '²' that int() rejects; and short,
    # as int() refuses strings of more than 4,300 digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not low <= int(raw) <= high:
        return None
    return int(raw)


def _validate_certificate_periods(data: Mapping[str, str], errors: dict[str, str], values: dict[str, int]) -> None:
    """Certificate reviews: coordinators reminded after the first period, administrators told after the second."""
    reminder = _business_days(data.get("certificate_reminder_days", ""), 1, 30)
    if reminder is None:
        errors["certificate_reminder_days"] = "Enter a whole number of business days from 1 to 30."
    else:
        values["certificate_reminder_business_days"] = reminder
    escalation = _business_days(data.get("certificate_escalation_days", ""), 2, 60)
    if escalation is None:
        errors["certificate_escalation_days"] = "Enter a whole number of business days from 2 to 60."
    elif reminder is not None and escalation <= reminder:
        errors["certificate_escalation_days"] = "Enter more business days than for the coordinators' reminder."
    else:
        values["certificate_escalation_business_days"] = escalation

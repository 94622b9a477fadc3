"""Agency settings for administrators: approval threshold, reminder/escalation timing (training requests and
certificate reviews), MFA for officers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency, AuditOutcome, Role
from portal.layout import client_ip, current_user, page
from services.access import has_role
from services.audit import record_audit

SETTINGS_FIELDS = ("threshold", "reminder_days", "escalation_days", "certificate_reminder_days",
                   "certificate_escalation_days")


def validate_agency_settings(data: dict[str, str]) -> dict[str, int] | dict[str, str]:
    """Cleaned values (threshold in cents) or a message per field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, int] = {}
    try:
        dollars = Decimal(data.get("threshold", "").replace("$", "").replace(",", "").strip())
        if not dollars.is_finite() or dollars < 0 or dollars > 1_000_000:
            errors["threshold"] = "Enter an amount from 0 to 1,000,000 dollars."
        elif dollars != dollars.quantize(Decimal("0.01")):
            errors["threshold"] = "Use at most two decimal places."
        else:
            cleaned["approval_cost_threshold_cents"] = int(dollars * 100)
    except InvalidOperation:
        errors["threshold"] = "Enter an amount in dollars, e.g. 500."
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


def _business_days(raw: str, low: int, high: int) -> int | None:
    raw = raw.strip()
    # ASCII only: str.isdigit() also accepts characters such as '²' that int() rejects; and short,
    # as int() refuses strings of more than 4,300 digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not low <= int(raw) <= high:
        return None
    return int(raw)


def _validate_certificate_periods(data: dict[str, str], errors: dict[str, str], cleaned: dict[str, int]) -> None:
    """Certificate reviews: coordinators reminded after the first period, administrators told after the second."""
    reminder = _business_days(data.get("certificate_reminder_days", ""), 1, 30)
    if reminder is None:
        errors["certificate_reminder_days"] = "Enter a whole number of business days from 1 to 30."
    else:
        cleaned["certificate_reminder_business_days"] = reminder
    escalation = _business_days(data.get("certificate_escalation_days", ""), 2, 60)
    if escalation is None:
        errors["certificate_escalation_days"] = "Enter a whole number of business days from 2 to 60."
    elif reminder is not None and escalation <= reminder:
        errors["certificate_escalation_days"] = "Enter more business days than for the coordinators' reminder."
    else:
        cleaned["certificate_escalation_business_days"] = escalation


async def _agency_for_admin(request: Request, db: NamedDependency[AsyncSession]) -> Agency:
    user = current_user(request)
    if not has_role(user, Role.ADMIN):
        record_audit(
            db,
            user.id,
            user.audit_label,
            "agency.settings",
            "agency",
            user.agency_id,
            AuditOutcome.DENIED,
            client_ip(request),
            user.agency_id,
        )
        await db.commit()
        raise PermissionDeniedException()
    agency = await db.get(Agency, user.agency_id)
    assert agency is not None
    return agency


def _values(agency: Agency) -> dict[str, str]:
    return {
        "threshold": f"{agency.approval_cost_threshold_cents / 100:.2f}",
        "reminder_days": str(agency.approval_reminder_business_days),
        "escalation_days": str(agency.approval_escalation_business_days),
        "certificate_reminder_days": str(agency.certificate_reminder_business_days),
        "certificate_escalation_days": str(agency.certificate_escalation_business_days),
    }


async def _save_mfa_policy(request: Request, db: AsyncSession, agency: Agency, required: bool) -> None:
    """MFA for officers (coordinators, command and admins always need it): audited on its own when changed."""
    if agency.require_mfa_for_officers == required:
        return
    user = current_user(request)
    agency.require_mfa_for_officers = required
    record_audit(db, user.id, user.audit_label, "agency.mfa_policy", "agency", agency.id, AuditOutcome.SUCCESS,
                 client_ip(request), agency.id, {"require_mfa_for_officers": required})


@get("/admin/settings")
async def settings_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    agency = await _agency_for_admin(request, db)
    return await page(request, db, "admin/settings.html", agency=agency, values=_values(agency), errors={})


@post("/admin/settings", status_code=200)
async def save_settings(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    agency = await _agency_for_admin(request, db)
    user = current_user(request)
    form = await request.form()
    values = {key: str(form.get(key) or "") for key in SETTINGS_FIELDS}
    result = validate_agency_settings(values)
    if any(isinstance(value, str) for value in result.values()):
        return await page(request, db, "admin/settings.html", agency=agency, values=values, errors=result)
    await _save_mfa_policy(request, db, agency, form.get("require_mfa_for_officers") == "on")
    before = {field: getattr(agency, field) for field in result}
    for field, value in result.items():
        setattr(agency, field, value)
    record_audit(
        db,
        user.id,
        user.audit_label,
        "agency.settings",
        "agency",
        agency.id,
        AuditOutcome.SUCCESS,
        client_ip(request),
        agency.id,
        {"before": before, "after": result},
    )
    await db.commit()
    return Redirect("/admin/settings?notice=saved", status_code=303)


ROUTES = [settings_form, save_settings]

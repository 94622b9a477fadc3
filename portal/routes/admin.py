"""Agency settings for administrators: approval threshold, reminder/escalation timing (training requests and
certificate reviews), time zone, MFA for officers. The checks live in services.agency_settings."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency, AuditOutcome, Role
from portal.layout import client_ip, current_user, page
from services.access import has_role
from services.agency_settings import SETTINGS_FIELDS, apply_agency_settings, check_agency_settings, form_values
from services.audit import record_audit
from services.time_zones import time_zone_names


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
    return await page(request, db, "admin/settings.html", agency=agency, values=form_values(agency), errors={},
                      time_zones=time_zone_names())


@post("/admin/settings", status_code=200)
async def save_settings(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    agency = await _agency_for_admin(request, db)
    user = current_user(request)
    form = await request.form()
    values = {key: str(form.get(key) or "") for key in SETTINGS_FIELDS}
    checked = check_agency_settings(values)
    if checked.errors:
        return await page(request, db, "admin/settings.html", agency=agency, values=values, errors=checked.errors,
                          time_zones=time_zone_names())
    await _save_mfa_policy(request, db, agency, form.get("require_mfa_for_officers") == "on")
    before = apply_agency_settings(agency, checked.values)
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
        {"before": before, "after": checked.values},
    )
    await db.commit()
    return Redirect("/admin/settings?notice=saved", status_code=303)


ROUTES = [settings_form, save_settings]

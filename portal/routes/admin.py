"""Agency settings for administrators: approval threshold, reminder/escalation timing (training requests and
certificate reviews), time zone, MFA for officers, and proration where the state leaves it to the agency.
The checks live in services.agency_settings."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import Agency, AuditOutcome, OutboxMessage
from portal.layout import client_ip, current_user, page
from services.access import can_change_agency_settings
from services.agency_settings import SETTINGS_FIELDS, apply_agency_settings, check_agency_settings, form_values
from services.audit import record_audit
from services.compliance import rule_pack
from services.proration import PRORATION_CHOICES, agency_may_choose
from services.time_zones import time_zone_names
from services.workflow_starts import dispatch_one, enqueue_agency_recompute
from settings import Settings


async def _agency_for_admin(request: Request, db: NamedDependency[AsyncSession]) -> Agency:
    user = current_user(request)
    if not can_change_agency_settings(user):
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


async def _form(request: Request, db: AsyncSession, agency: Agency, values: dict[str, str],
                errors: dict[str, str]) -> Template:
    pack = rule_pack(agency.rule_pack)
    # The proration choice only where the pack leaves it to the agency (California), with the pack's reason.
    return await page(request, db, "admin/settings.html", agency=agency, values=values, errors=errors,
                      time_zones=time_zone_names(), proration_choices=PRORATION_CHOICES if agency_may_choose(pack)
                      else None, proration_source=pack.proration.source, proration_default=pack.proration.method,
                      pack_name=pack.name)


async def _recompute_if_proration_changed(db: AsyncSession, agency: Agency, before: dict[str, int | str],
                                          change_key: str, settings: Settings) -> OutboxMessage | None:
    """Every officer re-evaluated under the new method, as after a requirement change."""
    if before.get("proration_method", agency.proration_method) == agency.proration_method:
        return None
    return await enqueue_agency_recompute(db, agency.id, change_key, settings.workflow_id_prefix)


@get("/admin/settings")
async def settings_form(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    agency = await _agency_for_admin(request, db)
    return await _form(request, db, agency, form_values(agency), {})


@post("/admin/settings", status_code=200)
async def save_settings(request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
                        settings: NamedDependency[Settings]) -> Template | Redirect:
    agency = await _agency_for_admin(request, db)
    user = current_user(request)
    form = await request.form()
    values = {key: str(form.get(key) or "") for key in SETTINGS_FIELDS}
    checked = check_agency_settings(values, agency_may_choose(rule_pack(agency.rule_pack)))
    if checked.errors:
        return await _form(request, db, agency, values, checked.errors)
    await _save_mfa_policy(request, db, agency, form.get("require_mfa_for_officers") == "on")
    before = apply_agency_settings(agency, checked.values)
    event = record_audit(
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
    await db.flush()  # the audit row's id names this change's recompute run
    message = await _recompute_if_proration_changed(db, agency, before, f"proration-{event.id}", settings)
    await db.commit()
    if message is not None:
        # Start the fan-out now if Temporal is up; otherwise the worker's outbox relay starts it later.
        await dispatch_one(request.app.state.session_factory, temporal, message.id, settings.task_queue)
    return Redirect("/admin/settings?notice=saved", status_code=303)


ROUTES = [settings_form, save_settings]

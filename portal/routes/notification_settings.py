"""The signed-in person's notification settings: channels, immediate mail or a weekly digest, reminder days,
and for command staff the monthly compliance summary."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import MANDATORY_REMINDER_OFFSETS, AuditOutcome
from portal.layout import client_ip, current_user, page
from services.audit import record_audit
from services.licensing import tell_cycle_changed
from services.notification_preferences import (
    DELIVERY_DIGEST,
    DELIVERY_IMMEDIATE,
    OPTIONAL_REMINDER_OFFSETS,
    Preferences,
    offers_monthly_summary,
    preferences_for,
    save_preferences,
    validate_preferences,
)
from settings import Settings


async def _page(request: Request, db: AsyncSession, values: dict[str, Any], errors: dict[str, str]) -> Template:
    return await page(request, db, "account/notifications.html", values=values, errors=errors,
                      optional_days=OPTIONAL_REMINDER_OFFSETS, mandatory_days=MANDATORY_REMINDER_OFFSETS,
                      immediate=DELIVERY_IMMEDIATE, digest=DELIVERY_DIGEST,
                      offers_monthly_summary=offers_monthly_summary(current_user(request).roles))


def _values(preferences: Preferences) -> dict[str, Any]:
    return {"email": preferences.email, "in_app": preferences.in_app,
            "delivery": DELIVERY_DIGEST if preferences.weekly_digest else DELIVERY_IMMEDIATE,
            "reminder_days": set(preferences.reminder_offsets), "monthly_summary": preferences.monthly_summary}


@get("/account/notifications")
async def notification_settings(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    person_id = current_user(request).person_id
    if person_id is None:
        return await page(request, db, "account/no_person.html")
    return await _page(request, db, _values(await preferences_for(db, person_id)), {})


@post("/account/notifications", status_code=200)
async def save_notification_settings(
    request: Request, db: NamedDependency[AsyncSession], temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    user = current_user(request)
    if user.person_id is None:
        return await page(request, db, "account/no_person.html")
    form = await request.form()
    email, in_app = bool(form.get("email")), bool(form.get("in_app"))
    delivery = str(form.get("delivery") or "")[:20]
    reminder_days = [str(day)[:10] for day in form.getall("reminder_days", [])][:10]
    before = await preferences_for(db, user.person_id)
    # Only command staff get the summary; anyone else's post cannot change their stored choice.
    offered = offers_monthly_summary(user.roles)
    monthly_summary = bool(form.get("monthly_summary")) if offered else before.monthly_summary
    cleaned = validate_preferences(email=email, in_app=in_app, delivery=delivery, reminder_days=reminder_days,
                                   monthly_summary=monthly_summary)
    if not isinstance(cleaned, Preferences):
        days = {int(day) for day in reminder_days if day.isascii() and day.isdigit()}
        values = {"email": email, "in_app": in_app, "delivery": delivery, "reminder_days": days,
                  "monthly_summary": monthly_summary}
        return await _page(request, db, values, cleaned)
    await save_preferences(db, user.person_id, cleaned)
    detail: dict[str, Any] = {"email": cleaned.email, "in_app": cleaned.in_app,
                              "weekly_digest": cleaned.weekly_digest,
                              "reminder_offsets": list(cleaned.reminder_offsets)}
    if offered:
        detail["monthly_summary"] = cleaned.monthly_summary
    record_audit(db, user.id, user.audit_label, "notification_preferences.update", "person", user.person_id,
                 AuditOutcome.SUCCESS, client_ip(request), user.agency_id, detail)
    await db.commit()
    if before.effective_reminder_offsets != cleaned.effective_reminder_offsets:
        # The licensing-cycle workflow sleeps until the next reminder day: let it re-plan now.
        await tell_cycle_changed(temporal, user.person_id, settings.workflow_id_prefix)
    return Redirect("/account/notifications?notice=saved", status_code=303)


ROUTES = [notification_settings, save_notification_settings]

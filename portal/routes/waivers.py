"""Coordinators record an officer's exemptions, waivers and leave (audited; the cycle recomputes)."""

from __future__ import annotations

from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from compliance.wording import format_date
from models import AuditOutcome, Person
from portal.layout import current_user, page
from portal.routes.records import audit, editable_officer
from services import waivers as waivers_service
from services.compliance import officer_status
from services.licensing import tell_cycle_changed
from services.training_records import agency_today
from settings import Settings

FIELDS = ("kind", "requirement_id", "starts_on", "ends_on", "hours_reduction", "reason")


async def _requirements(db: AsyncSession, person: Person, today: date) -> tuple[dict[str, str], set[str]]:
    status = await officer_status(db, person.id, today)
    if status is None:
        return {}, set()
    titles = {s.requirement.id: s.requirement.title for s in status.requirements}
    return titles, {s.requirement.id for s in status.requirements if s.requirement.exemptible}


async def _page(request: Request, db: AsyncSession, person: Person, values: dict[str, str],
                errors: dict[str, str]) -> Template:
    today = await agency_today(db, person.agency_id)
    titles, _ = await _requirements(db, person, today)
    return await page(
        request, db, "records/waivers.html", person=person,
        waivers=await waivers_service.officer_waivers(db, person.id), requirements=titles,
        kinds=waivers_service.KIND_LABELS, values=values, errors=errors,
        saved=request.query_params.get("saved") == "1", format_date=format_date,
    )


@get("/officers/{officer_id:int}/waivers")
async def officer_waivers(request: Request, db: NamedDependency[AsyncSession], officer_id: FromPath[int]) -> Template:
    person = await editable_officer(request, db, officer_id, "compliance_waiver.view")
    return await _page(request, db, person, {}, {})


@post("/officers/{officer_id:int}/waivers", status_code=200)
async def grant_waiver(
    request: Request,
    db: NamedDependency[AsyncSession],
    temporal: NamedDependency[Client],
    settings: NamedDependency[Settings],
    officer_id: FromPath[int],
) -> Template | Redirect:
    person = await editable_officer(request, db, officer_id, "compliance_waiver.add")
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in FIELDS}
    titles, exemptible = await _requirements(db, person, await agency_today(db, person.agency_id))
    result = waivers_service.validate_waiver_form(values, titles, exemptible)
    if isinstance(result, dict):
        return await _page(request, db, person, values, result)
    grantor = current_user(request).person_id
    assert grantor is not None  # coordinators who may edit records are people on the roster
    waiver = waivers_service.add_waiver(db, person, result, grantor)
    await db.flush()
    audit(request, db, "compliance_waiver.add", "compliance_waiver", waiver.id, AuditOutcome.SUCCESS,
          {"officer_id": person.id, "kind": result.kind.value, "requirement_id": result.requirement_id,
           "starts_on": result.starts_on.isoformat(), "ends_on": result.ends_on.isoformat() if result.ends_on else None,
           "hours_reduction": str(result.hours_reduction) if result.hours_reduction else None,
           "reason": result.reason})
    await db.commit()
    # Best-effort: the licensing-cycle workflow re-evaluates at its next wake-up in any case.
    await tell_cycle_changed(temporal, person.id, settings.workflow_id_prefix)
    return Redirect(f"/officers/{person.id}/waivers?saved=1", status_code=303)


ROUTES = [officer_waivers, grant_waiver]

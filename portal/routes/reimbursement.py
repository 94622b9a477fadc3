"""Minnesota POST reimbursement: the fiscal year's eligible officers and costs, the chief's sign-off, the
export and the submission mark. Only agencies on the Minnesota rule pack have these pages (404 elsewhere);
coordinators and administrators prepare, command staff sign (services.access). The services do the work and
the auditing; these handlers parse, check and choose what to show."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import format_amount, format_date
from models import AuditOutcome, ClaimStatus, Person
from portal.layout import client_ip, current_user, page
from services import reimbursement_claims as claims
from services import reimbursement_export as export
from services.access import (
    CurrentUser,
    can_prepare_reimbursement,
    can_sign_reimbursement,
    can_view_reimbursement,
)
from services.reimbursement_costs import CATEGORIES, dollars, validate_cost_form
from services.reimbursement_eligibility import FIRST_FISCAL_YEAR, FiscalYear, describe_months, fiscal_year_of
from services.reimbursement_lines import add_line, correct_line
from services.training_records import agency_today

SAVED = {
    "gathered": "Costs from approved training requests have been gathered.",
    "line": "The cost line has been saved.",
    "mark": "The officer's mark has been saved.",
    "signed": "The claim is signed. The final export is ready.",
    "submitted": "The claim is marked submitted to the POST Board.",
}
COST_FIELDS = ("category", "description", "amount")


async def _year(request: Request, db: AsyncSession, year: int, allowed: Callable[[CurrentUser], bool],
                action: str) -> FiscalYear:
    """The fiscal year asked for, once the agency claims reimbursement and the user may do `action`."""
    user = current_user(request)
    if not await claims.reimbursement_applies(db, user.agency_id):
        raise NotFoundException()  # other states' agencies: the pages do not exist for them
    if not allowed(user):
        claims.audit(db, claims.Actor(user, client_ip(request)), action, None, AuditOutcome.DENIED,
                     {"fiscal_year": year})
        await db.commit()
        raise PermissionDeniedException()
    latest = fiscal_year_of(await agency_today(db, user.agency_id)).closing_year + 1
    if not FIRST_FISCAL_YEAR <= year <= latest:
        raise NotFoundException()
    return FiscalYear(year)


def _actor(request: Request) -> claims.Actor:
    return claims.Actor(current_user(request), client_ip(request))


async def _page(request: Request, db: AsyncSession, year: FiscalYear, *, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None) -> Template:
    user = current_user(request)
    view = await claims.claim_view(db, user.agency_id, year)
    chief = (await db.get_one(Person, user.person_id)).full_name if can_sign_reimbursement(user) else None
    latest = fiscal_year_of(await agency_today(db, user.agency_id)).closing_year
    return await page(
        request, db, "reimbursement/claim.html", view=view, year=year, errors=errors or {},
        values=values or {}, can_prepare=can_prepare_reimbursement(user), can_sign=can_sign_reimbursement(user),
        statement=claims.statement_for(chief, view) if chief else None, categories=CATEGORIES,
        years=[FiscalYear(closing) for closing in range(latest + 1, max(FIRST_FISCAL_YEAR, latest - 4) - 1, -1)],
        dollars=dollars, format_date=format_date, format_amount=format_amount, describe_months=describe_months,
        statuses=ClaimStatus,
        saved=SAVED.get(request.query_params.get("saved") or ""),
    )


def _done(year: FiscalYear, saved: str) -> Redirect:
    return Redirect(f"/reimbursement/{year.closing_year}?saved={saved}", status_code=303)


@get("/reimbursement")
async def reimbursement_home(request: Request, db: NamedDependency[AsyncSession]) -> Redirect:
    """The claim most likely wanted: the fiscal year that closes on 30 June of this calendar year (from
    January to July, the one being prepared or due by 31 July; from August, the one just closed)."""
    user = current_user(request)
    today = await agency_today(db, user.agency_id)
    year = await _year(request, db, today.year, can_view_reimbursement,
                       "reimbursement.view")
    return Redirect(f"/reimbursement/{year.closing_year}", status_code=303)


@get("/reimbursement/{year:int}")
async def claim_page(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int]) -> Template:
    fiscal = await _year(request, db, year, can_view_reimbursement, "reimbursement.view")
    return await _page(request, db, fiscal)


@post("/reimbursement/{year:int}/gather", status_code=200)
async def gather_costs(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int]
                       ) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_prepare_reimbursement, "reimbursement.gather")
    result = await claims.gather(db, _actor(request), fiscal)
    if isinstance(result, str):
        await db.rollback()
        return await _page(request, db, fiscal, errors={"form": result})
    await db.commit()
    return _done(fiscal, "gathered")


async def _cost_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name) or "") for name in (*COST_FIELDS, "reason", "excluded")}


@post("/reimbursement/{year:int}/lines", status_code=200)
async def add_cost_line(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int]
                        ) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_prepare_reimbursement, "reimbursement.line_add")
    values = await _cost_values(request)
    form = validate_cost_form(values)
    problem = form if isinstance(form, dict) else await add_line(db, _actor(request), fiscal, form)
    if problem:
        await db.rollback()
        errors = problem if isinstance(problem, dict) else {"form": problem}
        return await _page(request, db, fiscal, errors={f"new_{key}": text for key, text in errors.items()},
                           values={f"new_{key}": value for key, value in values.items()})
    await db.commit()
    return _done(fiscal, "line")


@post("/reimbursement/{year:int}/lines/{line_id:int}", status_code=200)
async def correct_cost_line(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int],
                            line_id: FromPath[int]) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_prepare_reimbursement, "reimbursement.line_correct")
    values = await _cost_values(request)
    form = validate_cost_form(values)
    problem = form if isinstance(form, dict) else await correct_line(
        db, _actor(request), fiscal, line_id, form, values["excluded"] == "yes", values["reason"])
    if problem:
        await db.rollback()
        errors = problem if isinstance(problem, dict) else {"form": problem}
        return await _page(request, db, fiscal, errors={f"line{line_id}_{key}": text for key, text in errors.items()},
                           values={f"line{line_id}_{key}": value for key, value in values.items()})
    await db.commit()
    return _done(fiscal, "line")


@post("/reimbursement/{year:int}/officers/{person_id:int}/claimed-elsewhere", status_code=200)
async def mark_claimed_elsewhere(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int],
                                 person_id: FromPath[int]) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_prepare_reimbursement, "reimbursement.claimed_elsewhere")
    form = await request.form()
    reason = str(form.get("reason") or "")
    problem = await claims.set_claimed_elsewhere(db, _actor(request), fiscal, person_id,
                                                 str(form.get("claimed") or "") == "yes", reason)
    if problem:
        await db.rollback()
        return await _page(request, db, fiscal, errors={f"officer{person_id}": problem},
                           values={f"officer{person_id}_reason": reason})
    await db.commit()
    return _done(fiscal, "mark")


@post("/reimbursement/{year:int}/sign", status_code=200)
async def sign_claim(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int]
                     ) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_sign_reimbursement, "reimbursement.sign")
    problem = await claims.sign(db, _actor(request), fiscal)
    if problem:
        await db.rollback()
        return await _page(request, db, fiscal, errors={"sign": problem})
    await db.commit()
    return _done(fiscal, "signed")


@post("/reimbursement/{year:int}/submitted", status_code=200)
async def mark_submitted(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int]
                         ) -> Template | Redirect:
    fiscal = await _year(request, db, year, can_prepare_reimbursement, "reimbursement.submitted")
    problem = await claims.mark_submitted(db, _actor(request), fiscal)
    if problem:
        await db.rollback()
        return await _page(request, db, fiscal, errors={"submit": problem})
    await db.commit()
    return _done(fiscal, "submitted")


@get("/reimbursement/{year:int}/export/{kind:str}")
async def export_claim(request: Request, db: NamedDependency[AsyncSession], year: FromPath[int],
                       kind: FromPath[str]) -> Response[bytes]:
    """The application as CSV or PDF: final once the chief's signature holds, marked DRAFT before."""
    fiscal = await _year(request, db, year, can_view_reimbursement, "reimbursement.export")
    if kind not in export.MEDIA_TYPES:
        raise NotFoundException()
    view = await claims.claim_view(db, current_user(request).agency_id, fiscal)
    body = export.render_csv(view).encode() if kind == "csv" else export.render_pdf(view)
    claims.audit(db, _actor(request), "reimbursement.export", view.claim, detail={
        "fiscal_year": fiscal.closing_year, "format": kind, "final": view.signature_holds})
    await db.commit()
    return Response(body, media_type=export.MEDIA_TYPES[kind], headers={
        "Content-Disposition": f'attachment; filename="{export.file_name(view, kind)}"'})


ROUTES = [reimbursement_home, claim_page, gather_costs, add_cost_line, correct_cost_line, mark_claimed_elsewhere,
          sign_claim, mark_submitted, export_claim]

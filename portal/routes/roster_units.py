"""Units (a tree: add, rename, move, retire) and the agency's ranks, on one page for coordinators and
administrators. A refused change shows the page again with the reason beside the unit or rank."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.wording import format_date
from models import AgencyRank, Unit
from portal.layout import client_ip, current_user
from portal.layout import page as render
from portal.routes.roster import form_values, roster_manager
from services import roster_units as units
from services.agency_officers import parse_id
from services.roster_people import RosterRefusal
from services.training_records import agency_today

SAVED = {"unit": "Unit saved.", "retired": "Unit retired.", "rank": "Ranks saved."}


async def _page(request: Request, db: AsyncSession, *, errors: dict[str, str] | None = None, target: str = "",
                values: dict[str, str] | None = None) -> Template:
    """`target` names the form that failed ("unit-add", "unit-12", "rank-add", "rank-3")."""
    agency_id = current_user(request).agency_id
    return await render(request, db, "roster/units.html", tree=await units.unit_tree(db, agency_id),
                        ranks=await units.agency_ranks(db, agency_id), errors=errors or {}, target=target,
                        values=values or {}, saved=SAVED.get(str(request.query_params.get("saved") or "")),
                        format_date=format_date)


async def _unit(request: Request, db: AsyncSession, unit_id: int, action: str) -> Unit:
    await roster_manager(request, db, action, unit_id)
    unit = await units.agency_unit(db, current_user(request).agency_id, unit_id)
    if unit is None:
        raise NotFoundException()
    return unit


async def _rank(request: Request, db: AsyncSession, rank_id: int, action: str) -> AgencyRank:
    await roster_manager(request, db, action, rank_id)
    rank = await units.agency_rank(db, current_user(request).agency_id, rank_id)
    if rank is None:
        raise NotFoundException()
    return rank


async def _refused(request: Request, db: AsyncSession, refusal: RosterRefusal, target: str,
                   values: dict[str, str]) -> Template:
    await db.rollback()
    return await _page(request, db, errors=refusal.errors, target=target, values=values)


def _done(saved: str) -> Redirect:
    return Redirect(f"/roster/units?saved={saved}", status_code=303)


@get("/roster/units")
async def units_page(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await roster_manager(request, db, "roster.units_view")
    return await _page(request, db)


def _parent(raw: str) -> int | None:
    return parse_id(raw) if raw else None


@post("/roster/units", status_code=200)
async def add_unit(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    await roster_manager(request, db, "roster.unit_add")
    values = await form_values(request, ("name", "parent_id"))
    try:
        await units.add_unit(db, current_user(request), client_ip(request), values["name"],
                             _parent(values["parent_id"]))
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, "unit-add", values)
    await db.commit()
    return _done("unit")


@post("/roster/units/{unit_id:int}/rename", status_code=200)
async def rename_unit(request: Request, db: NamedDependency[AsyncSession], unit_id: FromPath[int]
                      ) -> Template | Redirect:
    unit = await _unit(request, db, unit_id, "roster.unit_rename")
    values = await form_values(request, ("name",))
    try:
        await units.rename_unit(db, current_user(request), client_ip(request), unit, values["name"])
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, f"unit-{unit_id}", values)
    await db.commit()
    return _done("unit")


@post("/roster/units/{unit_id:int}/move", status_code=200)
async def move_unit(request: Request, db: NamedDependency[AsyncSession], unit_id: FromPath[int]) -> Template | Redirect:
    unit = await _unit(request, db, unit_id, "roster.unit_move")
    values = await form_values(request, ("parent_id",))
    try:
        await units.move_unit(db, current_user(request), client_ip(request), unit, _parent(values["parent_id"]))
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, f"unit-{unit_id}", values)
    await db.commit()
    return _done("unit")


@post("/roster/units/{unit_id:int}/retire", status_code=200)
async def retire_unit(request: Request, db: NamedDependency[AsyncSession], unit_id: FromPath[int]
                      ) -> Template | Redirect:
    unit = await _unit(request, db, unit_id, "roster.unit_retire")
    today = await agency_today(db, unit.agency_id)
    try:
        await units.retire_unit(db, current_user(request), client_ip(request), unit, today)
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, f"unit-{unit_id}", {})
    await db.commit()
    return _done("retired")


@post("/roster/ranks", status_code=200)
async def add_rank(request: Request, db: NamedDependency[AsyncSession]) -> Template | Redirect:
    await roster_manager(request, db, "roster.rank_add")
    values = await form_values(request, ("rank_name",))
    try:
        await units.add_rank(db, current_user(request), client_ip(request), values["rank_name"])
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, "rank-add", values)
    await db.commit()
    return _done("rank")


@post("/roster/ranks/{rank_id:int}/rename", status_code=200)
async def rename_rank(request: Request, db: NamedDependency[AsyncSession], rank_id: FromPath[int]
                      ) -> Template | Redirect:
    rank = await _rank(request, db, rank_id, "roster.rank_rename")
    values = await form_values(request, ("rank_name",))
    try:
        await units.rename_rank(db, current_user(request), client_ip(request), rank, values["rank_name"])
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, f"rank-{rank_id}", values)
    await db.commit()
    return _done("rank")


@post("/roster/ranks/{rank_id:int}/move")
async def move_rank(request: Request, db: NamedDependency[AsyncSession], rank_id: FromPath[int]) -> Redirect:
    rank = await _rank(request, db, rank_id, "roster.rank_reorder")
    values = await form_values(request, ("direction",))
    await units.move_rank(db, current_user(request), client_ip(request), rank, values["direction"] == "up")
    await db.commit()
    return _done("rank")


@post("/roster/ranks/{rank_id:int}/delete", status_code=200)
async def delete_rank(request: Request, db: NamedDependency[AsyncSession], rank_id: FromPath[int]
                      ) -> Template | Redirect:
    rank = await _rank(request, db, rank_id, "roster.rank_delete")
    try:
        await units.delete_rank(db, current_user(request), client_ip(request), rank)
    except RosterRefusal as refusal:
        return await _refused(request, db, refusal, f"rank-{rank_id}", {})
    await db.commit()
    return _done("rank")


ROUTES = [units_page, add_unit, rename_unit, move_unit, retire_unit, add_rank, rename_rank, move_rank, delete_rank]

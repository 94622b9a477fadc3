"""The roster page's list of people (filtered in SQL, one page at a time) and the people a page may show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import EmploymentStatus, Person
from services.agency_officers import parse_id
from services.training_records import Page, page_number, paginate

STATUS_LABELS = {EmploymentStatus.ACTIVE: "Active", EmploymentStatus.LEAVE: "On leave",
                 EmploymentStatus.SEPARATED: "Separated"}


@dataclass(frozen=True)
class RosterFilters:
    """Which people the roster lists; None is no filter. `name` matches first name, last name or badge."""

    unit_id: int | None = None
    status: str | None = None
    name: str = ""
    page: int = 1

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for the pager), without the page."""
        values = {"unit": self.unit_id, "status": self.status, "q": self.name or None}
        return {key: str(value) for key, value in values.items() if value is not None}


def parse_roster_filters(params: Mapping[str, str]) -> RosterFilters:
    """Filters from query parameters; a value that is not one of the choices is dropped."""
    raw = {key: str(params.get(key) or "").strip()[:100] for key in ("unit", "status", "q", "page")}
    status = raw["status"] if raw["status"] in STATUS_LABELS else None
    return RosterFilters(parse_id(raw["unit"]), status, raw["q"], page_number(raw["page"]))


async def roster_people(db: AsyncSession, agency_id: int, filters: RosterFilters) -> Page[Person]:
    """One page of the agency's people the filters select, by last and first name."""
    stmt = (select(Person).where(Person.agency_id == agency_id).options(selectinload(Person.unit))
            .order_by(Person.last_name, Person.first_name, Person.id))
    if filters.unit_id is not None:
        stmt = stmt.where(Person.unit_id == filters.unit_id)
    if filters.status is not None:
        stmt = stmt.where(Person.employment_status == filters.status)
    if filters.name:
        pattern = f"%{filters.name.lower()}%"
        stmt = stmt.where(or_(func.lower(Person.first_name).like(pattern), func.lower(Person.last_name).like(pattern),
                              func.lower(Person.badge_number).like(pattern),
                              func.lower(Person.first_name + " " + Person.last_name).like(pattern)))
    stmt, total, page = await paginate(db, stmt, filters.page)
    return Page(rows=list(await db.scalars(stmt)), total=total, page=page)


async def agency_person(db: AsyncSession, agency_id: int, person_id: int) -> Person | None:
    """The person with their unit and supervisor, if they belong to the agency (else not found)."""
    person = await db.scalar(select(Person).where(Person.id == person_id, Person.agency_id == agency_id)
                             .options(selectinload(Person.unit), selectinload(Person.supervisor)))
    return person

"""Builders for roster-import tests: the agency's ranks, a file as HR exports it, staged as the portal stages it."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AgencyRank, Person, RosterImport, RosterImportRow
from services import roster_import
from services.roster_import_csv import FileRefusal, read_roster
from tests.support import Org

HEADER = ("last_name,first_name,badge_number,license_number,license_date,rank,unit,supervisor_badge,email,"
          "employment_type,hire_date")
RANKS = ("Chief", "Lieutenant", "Sergeant", "Officer", "Administrator", "Training Coordinator")


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


async def prepare_roster(factory: async_sessionmaker[AsyncSession], org: Org) -> None:
    """The ranks the demo people hold, officer1 licensed as MN-0001, sgt1 hired on 1 March 2015."""
    async with factory() as session, session.begin():
        session.add_all(AgencyRank(agency_id=org.agency_id, name=name, position=position)
                        for position, name in enumerate(RANKS, 1))
        await session.execute(update(Person).where(Person.id == org.officer1)
                              .values(license_number="MN-0001", license_date=date(2020, 1, 15)))
        await session.execute(update(Person).where(Person.id == org.sgt1).values(hired_on=date(2015, 3, 1)))


async def stage(factory: async_sessionmaker[AsyncSession], org: Org, data: bytes) -> int:
    """Read and stage `data` as coord1 would; returns the import's id."""
    parsed = read_roster(data)
    assert not isinstance(parsed, FileRefusal), parsed
    async with factory() as session, session.begin():
        upload = roster_import.Upload(agency_id=org.agency_id, uploaded_by_id=org.coord1,
                                      uploaded_by_account_id=org.users["coord1"], file_name="hr-export.csv",
                                      sha256=hashlib.sha256(data).hexdigest())
        return (await roster_import.stage_import(session, upload, parsed)).id


async def confirm(factory: async_sessionmaker[AsyncSession], import_id: int, prefix: str = "") -> None:
    async with factory() as session, session.begin():
        loaded = await session.get_one(RosterImport, import_id)
        assert roster_import.confirm_import(loaded, prefix) is None


async def rows_by_line(factory: async_sessionmaker[AsyncSession], import_id: int) -> dict[int, RosterImportRow]:
    async with factory() as session:
        rows = await session.scalars(select(RosterImportRow).where(RosterImportRow.import_id == import_id))
        return {row.row_number: row for row in rows}


async def load(factory: async_sessionmaker[AsyncSession], import_id: int) -> RosterImport:
    async with factory() as session:
        return await session.get_one(RosterImport, import_id)


async def person_by_badge(factory: async_sessionmaker[AsyncSession], org: Org, badge: str) -> Person | None:
    async with factory() as session:
        return await session.scalar(select(Person).where(Person.agency_id == org.agency_id,
                                                         Person.badge_number == badge))


async def count_people(factory: async_sessionmaker[AsyncSession], org: Org) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(Person)
                                    .where(Person.agency_id == org.agency_id)) or 0


async def walk_targets(factory: async_sessionmaker[AsyncSession], org: Org) -> tuple[int, int]:
    """Two roster imports in preview, each hiring one person: one for the route walk to start, one to cancel."""
    from models import ImportStatus, RosterRowKind

    async with factory() as session, session.begin():
        imports = [RosterImport(agency_id=org.agency_id, uploaded_by_id=org.coord1,
                                uploaded_by_account_id=org.users["coord1"], file_name=f"walk-{n}.csv",
                                sha256=str(n) * 64, status=ImportStatus.PREVIEW, total_rows=1, new_rows=1,
                                update_rows=0, unchanged_rows=0, error_rows=0, applied_rows=0) for n in (1, 2)]
        session.add_all(imports)
        await session.flush()
        session.add_all(RosterImportRow(
            import_id=staged.id, row_number=2, kind=RosterRowKind.NEW, raw={"last_name": "Walker"},
            values={"first_name": "Wes", "last_name": "Walker", "badge_number": f"W{staged.id}", "rank": "Officer",
                    "email": "wes@test.example", "employment_type": "full_time", "hired_on": "2024-01-01"},
        ) for staged in imports)
        return imports[0].id, imports[1].id

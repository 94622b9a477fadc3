"""Builders for tests of CSV imports: a file as a state board exports it, staged as the portal stages it."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Agency, Person
from services import record_import
from services.agency_topics import agency_topics
from services.record_import_csv import FileRefusal, read_rows
from services.training_records import agency_today
from tests.support import Org

HEADER = "license_number,badge_number,course_title,provider,completed_on,hours,topics"


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


async def stage(factory: async_sessionmaker[AsyncSession], org: Org, data: bytes, uploader: int | None = None) -> int:
    """Read and stage `data` as coord1 (or `uploader`) would; returns the import's id."""
    async with factory() as session, session.begin():
        today = await agency_today(session, org.agency_id)
        topics = (await agency_topics(session, org.agency_id)).codes
        parsed = read_rows(data, today, topics)
        assert not isinstance(parsed, FileRefusal), parsed
        upload = record_import.Upload(agency_id=org.agency_id, uploaded_by_id=uploader or org.coord1,
                                      file_name="board-export.csv", sha256=hashlib.sha256(data).hexdigest())
        staged = await record_import.stage_import(session, upload, parsed)
        return staged.id


async def start(factory: async_sessionmaker[AsyncSession], import_id: int, prefix: str = "") -> None:
    async with factory() as session, session.begin():
        loaded = await record_import.load_import(session, import_id)
        assert loaded is not None
        started = await record_import.start_import(session, loaded, prefix)
        assert not isinstance(started, str), started


async def other_agency_officer(factory: async_sessionmaker[AsyncSession], license_number: str) -> int:
    async with factory() as session, session.begin():
        agency = Agency(name="Other County Sheriff", state="MN")
        session.add(agency)
        await session.flush()
        person = Person(agency_id=agency.id, first_name="Ona", last_name="Outsider", rank="Deputy",
                        badge_number="B104", email="ona@other.example", license_number=license_number,
                        license_date=date(2020, 1, 1))
        session.add(person)
        await session.flush()
        return person.id

"""Filing record error reports as an officer's browser does, and reading what the database holds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from models import (
    AuditEvent,
    RecordErrorReport,
    RecordSource,
    Task,
    TaskKind,
    TrainingRecord,
    TrainingRecordCredit,
)
from services.workflow_starts import dispatch_due
from settings import Settings
from tests.portal.conftest import Browser
from tests.portal.helpers import eventually
from tests.support import Org


async def add_record(factory: async_sessionmaker[AsyncSession], org: Org, officer_id: int,
                     title: str = "Firearms qualification", hours: str = "8") -> int:
    """A seeded training record of the officer's: 8 hours, 2 of them use-of-force credits."""
    async with factory() as session, session.begin():
        record = TrainingRecord(agency_id=org.agency_id, officer_id=officer_id, course_title=title,
                                provider="Range Academy", completed_on=date(2025, 3, 14), hours=Decimal(hours),
                                source=RecordSource.SEED,
                                credits=[TrainingRecordCredit(topic_code="use_of_force", credits=Decimal("2"))])
        session.add(record)
        await session.flush()
        return record.id


async def file_report(browser: Browser, files: dict[str, Any] | None = None, **fields: str) -> Any:
    """Post the report form (always multipart, as the browser sends it); returns the response."""
    data = {"kind": "hours_wrong", "record": "", "description": "The course was 12 hours, not 8.", **fields}
    return await browser.post("/records/reports/new", data,
                              files=files or {"attachment": ("", b"", "application/octet-stream")})


def report_id_from(response: Any) -> int:
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/records/reports/") and location.endswith("?done=filed"), location
    return int(location.removeprefix("/records/reports/").removesuffix("?done=filed"))


async def load_report(factory: async_sessionmaker[AsyncSession], report_id: int) -> RecordErrorReport:
    async with factory() as session:
        return await session.get_one(RecordErrorReport, report_id)


async def reports(factory: async_sessionmaker[AsyncSession]) -> list[RecordErrorReport]:
    async with factory() as session:
        return list(await session.scalars(select(RecordErrorReport).order_by(RecordErrorReport.id)))


async def records_of(factory: async_sessionmaker[AsyncSession], officer_id: int) -> list[TrainingRecord]:
    async with factory() as session:
        return list(await session.scalars(
            select(TrainingRecord).where(TrainingRecord.officer_id == officer_id).order_by(TrainingRecord.id)))


async def report_task(factory: async_sessionmaker[AsyncSession], report_id: int) -> Task | None:
    async with factory() as session:
        return await session.scalar(
            select(Task).where(Task.kind == TaskKind.RESOLVE_RECORD_REPORT, Task.subject_id == report_id))


async def task_of(factory: async_sessionmaker[AsyncSession], report_id: int) -> Task:
    task = await report_task(factory, report_id)
    assert task is not None, f"report {report_id} has no task"
    return task


async def audit_rows(factory: async_sessionmaker[AsyncSession], action: str) -> list[AuditEvent]:
    async with factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.id)))


async def started(factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings,
                  report_id: int) -> Task:
    """Start the report's workflow from the outbox and wait until its task is open."""
    await dispatch_due(factory, client, settings.task_queue)

    async def task_open() -> bool:
        return await report_task(factory, report_id) is not None

    await eventually(task_open)
    return await task_of(factory, report_id)

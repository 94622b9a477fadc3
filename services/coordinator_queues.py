"""The coordinator's work queue summary: what waits in each queue, how many, and since when.

The task queues are counted by services/agency_work_queues.py (the agency dashboard's numbers); this module
only adds what that does not count: requests escalated to the coordinators, and imports waiting for a
coordinator to confirm them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ImportStatus, RecordImport, RosterImport, Task, TaskKind, TaskQueue, TaskStatus
from services.agency_work_queues import QueueRow, work_queues


@dataclass(frozen=True)
class WaitingQueue:
    """One queue on the summary: what waits there, how many, the oldest, and where to work it."""

    label: str
    href: str
    waiting: int
    oldest: datetime | None

    def age_days(self, now: datetime) -> int | None:
        return None if self.oldest is None else (now - self.oldest).days


async def _count_and_oldest(session: AsyncSession, created: Any, *conditions: Any) -> tuple[int, datetime | None]:
    row = (await session.execute(select(func.count(), func.min(created)).where(*conditions))).one()
    return int(row[0] or 0), row[1]


def _from_task_queue(rows: list[QueueRow], kind: TaskKind, label: str, href: str) -> WaitingQueue:
    row = next(row for row in rows if row.kind == kind)
    return WaitingQueue(label, href, row.open, row.oldest_opened_at)


async def waiting_queues(session: AsyncSession, agency_id: int, now: datetime) -> list[WaitingQueue]:
    """The coordinator's queues in the order they are usually worked: decisions people wait on first."""
    tasks = await work_queues(session, agency_id, now)
    escalated = await _count_and_oldest(
        session, Task.created_at, Task.agency_id == agency_id, Task.status == TaskStatus.OPEN,
        Task.kind == TaskKind.APPROVE_TRAINING_REQUEST, Task.queue == TaskQueue.COORDINATORS)
    record_imports = await _count_and_oldest(
        session, RecordImport.created_at, RecordImport.agency_id == agency_id,
        RecordImport.status == ImportStatus.PREVIEW)
    roster_imports = await _count_and_oldest(
        session, RosterImport.created_at, RosterImport.agency_id == agency_id,
        RosterImport.status == ImportStatus.PREVIEW)
    return [
        _from_task_queue(tasks, TaskKind.REVIEW_CERTIFICATE, "Certificates awaiting review", "/certificates/review"),
        _from_task_queue(tasks, TaskKind.RESOLVE_RECORD_REPORT, "Record error reports awaiting a coordinator",
                         "/records/reports/review"),
        WaitingQueue("Training requests escalated to the coordinators", "/escalations", *escalated),
        _from_task_queue(tasks, TaskKind.COMPLIANCE_CASE, "Licensing cycles that ended with requirements unmet",
                         "/escalations#cases"),
        WaitingQueue("Training record imports waiting to be confirmed", "/records/imports", *record_imports),
        WaitingQueue("Roster imports waiting to be confirmed", "/roster/imports", *roster_imports),
    ]

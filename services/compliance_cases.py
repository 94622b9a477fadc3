"""Officers whose licensing cycle ended with requirements unmet: the coordinators' follow-up cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Person, Task, TaskKind, TaskQueue, TaskStatus, utcnow
from services.training_records import QUEUE_PAGE_SIZE, Page, paginate

NOTE_LIMIT = 2000


@dataclass
class ComplianceCase:
    task: Task
    officer: Person

    @property
    def cycle_end(self) -> date:
        # The workflow keys a case "{workflow id}:case:{cycle end}" (activities/licensing_cycles.py).
        return date.fromisoformat(self.task.key.rsplit(":", 1)[1])


async def open_cases(session: AsyncSession, agency_id: int, page: int = 1) -> Page[ComplianceCase]:
    """One page of the agency's open cases, oldest first."""
    stmt, total, page = await paginate(session, (
        select(Task, Person)
        .join(Person, Person.id == Task.subject_id)
        .where(Task.agency_id == agency_id, Task.queue == TaskQueue.COORDINATORS,
               Task.kind == TaskKind.COMPLIANCE_CASE, Task.status == TaskStatus.OPEN)
        .order_by(Task.created_at, Task.id)
    ), page, QUEUE_PAGE_SIZE)
    rows = await session.execute(stmt)
    return Page(rows=[ComplianceCase(task, officer) for task, officer in rows], total=total, page=page,
                size=QUEUE_PAGE_SIZE)


async def resolve_case(session: AsyncSession, agency_id: int, task_id: int, resolver_person_id: int | None,
                       note: str) -> str | None:
    """Close an open case with the coordinator's note. Returns a message if it cannot be closed."""
    if not note.strip():
        return "Write what was done (for example: renewal filed late with POST, credits entered)."
    if len(note) > NOTE_LIMIT:
        return f"Keep the note under {NOTE_LIMIT} characters."
    task = await session.get(Task, task_id, with_for_update=True)
    if task is None or task.agency_id != agency_id or task.kind != TaskKind.COMPLIANCE_CASE:
        return "No such case."
    if task.status != TaskStatus.OPEN:
        return "This case is already resolved."
    task.status = TaskStatus.DONE
    task.closed_at = utcnow()
    task.closed_by_id = resolver_person_id
    return None

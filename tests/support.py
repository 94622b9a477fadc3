"""Builders shared by the test layers: a small organisation and a request as the portal makes it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from models import (
    Agency,
    CostCategory,
    Person,
    RequestEvent,
    Role,
    Task,
    TaskStatus,
    Topic,
    TrainingRequest,
    TrainingRequestCost,
    TrainingRequestTopic,
    Unit,
    UserAccount,
    UserRole,
    utcnow,
)
from services.workflow_starts import enqueue_training_request_start
from workflows.refusals import BUSY

PASSWORD = "correct horse battery staple"
# Test-only TOTP secret of every account whose role requires MFA (coordinator, command, admin).
MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MFA_ROLES = frozenset({Role.COORDINATOR, Role.COMMAND, Role.ADMIN})


@lru_cache(maxsize=1)
def password_hash() -> str:
    # Hashing once keeps each test's organisation cheap; argon2 is deliberately slow.
    return PasswordHasher().hash(PASSWORD)


@dataclass
class Org:
    agency_id: int
    officer1: int
    officer2: int
    sgt1: int
    sgt2: int
    lt1: int
    chief1: int
    coord1: int
    admin1: int
    users: dict[str, int]


async def build_org(factory: async_sessionmaker[AsyncSession]) -> Org:
    """officer1 -> sgt1 -> lt1 -> chief1; officer2 -> sgt2 -> lt1; coord1, admin1 on the side."""
    async with factory() as session, session.begin():
        agency = Agency(name="Test Police Department", state="MN", approval_cost_threshold_cents=50_000,
                        approval_reminder_business_days=2, approval_escalation_business_days=5)
        session.add(agency)
        await session.flush()
        root = Unit(agency_id=agency.id, name="Department")
        session.add(root)
        await session.flush()
        patrol_a = Unit(agency_id=agency.id, parent_id=root.id, name="Patrol A")
        patrol_b = Unit(agency_id=agency.id, parent_id=root.id, name="Patrol B")
        session.add_all([patrol_a, patrol_b, Topic(code="crisis_intervention", name="Crisis intervention"),
                         Topic(code="use_of_force", name="Use of force")])
        await session.flush()
        people: dict[str, Person] = {}
        users: dict[str, int] = {}

        async def add(username: str, first: str, last: str, rank: str, unit: Unit, roles: list[Role],
                      supervisor: str | None = None) -> None:
            person = Person(agency_id=agency.id, unit_id=unit.id, first_name=first, last_name=last, rank=rank,
                            badge_number=f"B{len(people) + 100}", email=f"{username}@test.example",
                            supervisor_id=people[supervisor].id if supervisor else None)
            session.add(person)
            await session.flush()
            people[username] = person
            enrolled = any(role in MFA_ROLES for role in roles)
            user = UserAccount(agency_id=agency.id, person_id=person.id, username=username,
                               password_hash=password_hash(), roles=[UserRole(role=r) for r in roles],
                               mfa_secret=MFA_SECRET if enrolled else None,
                               mfa_enabled_at=utcnow() if enrolled else None)
            session.add(user)
            await session.flush()
            users[username] = user.id

        await add("chief1", "Carla", "Chief", "Chief", root, [Role.COMMAND])
        await add("lt1", "Lena", "Lieutenant", "Lieutenant", patrol_a, [Role.OFFICER, Role.LIEUTENANT], "chief1")
        await add("sgt1", "Sam", "Sergeant", "Sergeant", patrol_a, [Role.OFFICER, Role.SERGEANT], "lt1")
        await add("sgt2", "Sue", "Second", "Sergeant", patrol_b, [Role.OFFICER, Role.SERGEANT], "lt1")
        await add("officer1", "Olly", "Officer", "Officer", patrol_a, [Role.OFFICER], "sgt1")
        await add("officer2", "Omar", "Other", "Officer", patrol_b, [Role.OFFICER], "sgt2")
        await add("coord1", "Cora", "Coordinator", "Training Coordinator", root, [Role.COORDINATOR])
        await add("admin1", "Adam", "Admin", "Administrator", root, [Role.ADMIN])
        return Org(agency_id=agency.id, users=users, **{name: p.id for name, p in people.items()})


async def create_request(
    factory: async_sessionmaker[AsyncSession],
    org: Org,
    officer_id: int,
    *,
    tuition_cents: int = 20_000,
    overnight: bool = False,
    title: str = "Crisis Intervention Team course",
    workflow_id_prefix: str = "",
) -> tuple[int, int]:
    """Insert a submitted request with its outbox row, as the portal does. Returns (request, outbox) ids."""
    async with factory() as session, session.begin():
        request = TrainingRequest(
            agency_id=org.agency_id, officer_id=officer_id, title=title, provider="Regional Academy",
            location="St. Paul, MN", start_date=date(2027, 3, 1), end_date=date(2027, 3, 5),
            hours=Decimal("40"), overnight_travel=overnight, justification="Required for CIT certification.",
            total_cost_cents=tuition_cents,
            costs=[TrainingRequestCost(category=CostCategory.TUITION, amount_cents=tuition_cents)],
            topics=[TrainingRequestTopic(topic_code="crisis_intervention")],
        )
        session.add(request)
        message = await enqueue_training_request_start(session, request, workflow_id_prefix)
        return request.id, message.id


async def execute_update_when_ready(handle: WorkflowHandle, name: str, arg: object, *, id: str | None = None
                                   ) -> Any:
    """execute_update, clicking again while the workflow is recording its previous step (a `Busy`
    refusal lasts milliseconds), as the portal does; any other refusal is raised."""
    for attempt in range(40):
        try:
            return await handle.execute_update(name, arg, id=id)
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            if not (isinstance(cause, ApplicationError) and cause.type == BUSY) or attempt == 39:
                raise
            await asyncio.sleep(0.05)


async def wait_for_open_task(
    factory: async_sessionmaker[AsyncSession], request_id: int, *, not_id: int | None = None, timeout: float = 15
) -> Task:
    """The request's open approval task, once the workflow has written it (polls in fresh sessions)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        async with factory() as session:
            task = await session.scalar(
                select(Task).where(Task.subject_id == request_id, Task.status == TaskStatus.OPEN)
            )
        if task is not None and task.id != not_id:
            return task
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no open task for request {request_id} after {timeout}s")
        await asyncio.sleep(0.05)


async def timeline(factory: async_sessionmaker[AsyncSession], request_id: int) -> list[str]:
    async with factory() as session:
        kinds = await session.scalars(
            select(RequestEvent.kind).where(RequestEvent.request_id == request_id).order_by(RequestEvent.id)
        )
        return list(kinds)

"""A state-sized dataset for benchmarks: one licensing board's worth of officers and requests.

Rows go in with Core bulk inserts (executemany), so 40,000 officers and hundreds of thousands
of requests load in well under a minute on PostgreSQL. Every person has a badge number
(`badge_number`) and a licence number (`licence_number`), and every officer already has a few
training records, so the CSV import benchmarks look officers up and check duplicates against a
populated training_record table. Each lieutenant's people form a unit, grouped into divisions under the
board, and everyone has a stored compliance status (benchmarks/compliance_dataset.py) for the dashboards.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.compliance_dataset import StoredCompliance, add_stored_compliance
from models import (
    Agency,
    Person,
    RecordSource,
    RequestEvent,
    RequestStatus,
    Task,
    TaskStatus,
    Topic,
    TrainingRecord,
    TrainingRequest,
    Unit,
    UserAccount,
    UserRole,
)

_BATCH = 5_000
# The training records each officer already has: the same course, completed on these dates (8 hours).
RECORD_TITLE = "Annual in-service training"
RECORD_HOURS = Decimal("8")
RECORD_DATES = (date(2024, 3, 1), date(2024, 9, 1), date(2025, 3, 1))
# The Minnesota POST mandated topics (rulepacks/mn-post.toml), so import rows can carry topic credits.
TOPICS = {
    "crisis_intervention": "Crisis intervention",
    "autism": "Autism",
    "conflict_management": "Conflict management",
    "implicit_bias": "Implicit bias",
    "bias_crimes": "Bias crimes",
}


def badge_number(person_id: int) -> str:
    return f"{person_id:06d}"


def licence_number(person_id: int) -> str:
    return f"MN-{person_id:07d}"


@dataclass(frozen=True)
class Scale:
    officers: int = 40_000
    officers_per_sergeant: int = 10
    sergeants_per_lieutenant: int = 5
    requests_per_officer: int = 5
    records_per_officer: int = len(RECORD_DATES)
    open_share: float = 0.1
    units_per_division: int = 40  # the lieutenants' units, grouped under divisions below the board


@dataclass(frozen=True)
class DatasetSummary:
    agency_id: int
    busiest_sergeant_id: int
    busiest_sergeant_user_id: int
    officer_id: int
    officer_user_id: int
    chief_id: int  # uploads the benchmark's CSV imports (a coordinator's record is never in the file); command staff
    busiest_lieutenant_id: int  # the busiest sergeant's lieutenant (user id = person id)
    officer_ids: range  # every officer (rank Officer), ids in one run
    persons: int
    requests: int
    open_tasks: int
    records: int
    compliance: StoredCompliance


async def _bulk(engine: AsyncEngine, table: type, rows: list[dict]) -> None:
    async with engine.begin() as conn:
        for start in range(0, len(rows), _BATCH):
            await conn.execute(insert(table), rows[start : start + _BATCH])


async def build(engine: AsyncEngine, scale: Scale, password_hash: str, seed: int = 7) -> DatasetSummary:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    await _bulk(
        engine,
        Agency,
        [
            {
                "id": 1,
                "name": "State Board Benchmark",
                "state": "MN",
                "timezone": "America/Chicago",
                "approval_cost_threshold_cents": 50_000,
                "approval_reminder_business_days": 2,
                "approval_escalation_business_days": 5,
                "created_at": now,
            }
        ],
    )
    await _bulk(engine, Topic, [{"code": code, "name": name} for code, name in TOPICS.items()])
    sergeants = max(1, scale.officers // scale.officers_per_sergeant)
    lieutenants = max(1, sergeants // scale.sergeants_per_lieutenant)
    divisions = max(1, lieutenants // scale.units_per_division)
    # Parents first: the board, its divisions, then each lieutenant's unit (ids 2.. as before).
    await _bulk(
        engine,
        Unit,
        [{"id": 1, "agency_id": 1, "parent_id": None, "name": "Board"}]
        + [{"id": 2 + lieutenants + d, "agency_id": 1, "parent_id": 1, "name": f"Division {d}"}
           for d in range(divisions)]
        + [{"id": 2 + u, "agency_id": 1, "parent_id": 2 + lieutenants + u * divisions // lieutenants,
            "name": f"Unit {u}"} for u in range(lieutenants)],
    )

    persons: list[dict] = []
    next_id = 1

    def person(rank: str, unit_id: int, supervisor_id: int | None) -> int:
        nonlocal next_id
        pid = next_id
        next_id += 1
        persons.append(
            {
                "id": pid,
                "agency_id": 1,
                "unit_id": unit_id,
                "supervisor_id": supervisor_id,
                "first_name": f"F{pid}",
                "last_name": f"L{pid}",
                "rank": rank,
                "badge_number": badge_number(pid),
                "license_number": licence_number(pid),
                "license_date": date(2015, 7, 1),
                "email": "",
                "employment_status": "active",
                "hired_on": date(2015, 1, 1),
                "separated_on": None,
                "part_time": False,
            }
        )
        return pid

    chief = person("Chief", 1, None)
    lieutenant_ids = [person("Lieutenant", 2 + i, chief) for i in range(lieutenants)]
    sergeant_ids = [
        person(
            "Sergeant",
            2 + i // scale.sergeants_per_lieutenant,
            lieutenant_ids[i // scale.sergeants_per_lieutenant % lieutenants],
        )
        for i in range(sergeants)
    ]
    officer_ids = [
        person(
            "Officer",
            2 + (i // scale.officers_per_sergeant) // scale.sergeants_per_lieutenant % lieutenants,
            sergeant_ids[i // scale.officers_per_sergeant % sergeants],
        )
        for i in range(scale.officers)
    ]
    await _bulk(engine, Person, persons)
    users = [
        {
            "id": p["id"],
            "agency_id": 1,
            "person_id": p["id"],
            "username": f"user{p['id']}",
            "password_hash": password_hash,
            "is_active": True,
            "failed_logins": 0,
            "created_at": now,
        }
        for p in persons
    ]
    await _bulk(engine, UserAccount, users)
    await _bulk(
        engine,
        UserRole,
        [{"user_id": p["id"], "role": "officer"} for p in persons]
        + [{"user_id": s, "role": "sergeant"} for s in sergeant_ids]
        + [{"user_id": lt, "role": "lieutenant"} for lt in lieutenant_ids]
        + [{"user_id": chief, "role": "command"}],
    )
    async with engine.begin() as conn:
        # Command staff's sessions count only once two-step sign-in is set up; benchmarks never sign in.
        await conn.execute(update(UserAccount).where(UserAccount.id == chief).values(mfa_enabled_at=now))

    requests: list[dict] = []
    tasks: list[dict] = []
    events: list[dict] = []
    busiest = sergeant_ids[0]
    request_id = 0
    for officer_id in officer_ids:
        supervisor = persons[officer_id - 1]["supervisor_id"]
        for _ in range(scale.requests_per_officer):
            request_id += 1
            is_open = rng.random() < scale.open_share or (supervisor == busiest and rng.random() < 0.6)
            submitted = now - timedelta(days=rng.randint(1, 900))
            status = (
                RequestStatus.IN_REVIEW
                if is_open
                else rng.choice(
                    [RequestStatus.APPROVED, RequestStatus.APPROVED, RequestStatus.DENIED, RequestStatus.WITHDRAWN]
                )
            )
            workflow_id = f"bench-training-request-{request_id}"
            requests.append(
                {
                    "id": request_id,
                    "agency_id": 1,
                    "officer_id": officer_id,
                    "title": f"Course {request_id}",
                    "provider": "Academy",
                    "location": "St. Paul",
                    "start_date": date(2026, 1, 5),
                    "end_date": date(2026, 1, 6),
                    "hours": Decimal("8"),
                    "overnight_travel": False,
                    "justification": "Benchmark",
                    "total_cost_cents": rng.randint(0, 120_000),
                    "status": status,
                    "current_approver_id": supervisor if is_open else None,
                    "revision": 1,
                    "workflow_id": workflow_id,
                    "submitted_at": submitted,
                    "decided_at": None if is_open else submitted + timedelta(days=2),
                    "updated_at": submitted,
                }
            )
            tasks.append(
                {
                    "id": request_id,
                    "key": f"{workflow_id}:1",
                    "agency_id": 1,
                    "kind": "approve_training_request",
                    "subject_type": "training_request",
                    "subject_id": request_id,
                    "workflow_id": workflow_id,
                    "assignee_id": supervisor,
                    "queue": None,
                    "status": TaskStatus.OPEN if is_open else TaskStatus.DONE,
                    "created_at": submitted,
                    "due_at": submitted + timedelta(days=7),
                    "reminded_at": None,
                    "closed_at": None if is_open else submitted + timedelta(days=2),
                    "closed_by_id": None if is_open else supervisor,
                }
            )
            events.append(
                {
                    "key": f"{workflow_id}:1",
                    "request_id": request_id,
                    "kind": "submitted",
                    "actor_id": None,
                    "assignee_id": supervisor,
                    "comment": None,
                    "created_at": submitted,
                }
            )
            if not is_open:
                events.append(
                    {
                        "key": f"{workflow_id}:2",
                        "request_id": request_id,
                        "kind": "approved",
                        "actor_id": supervisor,
                        "assignee_id": None,
                        "comment": "ok",
                        "created_at": submitted + timedelta(days=2),
                    }
                )
    await _bulk(engine, TrainingRequest, requests)
    await _bulk(engine, Task, tasks)
    await _bulk(engine, RequestEvent, events)
    records = [
        {
            "id": index + 1,
            "agency_id": 1,
            "officer_id": officer_id,
            "course_title": RECORD_TITLE,
            "provider": "Academy",
            "course_number": None,
            "started_on": None,
            "completed_on": completed,
            "hours": RECORD_HOURS,
            "source": RecordSource.SEED,
            "source_ref": None,
            "approved_by_id": None,
            "created_at": now,
            "updated_at": now,
        }
        for index, (officer_id, completed) in enumerate(
            (officer_id, completed) for officer_id in officer_ids
            for completed in RECORD_DATES[: scale.records_per_officer]
        )
    ]
    await _bulk(engine, TrainingRecord, records)
    open_tasks = sum(1 for t in tasks if t["status"] == TaskStatus.OPEN)
    compliance = await add_stored_compliance(engine, agency_id=1, today=now.date())
    return DatasetSummary(
        agency_id=1,
        busiest_sergeant_id=busiest,
        busiest_sergeant_user_id=busiest,
        officer_id=officer_ids[0],
        officer_user_id=officer_ids[0],
        chief_id=chief,
        busiest_lieutenant_id=lieutenant_ids[0],
        officer_ids=range(officer_ids[0], officer_ids[-1] + 1),
        persons=len(persons),
        requests=len(requests),
        open_tasks=open_tasks,
        records=len(records),
        compliance=compliance,
    )

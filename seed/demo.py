"""The demo agency: Lakeview Police Department, its chain of command, logins and a few training requests.

`python -m seed.demo` (or `make seed`) fills an empty database; run again, it does nothing. Tests and
devtools call `seed_demo(session_factory)`. Everything here is fictional.

Pending requests are written the way the portal writes them (status "submitted" plus an outbox row),
so the worker's relay starts their workflows. Finished ones are history only: no workflow, no outbox.
"""

from __future__ import annotations

import asyncio
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    Agency,
    AgencyRequirement,
    CostCategory,
    EmploymentStatus,
    Person,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
    Role,
    TrainingRequest,
    TrainingRequestCost,
    TrainingRequestTopic,
    Unit,
    UserAccount,
    UserRole,
)
from models.database import create_engine, create_session_factory
from seed.topics import ensure_topics
from seed.training_records import add_demo_training_records
from services.mfa import mfa_required
from services.roster_units import roster_from_people
from services.workflow_starts import enqueue_training_request_start
from settings import get_settings

AGENCY_NAME = "Lakeview Police Department"
DEMO_PASSWORD = "lakeview-demo-2026"
# DEMO ONLY, published in the README and the `make run` banner: the TOTP secret of every demo
# account whose role requires two-step sign-in (coordinator, command staff, admin), so the demo
# can be tried with any authenticator app. Never use it outside the demo.
DEMO_MFA_SECRET = "LAKEVIEWDEMOTOTPSECRETONLYFORDEV"
EMAIL_DOMAIN = "lakeview.example"

# Unit name -> parent unit name (None for the root). Order matters: parents first.
UNITS: dict[str, str | None] = {
    AGENCY_NAME: None,
    "Patrol Division": AGENCY_NAME,
    "Patrol A Shift": "Patrol Division",
    "Patrol B Shift": "Patrol Division",
    "Investigations": AGENCY_NAME,
    "Traffic & Community": AGENCY_NAME,
}

RANK_ROLES = {
    "Chief": Role.COMMAND,
    "Deputy Chief": Role.COMMAND,
    "Lieutenant": Role.LIEUTENANT,
    "Sergeant": Role.SERGEANT,
    "Officer": Role.OFFICER,
    "Detective": Role.OFFICER,
}


@dataclass(frozen=True)
class RosterEntry:
    key: str
    first: str
    last: str
    rank: str
    unit: str
    supervisor: str | None
    badge: str
    hired: date
    sworn: bool = True
    on_leave: bool = False
    licensed_days_ago: int | None = None  # licensed relative to the seed day (otherwise a little before hire)
    username: str | None = None  # a named demo login; otherwise first initial + last name
    role: Role | None = None  # defaults to the rank's role

    @property
    def login(self) -> str:
        return self.username or re.sub(r"[^a-z]", "", (self.first[0] + self.last).lower())

    @property
    def login_role(self) -> Role:
        return self.role or RANK_ROLES[self.rank]


def _command_staff() -> list[RosterEntry]:
    return [
        RosterEntry("chief", "Margaret", "Holloway", "Chief", AGENCY_NAME, None, "101", date(1998, 6, 15),
                    username="chief"),
        RosterEntry("deputy", "Raymond", "Okafor", "Deputy Chief", AGENCY_NAME, "chief", "102",
                    date(2001, 3, 5)),
        RosterEntry("lt_patrol", "Daniel", "Brandt", "Lieutenant", "Patrol Division", "deputy", "201",
                    date(2006, 8, 21), username="lieutenant"),
        RosterEntry("lt_inv", "Sofia", "Lindqvist", "Lieutenant", "Investigations", "deputy", "202",
                    date(2008, 1, 14)),
        RosterEntry("lt_traffic", "Marcus", "Whitaker", "Lieutenant", "Traffic & Community", "deputy", "203",
                    date(2009, 10, 5)),
        RosterEntry("sgt_a1", "Erin", "Kowalski", "Sergeant", "Patrol A Shift", "lt_patrol", "301",
                    date(2011, 5, 2), username="sergeant"),
        RosterEntry("sgt_a2", "Thomas", "Nguyen", "Sergeant", "Patrol A Shift", "lt_patrol", "302",
                    date(2012, 9, 17)),
        RosterEntry("sgt_b1", "Angela", "Reyes", "Sergeant", "Patrol B Shift", "lt_patrol", "303",
                    date(2013, 2, 11)),
        RosterEntry("sgt_b2", "Paul", "Halvorsen", "Sergeant", "Patrol B Shift", "lt_patrol", "304",
                    date(2010, 7, 26)),
        RosterEntry("sgt_inv", "Janelle", "Carter", "Sergeant", "Investigations", "lt_inv", "305",
                    date(2014, 4, 7)),
        RosterEntry("sgt_traffic", "Victor", "Haugen", "Sergeant", "Traffic & Community", "lt_traffic", "306",
                    date(2015, 11, 30)),
        RosterEntry("coordinator", "Dana", "Whitfield", "Training Coordinator", AGENCY_NAME, "deputy", "C-01",
                    date(2016, 2, 1), sworn=False, username="coordinator", role=Role.COORDINATOR),
        RosterEntry("admin", "Lee", "Park", "Systems Administrator", AGENCY_NAME, "deputy", "C-02",
                    date(2019, 6, 3), sworn=False, username="admin", role=Role.ADMIN),
    ]


# (key, first, last, rank, sergeant key, hire date) for the line officers, by squad.
_LINE_OFFICERS: list[tuple[str, str, str, str, str, str]] = [
    ("ellis", "Jordan", "Ellis", "Officer", "sgt_a1", "2019-03-11"),
    ("thorsen", "Maya", "Thorsen", "Officer", "sgt_a1", "2021-08-16"),
    ("dahl", "Kevin", "Dahl", "Officer", "sgt_a1", "2016-05-23"),
    ("benson", "Rachel", "Benson", "Officer", "sgt_a1", "2024-09-03"),
    ("ortega", "Luis", "Ortega", "Officer", "sgt_a1", "2018-01-08"),
    ("johansson", "Tyler", "Johansson", "Officer", "sgt_a2", "2020-06-29"),
    ("mohamed", "Aisha", "Mohamed", "Officer", "sgt_a2", "2022-02-14"),
    ("kruger", "Brandon", "Kruger", "Officer", "sgt_a2", "2015-10-19"),
    ("sorensen", "Megan", "Sorensen", "Officer", "sgt_a2", "2017-04-03"),
    ("lund", "Derek", "Lund", "Officer", "sgt_a2", "2025-01-13"),
    ("moua", "Samuel", "Moua", "Officer", "sgt_b1", "2019-11-04"),
    ("berg", "Caitlin", "Berg", "Officer", "sgt_b1", "2023-05-22"),
    ("washington", "Andre", "Washington", "Officer", "sgt_b1", "2014-08-11"),
    ("olson", "Hannah", "Olson", "Officer", "sgt_b1", "2020-01-27"),
    ("pederson", "Nathan", "Pederson", "Officer", "sgt_b1", "2016-09-12"),
    ("xiong", "Gabriel", "Xiong", "Officer", "sgt_b2", "2018-06-18"),
    ("nygaard", "Olivia", "Nygaard", "Officer", "sgt_b2", "2022-10-03"),
    ("bell", "Marcus", "Bell", "Officer", "sgt_b2", "2013-03-25"),
    ("strand", "Emily", "Strand", "Officer", "sgt_b2", "2024-04-15"),
    ("fitzgerald", "Ryan", "Fitzgerald", "Officer", "sgt_b2", "2017-12-04"),
    ("engstrom", "Laura", "Engstrom", "Detective", "sgt_inv", "2012-07-09"),
    ("vang", "Christopher", "Vang", "Detective", "sgt_inv", "2015-02-02"),
    ("brooks", "Natalie", "Brooks", "Detective", "sgt_inv", "2016-11-14"),
    ("hammond", "Isaac", "Hammond", "Detective", "sgt_inv", "2011-04-18"),
    ("gallo", "Teresa", "Gallo", "Detective", "sgt_inv", "2019-09-23"),
    ("raman", "Priya", "Raman", "Officer", "sgt_traffic", "2020-09-08"),
    ("schultz", "Dylan", "Schultz", "Officer", "sgt_traffic", "2018-03-26"),
    ("lee", "Brianna", "Lee", "Officer", "sgt_traffic", "2021-06-07"),
    ("hassan", "Omar", "Hassan", "Officer", "sgt_traffic", "2023-01-09"),
    ("nilsen", "Zachary", "Nilsen", "Officer", "sgt_traffic", "2017-08-28"),
]

_SQUAD_UNITS = {
    "sgt_a1": "Patrol A Shift",
    "sgt_a2": "Patrol A Shift",
    "sgt_b1": "Patrol B Shift",
    "sgt_b2": "Patrol B Shift",
    "sgt_inv": "Investigations",
    "sgt_traffic": "Traffic & Community",
}
_NAMED_OFFICERS = {"ellis": "officer", "raman": "officer2"}
_ON_LEAVE = {"pederson"}
# Sworn in (licensed) 300 days before the seed runs, after starting as a community service officer: the
# yearly firearms training is due within 90 days and not done yet, so her dashboard shows "At risk".
_RECENTLY_LICENSED = {"benson": 300}

# The agency's own requirement on top of the state pack (shown on /requirements, counted on dashboards).
DEMO_AGENCY_REQUIREMENT = {
    "code": "firearms-qualification",
    "title": "Annual firearms qualification (agency policy)",
    "kind": "recurring",
    "topics": ["firearms"],
    "period_kind": "rolling",
    "period_months": 12,
    "effective_from": date(2025, 1, 1),
    "source": "Lakeview PD policy 300.4 (firearms qualification)",
}


def roster() -> list[RosterEntry]:
    """Everyone in the demo agency, supervisors before the people who report to them."""
    entries = _command_staff()
    for number, (key, first, last, rank, sergeant, hired) in enumerate(_LINE_OFFICERS, start=401):
        entries.append(RosterEntry(
            key, first, last, rank, _SQUAD_UNITS[sergeant], sergeant, str(number), date.fromisoformat(hired),
            on_leave=key in _ON_LEAVE, licensed_days_ago=_RECENTLY_LICENSED.get(key),
            username=_NAMED_OFFICERS.get(key),
        ))
    return entries


def _roster_badges() -> dict[str, str]:
    return {entry.key: entry.badge for entry in roster()}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    who: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("officer", "officer", "Officer Jordan Ellis, Patrol A Shift (reports to Sgt. Kowalski)"),
    DemoLogin("officer2", "officer", "Officer Priya Raman, Traffic & Community (reports to Sgt. Haugen)"),
    DemoLogin("sergeant", "sergeant", "Sergeant Erin Kowalski, Patrol A Shift (reports to Lt. Brandt)"),
    DemoLogin("lieutenant", "lieutenant", "Lieutenant Daniel Brandt, Patrol Division"),
    DemoLogin("coordinator", "coordinator", "Dana Whitfield, training coordinator (civilian)"),
    DemoLogin("chief", "command", "Chief Margaret Holloway"),
    DemoLogin("admin", "admin", "Lee Park, systems administrator (civilian)"),
)


@dataclass
class DemoSummary:
    created: bool
    agency_id: int
    people: int
    users: int
    pending_request_ids: list[int] = field(default_factory=list)
    finished_request_ids: list[int] = field(default_factory=list)
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS
    password: str = DEMO_PASSWORD

    def describe(self) -> str:
        if not self.created:
            return f"Demo agency '{AGENCY_NAME}' already exists (id {self.agency_id}); nothing to do."
        return (
            f"Created demo agency '{AGENCY_NAME}' (id {self.agency_id}): {self.people} people, "
            f"{self.users} logins, {len(self.pending_request_ids)} pending and "
            f"{len(self.finished_request_ids)} finished training requests.\n"
            f"Every login uses the password '{self.password}'. Coordinator, command and admin logins also "
            f"need a code from an authenticator app set up with the demo-only key {DEMO_MFA_SECRET}. Named logins: "
            + ", ".join(login.username for login in self.logins)
            + ". Any other person signs in as first initial + last name (e.g. 'tnguyen')."
        )


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession], workflow_id_prefix: str | None = None
) -> DemoSummary:
    """Create the demo agency unless it exists. Topics are ensured either way.

    `workflow_id_prefix` defaults to MUSTER_WORKFLOW_ID_PREFIX, as the portal's submissions use.
    """
    prefix = get_settings().workflow_id_prefix if workflow_id_prefix is None else workflow_id_prefix
    async with session_factory() as session, session.begin():
        await ensure_topics(session)
        existing = await session.scalar(select(Agency.id).where(Agency.name == AGENCY_NAME))
        if existing is not None:
            people = await session.scalar(select(func.count(Person.id)).where(Person.agency_id == existing))
            users = await session.scalar(
                select(func.count(UserAccount.id)).where(UserAccount.agency_id == existing)
            )
            await add_demo_training_records(session, existing, _roster_badges())
            await _ensure_agency_requirement(session, existing)
            return DemoSummary(created=False, agency_id=existing, people=people or 0, users=users or 0)
        return await _create_demo(session, prefix)


async def _create_demo(session: AsyncSession, workflow_id_prefix: str) -> DemoSummary:
    agency = Agency(
        name=AGENCY_NAME,
        state="MN",
        timezone="America/Chicago",
        approval_cost_threshold_cents=50_000,
        approval_reminder_business_days=2,
        approval_escalation_business_days=5,
    )
    session.add(agency)
    await session.flush()

    units: dict[str, Unit] = {}
    for name, parent in UNITS.items():
        units[name] = Unit(agency_id=agency.id, name=name, parent=units[parent] if parent else None)
    session.add_all(units.values())

    people = _add_people(session, agency.id, units)
    accounts = _add_accounts(session, agency.id, people)
    await session.flush()
    await roster_from_people(session, agency.id)  # the rank list and each person's employment period

    pending = await _add_pending_requests(session, agency.id, people, workflow_id_prefix)
    finished = await _add_finished_requests(session, agency.id, people)
    await add_demo_training_records(session, agency.id, _roster_badges())
    await _ensure_agency_requirement(session, agency.id)
    return DemoSummary(
        created=True,
        agency_id=agency.id,
        people=len(people),
        users=len(accounts),
        pending_request_ids=[request.id for request in pending],
        finished_request_ids=[request.id for request in finished],
    )


async def _ensure_agency_requirement(session: AsyncSession, agency_id: int) -> None:
    """Add the demo's agency requirement unless it is there (a retired one stays retired)."""
    code = DEMO_AGENCY_REQUIREMENT["code"]
    if await session.scalar(select(AgencyRequirement.id).where(AgencyRequirement.agency_id == agency_id,
                                                               AgencyRequirement.code == code)):
        return
    coordinator = await session.scalar(select(Person.id).where(Person.agency_id == agency_id,
                                                               Person.badge_number == _roster_badges()["coordinator"]))
    if coordinator is not None:
        session.add(AgencyRequirement(agency_id=agency_id, created_by_id=coordinator, **DEMO_AGENCY_REQUIREMENT))
        await session.flush()


def _add_people(session: AsyncSession, agency_id: int, units: dict[str, Unit]) -> dict[str, Person]:
    rng = random.Random(1849)  # fixed seed: the same licence numbers on every machine
    licence_numbers = iter(rng.sample(range(10_000, 99_999), k=100))
    people: dict[str, Person] = {}
    for entry in roster():
        # Licensed a few weeks before the hire date; recent hires are mid-way through a first cycle.
        licensed = entry.hired - timedelta(days=rng.randint(20, 90)) if entry.sworn else None
        if entry.licensed_days_ago is not None:
            licensed = date.today() - timedelta(days=entry.licensed_days_ago)
        person = Person(
            agency_id=agency_id,
            unit=units[entry.unit],
            supervisor=people[entry.supervisor] if entry.supervisor else None,
            first_name=entry.first,
            last_name=entry.last,
            rank=entry.rank,
            badge_number=entry.badge,
            license_number=f"MN-00{next(licence_numbers)}" if entry.sworn else None,
            license_date=licensed,
            email=f"{entry.first}.{entry.last}@{EMAIL_DOMAIN}".lower(),
            employment_status=EmploymentStatus.LEAVE if entry.on_leave else EmploymentStatus.ACTIVE,
            hired_on=entry.hired,
        )
        people[entry.key] = person
    session.add_all(people.values())
    return people


def _add_accounts(session: AsyncSession, agency_id: int, people: dict[str, Person]) -> list[UserAccount]:
    # One demo password for everyone, so one argon2 hash (hashing 45 times would only slow tests down).
    password_hash = PasswordHasher().hash(DEMO_PASSWORD)
    entries = roster()
    usernames = [entry.login for entry in entries]
    if len(set(usernames)) != len(usernames):
        raise ValueError("demo roster has duplicate usernames")
    enrolled_at = datetime.now(UTC)
    accounts = []
    for entry in entries:
        needs_mfa = mfa_required(frozenset({entry.login_role}), require_for_officers=False)
        accounts.append(
            UserAccount(
                agency_id=agency_id,
                person=people[entry.key],
                username=entry.login,
                password_hash=password_hash,
                roles=[UserRole(role=entry.login_role)],
                mfa_secret=DEMO_MFA_SECRET if needs_mfa else None,
                mfa_enabled_at=enrolled_at if needs_mfa else None,
            )
        )
    session.add_all(accounts)
    return accounts


@dataclass(frozen=True)
class _RequestSpec:
    officer: str
    title: str
    provider: str
    location: str
    starts_in_days: int
    days: int
    hours: str
    overnight: bool
    justification: str
    costs: dict[CostCategory, int]  # cents
    topics: tuple[str, ...]


def _training_request(agency_id: int, people: dict[str, Person], spec: _RequestSpec) -> TrainingRequest:
    start = date.today() + timedelta(days=spec.starts_in_days)
    return TrainingRequest(
        agency_id=agency_id,
        officer_id=people[spec.officer].id,
        title=spec.title,
        provider=spec.provider,
        location=spec.location,
        start_date=start,
        end_date=start + timedelta(days=spec.days - 1),
        hours=Decimal(spec.hours),
        overnight_travel=spec.overnight,
        justification=spec.justification,
        total_cost_cents=sum(spec.costs.values()),
        status=RequestStatus.SUBMITTED,
        costs=[TrainingRequestCost(category=c, amount_cents=a) for c, a in spec.costs.items()],
        topics=[TrainingRequestTopic(topic_code=code) for code in spec.topics],
    )


_PENDING: tuple[_RequestSpec, ...] = (
    _RequestSpec(
        "ellis", "Crisis Intervention Team (CIT) 40-hour course", "NAMI Minnesota", "St. Paul, MN",
        30, 5, "40", False,
        "Covers the 6 mandated crisis-intervention credits for my cycle; Patrol A has no CIT-trained "
        "officer on nights.",
        {CostCategory.TUITION: 65_000}, ("crisis_intervention", "de_escalation"),
    ),
    _RequestSpec(
        "raman", "Autism and law enforcement: recognition and response", "Autism Society of Minnesota",
        "Online (live)", 14, 1, "4", False,
        "Mandated autism credits (4) for my licence renewal.",
        {CostCategory.TUITION: 9_500}, ("autism",),
    ),
    _RequestSpec(
        "ortega", "Minnesota Legal Update 2026", "Minnesota Sheriffs' Association", "Brainerd, MN",
        45, 2, "12", True,
        "Annual legal update; two-day conference with an overnight stay.",
        {CostCategory.TUITION: 22_500, CostCategory.LODGING: 26_000, CostCategory.TRAVEL: 12_000},
        ("legal_update",),
    ),
)


async def _add_pending_requests(
    session: AsyncSession, agency_id: int, people: dict[str, Person], workflow_id_prefix: str
) -> list[TrainingRequest]:
    """As the portal saves a submission: the request and its outbox row in one transaction."""
    requests = [_training_request(agency_id, people, spec) for spec in _PENDING]
    session.add_all(requests)
    await session.flush()
    for request in requests:
        await enqueue_training_request_start(session, request, workflow_id_prefix)
    return requests


@dataclass(frozen=True)
class _Step:
    kind: RequestEventKind
    actor: str | None = None
    assignee: str | None = None
    comment: str | None = None
    after_hours: int = 4


@dataclass(frozen=True)
class _FinishedSpec:
    request: _RequestSpec
    status: RequestStatus
    submitted_days_ago: int
    steps: tuple[_Step, ...]


_FINISHED: tuple[_FinishedSpec, ...] = (
    _FinishedSpec(
        _RequestSpec(
            "ellis", "ICAT: Integrating Communications, Assessment and Tactics", "Minnesota Chiefs of "
            "Police Association", "Brooklyn Park, MN", -200, 2, "16", False,
            "De-escalation and use-of-force scenarios for patrol.",
            {CostCategory.TUITION: 27_500}, ("de_escalation", "use_of_force"),
        ),
        RequestStatus.APPROVED, 240,
        (
            _Step(RequestEventKind.SUBMITTED, actor="ellis", after_hours=0),
            _Step(RequestEventKind.ASSIGNED, assignee="sgt_a1", after_hours=0),
            _Step(RequestEventKind.APPROVED, actor="sgt_a1", comment="Good fit for nights.", after_hours=20),
        ),
    ),
    _FinishedSpec(
        _RequestSpec(
            "raman", "Advanced Crash Investigation", "Northwestern University Center for Public Safety",
            "Evanston, IL", -90, 10, "80", True,
            "Traffic unit needs a second reconstructionist; the course is two weeks with lodging.",
            {CostCategory.TUITION: 119_500, CostCategory.LODGING: 64_000, CostCategory.TRAVEL: 18_000},
            ("investigations", "other"),
        ),
        RequestStatus.APPROVED, 150,
        (
            _Step(RequestEventKind.SUBMITTED, actor="raman", after_hours=0),
            _Step(RequestEventKind.ASSIGNED, assignee="sgt_traffic", after_hours=0),
            _Step(RequestEventKind.APPROVED, actor="sgt_traffic", after_hours=26),
            _Step(RequestEventKind.ASSIGNED, assignee="lt_traffic", after_hours=0),
            _Step(RequestEventKind.REMINDED, assignee="lt_traffic", after_hours=48),
            _Step(RequestEventKind.APPROVED, actor="lt_traffic", comment="Approved from the FY training "
                  "budget.", after_hours=6),
        ),
    ),
    _FinishedSpec(
        _RequestSpec(
            "schultz", "FAA Part 107 remote pilot exam preparation", "North Star Drone Academy",
            "Minneapolis, MN", -60, 2, "14", False,
            "Prepares for the agency's planned UAS program.",
            {CostCategory.TUITION: 45_000}, ("other",),
        ),
        RequestStatus.DENIED, 100,
        (
            _Step(RequestEventKind.SUBMITTED, actor="schultz", after_hours=0),
            _Step(RequestEventKind.ASSIGNED, assignee="sgt_traffic", after_hours=0),
            _Step(RequestEventKind.DENIED, actor="sgt_traffic", comment="The UAS program is not funded "
                  "yet; please re-apply once it is.", after_hours=30),
        ),
    ),
    _FinishedSpec(
        _RequestSpec(
            "thorsen", "Officer wellness and resilience", "Minnesota POST Board approved provider",
            "Online (self-paced)", -20, 1, "2", False,
            "Wellness credit ahead of the 2027 requirement.",
            {}, ("wellness",),
        ),
        RequestStatus.WITHDRAWN, 45,
        (
            _Step(RequestEventKind.SUBMITTED, actor="thorsen", after_hours=0),
            _Step(RequestEventKind.ASSIGNED, assignee="sgt_a1", after_hours=0),
            _Step(RequestEventKind.WITHDRAWN, actor="thorsen", comment="The provider cancelled this "
                  "session.", after_hours=10),
        ),
    ),
)


async def _add_finished_requests(
    session: AsyncSession, agency_id: int, people: dict[str, Person]
) -> list[TrainingRequest]:
    """Historical requests: final status and timeline only; no workflow (workflow_id stays empty)."""
    requests = []
    for spec in _FINISHED:
        request = _training_request(agency_id, people, spec.request)
        submitted = datetime.combine(
            date.today() - timedelta(days=spec.submitted_days_ago), time(14, 30), tzinfo=UTC
        )
        request.status = spec.status
        request.submitted_at = submitted
        session.add(request)
        requests.append((request, spec, submitted))
    await session.flush()

    for request, spec, submitted in requests:
        at = submitted
        for number, step in enumerate(spec.steps, start=1):
            at += timedelta(hours=step.after_hours, minutes=number)
            session.add(RequestEvent(
                key=f"seed:{request.id}:{number}",
                request_id=request.id,
                kind=step.kind,
                actor_id=people[step.actor].id if step.actor else None,
                assignee_id=people[step.assignee].id if step.assignee else None,
                comment=step.comment,
                created_at=at,
            ))
        request.decided_at = at
        request.updated_at = at
    await session.flush()
    return [request for request, _, _ in requests]


async def _main() -> None:
    engine = create_engine(get_settings().database_url)
    try:
        summary = await seed_demo(create_session_factory(engine))
    finally:
        await engine.dispose()
    print(summary.describe())


if __name__ == "__main__":
    asyncio.run(_main())

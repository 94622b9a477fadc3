"""Demo training records for Lakeview's sworn staff, so dashboards show varied, correct states.

Dates are placed relative to the day the seed runs and to each officer's own licensing cycle (from the
rule pack), so the states below hold whenever the demo is seeded:

- Most officers: the previous cycle complete (48+ credits, the 16 mandated), yearly use-of-force and
  firearms current, EVOC within five years, and some credits in the current cycle: "On track".
- Jordan Ellis (`officer`): part-way; autism, conflict and implicit-bias done, crisis intervention, bias
  crimes and wellness outstanding (his pending CIT request covers crisis): "On track".
- Priya Raman (`officer2`): new cycle, 48 credits already reached with an 80-hour course, mandated topics
  not started (her pending autism request): "On track".
- Kevin Dahl: every requirement of the current cycle met: "Compliant".
- Megan Sorensen: renewed short of the bias-crimes credit last cycle: "Overdue".
- Derek Lund (first cycle): firearms qualification lapsed over 12 months ago: "Overdue".
- Rachel Benson: licensed 300 days before the seed day (seed/demo.py), no firearms training yet, due within
  90 days (the state's yearly in-service and the agency's own qualification): "At risk".
- Nathan Pederson: on medical leave (a leave waiver pauses his clock).
Civilian staff (coordinator, administrator) hold no licence and have no records.

Everything is fictional, including course numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.cycles import DateRange, cycle_before, cycle_containing
from models import Agency, ComplianceWaiver, Person, RecordSource, TrainingRecord, TrainingRecordCredit, WaiverKind
from services.compliance import rule_pack


@dataclass(frozen=True)
class Course:
    title: str
    provider: str
    number: str | None
    hours: int
    credits: tuple[tuple[str, int], ...]


CIT = Course("Crisis Intervention and Mental Illness Crises", "Minnesota CIT Officers Association", "MN-23-1187", 8,
             (("crisis_intervention", 6), ("de_escalation", 2)))
AUTISM = Course("Autism Awareness for Law Enforcement", "Autism Society of Minnesota", "MN-24-0412", 4,
                (("autism", 4),))
CONFLICT = Course("Conflict Management and Mediation", "Hennepin Technical College", "MN-22-0930", 2,
                  (("conflict_management", 2),))
IMPLICIT_BIAS = Course("Community Diversity and Implicit Bias", "Minnesota Chiefs of Police Association",
                       "MN-23-0655", 2, (("implicit_bias", 2),))
BIAS_CRIMES = Course("Recognising and Investigating Crimes Motivated by Bias", "Minnesota BCA", "MN-24-0217", 2,
                     (("bias_crimes", 2),))
LEGAL = Course("Minnesota Legal Update", "Minnesota Sheriffs' Association", "MN-25-0101", 8, (("legal_update", 8),))
FIRST_AID = Course("First Aid / CPR Recertification", "American Red Cross", None, 8, (("first_aid", 8),))
USE_OF_FORCE = Course("Use of Force In-Service", "Lakeview Police Department", "LPD-UOF", 4, (("use_of_force", 4),))
FIREARMS = Course("Firearms Qualification and Judgement Training", "Lakeview Police Department range", "LPD-FQ", 4,
                  (("firearms", 4),))
EVOC = Course("Emergency Vehicle Operations and Pursuit", "Minnesota State Patrol Training Center", "MN-21-0788", 8,
              (("evoc", 8),))
WELLNESS = Course("Officer Wellness and Resilience", "Minnesota POST Board approved provider", "MN-25-0330", 2,
                  (("wellness", 2),))
ICAT = Course("ICAT: Integrating Communications, Assessment and Tactics", "Minnesota Chiefs of Police Association",
              "MN-24-1402", 16, (("de_escalation", 12), ("use_of_force", 4)))
CRASH = Course("Advanced Crash Investigation", "Northwestern University Center for Public Safety", None, 80,
               (("investigations", 80),))
INTERVIEW = Course("Interview and Interrogation", "Minnesota BCA", "MN-24-0871", 16, (("investigations", 16),))
SUPERVISION = Course("First-Line Supervision", "Minnesota Chiefs of Police Association", "MN-23-0402", 24,
                     (("leadership", 24),))

# A complete previous cycle: 58 hours with the yearly in-service, the 16 mandated credits in five topics
# (6/4/2/2/2).
FULL_CYCLE = (CIT, USE_OF_FORCE, AUTISM, FIREARMS, CONFLICT, IMPLICIT_BIAS, USE_OF_FORCE, FIREARMS, BIAS_CRIMES, LEGAL,
              USE_OF_FORCE, FIREARMS, FIRST_AID)
ELECTIVES = (LEGAL, FIRST_AID, INTERVIEW, SUPERVISION, ICAT)


@dataclass(frozen=True)
class Placed:
    """A course on a date: `cycle_share` places it that far through the current cycle's elapsed part,
    `days_ago` places it relative to the day the seed runs."""

    course: Course
    cycle_share: float | None = None
    days_ago: int | None = None


@dataclass(frozen=True)
class Profile:
    previous: tuple[Course, ...] = FULL_CYCLE  # courses in the previous cycle (if the officer had one)
    current: tuple[Placed, ...] = ()
    use_of_force_days_ago: int | None = 150
    firearms_days_ago: int | None = 90
    evoc_days_ago: int | None = 700


PROFILES: dict[str, Profile] = {
    "ellis": Profile(current=(
        Placed(AUTISM, cycle_share=0.2), Placed(IMPLICIT_BIAS, cycle_share=0.35), Placed(CONFLICT, cycle_share=0.5),
        Placed(ICAT, days_ago=199),
    ), use_of_force_days_ago=None, firearms_days_ago=75, evoc_days_ago=900),
    "raman": Profile(current=(Placed(CRASH, days_ago=81),), use_of_force_days_ago=120, firearms_days_ago=120,
                     evoc_days_ago=400),
    "dahl": Profile(current=(
        Placed(CIT, cycle_share=0.1), Placed(AUTISM, cycle_share=0.2), Placed(CONFLICT, cycle_share=0.3),
        Placed(IMPLICIT_BIAS, cycle_share=0.4), Placed(BIAS_CRIMES, cycle_share=0.5), Placed(WELLNESS, cycle_share=0.6),
        Placed(LEGAL, cycle_share=0.7), Placed(FIRST_AID, cycle_share=0.8), Placed(INTERVIEW, cycle_share=0.9),
    ), use_of_force_days_ago=60, firearms_days_ago=45, evoc_days_ago=300),
    "sorensen": Profile(previous=tuple(course for course in FULL_CYCLE if course is not BIAS_CRIMES),
                        current=(Placed(LEGAL, cycle_share=0.5),)),
    "lund": Profile(current=(Placed(CIT, cycle_share=0.4),), use_of_force_days_ago=100, firearms_days_ago=430,
                    evoc_days_ago=500),
}
NO_FIREARMS_YET = {"benson"}  # licensed recently (seed/demo.py): firearms due within 90 days, not done
LEAVE = {"pederson": ("Medical leave", 60)}  # reason, started this many days before the seed runs


def _days(course: Course) -> int:
    return max(1, -(-course.hours // 8))


def _record(agency_id: int, officer: Person, course: Course, completed: date, source: RecordSource,
            approver_id: int | None, ref: str) -> TrainingRecord:
    return TrainingRecord(
        agency_id=agency_id, officer_id=officer.id, course_title=course.title, provider=course.provider,
        course_number=course.number, started_on=completed - timedelta(days=_days(course) - 1), completed_on=completed,
        hours=Decimal(course.hours), source=source, source_ref=ref,
        approved_by_id=None if source == RecordSource.BULK_IMPORT else approver_id,
        credits=[TrainingRecordCredit(topic_code=code, credits=Decimal(credits)) for code, credits in course.credits],
    )


def _spread(period: DateRange, count: int, index: int) -> date:
    """The index-th of `count` dates spread evenly inside the period."""
    length = (period.end - period.start).days
    return period.start + timedelta(days=length * (index + 1) // (count + 1))


def _officer_records(agency_id: int, officer: Person, profile: Profile, today: date, approver_id: int | None,
                     pack_code: str) -> list[TrainingRecord]:
    assert officer.license_date is not None
    rule = rule_pack(pack_code).cycle
    current = cycle_containing(rule, officer.license_date, today)
    records: list[TrainingRecord] = []
    previous = cycle_before(rule, officer.license_date, current)
    if previous is not None and previous.end >= officer.license_date:
        earlier = DateRange(max(previous.start, officer.license_date), previous.end)
        for index, course in enumerate(profile.previous):
            records.append(_record(agency_id, officer, course, _spread(earlier, len(profile.previous), index),
                                   RecordSource.BULK_IMPORT, approver_id, f"import:legacy/{officer.badge_number}"))
    elapsed = DateRange(current.start, today - timedelta(days=1))
    for placed in profile.current:
        if placed.cycle_share is not None:
            day = elapsed.start + timedelta(days=int((elapsed.end - elapsed.start).days * placed.cycle_share))
        else:
            day = today - timedelta(days=placed.days_ago or 0)
        records.append(_record(agency_id, officer, placed.course, day, RecordSource.CERTIFICATE_REVIEW, approver_id,
                               "certificate:demo"))
    # Yearly in-service: the latest one and the one a year before it, as far back as the licence.
    for course, days_ago in ((USE_OF_FORCE, profile.use_of_force_days_ago), (FIREARMS, profile.firearms_days_ago),
                             (EVOC, profile.evoc_days_ago)):
        if days_ago is None:
            continue
        repeats = 1 if course is EVOC else 2
        for year in range(repeats):
            day = today - timedelta(days=days_ago + 365 * year)
            if day >= officer.license_date:
                records.append(_record(agency_id, officer, course, day, RecordSource.COORDINATOR_ENTRY, approver_id,
                                       "roll-call:in-service"))
    return records


def _steady(rng: random.Random) -> Profile:
    electives = rng.sample(ELECTIVES, k=rng.randint(1, 3))
    mandated = rng.sample((CIT, AUTISM, CONFLICT, IMPLICIT_BIAS), k=rng.randint(0, 2))
    shares = sorted(rng.uniform(0.05, 0.95) for _ in range(len(electives) + len(mandated)))
    return Profile(
        current=tuple(Placed(course, cycle_share=share) for course, share in zip([*mandated, *electives], shares,
                                                                                 strict=True)),
        use_of_force_days_ago=rng.randint(20, 300), firearms_days_ago=rng.randint(20, 300),
        evoc_days_ago=rng.randint(100, 1500),
    )


async def add_demo_training_records(session: AsyncSession, agency_id: int, roster_badges: dict[str, str],
                                    today: date | None = None) -> int:
    """Add the records (and leave) unless the agency already has training records. Returns rows added.

    `roster_badges` maps each demo roster key to its badge number (how people are found again).
    """
    if await session.scalar(select(func.count(TrainingRecord.id)).where(TrainingRecord.agency_id == agency_id)):
        return 0
    today = today or date.today()
    pack_code = await session.scalar(select(Agency.rule_pack).where(Agency.id == agency_id)) or "MN-POST"
    people = {person.badge_number: person for person in await session.scalars(
        select(Person).where(Person.agency_id == agency_id))}
    approver = people.get(roster_badges.get("coordinator", ""))
    approver_id = approver.id if approver else None
    rng = random.Random(48)  # fixed: the same demo on every machine
    records: list[TrainingRecord] = []
    for key, badge in roster_badges.items():
        officer = people.get(badge)
        if officer is None or officer.license_date is None or officer.license_date > today:
            continue
        profile = PROFILES.get(key) or _steady(rng)
        if key in NO_FIREARMS_YET:
            profile = replace(profile, firearms_days_ago=None)
        records.extend(_officer_records(agency_id, officer, profile, today, approver_id, pack_code))
    session.add_all(records)
    for key, (reason, days_ago) in LEAVE.items():
        officer = people.get(roster_badges.get(key, ""))
        if officer is not None and approver_id is not None:
            session.add(ComplianceWaiver(agency_id=agency_id, officer_id=officer.id, requirement_id=None,
                                         kind=WaiverKind.LEAVE, starts_on=today - timedelta(days=days_ago),
                                         reason=reason, granted_by_id=approver_id))
    await session.flush()
    return len(records)

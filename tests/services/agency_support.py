"""A hand-built agency with stored compliance rows, for the agency dashboard's tests.

The rows are inserted directly (not by the stored-status writer), so every expected number below is a
hand count of what is inserted here:

    Department           chief1 compliant                       (coord1, admin1: not tracked)
      Patrol A           lt1 on track, sgt1 at risk, officer1 overdue
        Traffic          Tina (Officer) overdue, Ted (Officer) at risk but on leave, Tom (Corporal) compliant
      Patrol B           sgt2 compliant, officer2 on track

Gaps: crisis intervention is owed by officer1 (overdue, in two periods), Tina (overdue), sgt1 and Ted;
use of force by officer1 (overdue), lt1 and officer2; firearms by Tina (overdue).
Another agency ("Elsewhere") has one unit and one tracked officer that must never be counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Agency, OfficerCompliance, OfficerComplianceGap, Person, Unit
from tests.support import Org

DUE = date(2027, 6, 30)
PAST = date(2026, 6, 30)


@dataclass
class AgencyOrg:
    org: Org
    department: int
    patrol_a: int
    patrol_b: int
    traffic: int
    tina: int
    ted: int
    tom: int
    other_agency: int
    other_unit: int


def compliance_row(officer_id: int, agency_id: int, state: str, *, on_leave: bool = False, percent: int = 50,
                   met: int = 2, total: int = 4, next_due_on: date | None = DUE) -> OfficerCompliance:
    return OfficerCompliance(
        officer_id=officer_id, agency_id=agency_id, state=state, on_leave=on_leave, percent=percent,
        hours_done=Decimal(24), hours_required=Decimal(48), requirements_met=met, requirements_total=total,
        cycle_start=date(2024, 7, 1), cycle_end=date(2027, 6, 30), next_due_on=next_due_on,
        evaluated_on=date(2026, 12, 1), rule_pack="MN-POST",
    )


def gap_row(officer_id: int, agency_id: int, requirement_id: str, title: str, *, overdue: bool = False,
            due_on: date | None = None) -> OfficerComplianceGap:
    due = due_on or (PAST if overdue else DUE)
    return OfficerComplianceGap(officer_id=officer_id, agency_id=agency_id, requirement_id=requirement_id,
                                title=title, due_on=due, overdue=overdue,
                                missing=f"{title} by {due.isoformat()}")


def person(agency_id: int, unit_id: int, first: str, last: str, rank: str, badge: str) -> Person:
    return Person(agency_id=agency_id, unit_id=unit_id, first_name=first, last_name=last, rank=rank,
                  badge_number=badge, email=f"{first.lower()}@test.example")


async def build_agency(factory: async_sessionmaker[AsyncSession], org: Org) -> AgencyOrg:
    async with factory() as session, session.begin():
        units = {u.name: u.id for u in await session.scalars(select(Unit).where(Unit.agency_id == org.agency_id))}
        traffic = Unit(agency_id=org.agency_id, parent_id=units["Patrol A"], name="Traffic")
        session.add(traffic)
        await session.flush()
        tina = person(org.agency_id, traffic.id, "Tina", "Traffic", "Officer", "T1")
        ted = person(org.agency_id, traffic.id, "Ted", "Tarmac", "Officer", "T2")
        tom = person(org.agency_id, traffic.id, "Tom", "Turner", "Corporal", "T3")
        other = Agency(name="Elsewhere Police", state="MN")
        session.add_all([tina, ted, tom, other])
        await session.flush()
        other_unit = Unit(agency_id=other.id, name="Elsewhere HQ")
        session.add(other_unit)
        await session.flush()
        stranger = person(other.id, other_unit.id, "Sid", "Stranger", "Officer", "X1")
        session.add(stranger)
        await session.flush()
        a = org.agency_id
        session.add_all([
            compliance_row(org.chief1, a, "compliant", percent=100, met=4),
            compliance_row(org.lt1, a, "on_track", percent=60, next_due_on=date(2027, 3, 31)),
            compliance_row(org.sgt1, a, "at_risk", percent=30),
            compliance_row(org.officer1, a, "overdue", percent=10, met=1, next_due_on=PAST),
            compliance_row(org.sgt2, a, "compliant", percent=100, met=4),
            compliance_row(org.officer2, a, "on_track", percent=70),
            compliance_row(tina.id, a, "overdue", percent=20, met=1, next_due_on=PAST),
            compliance_row(ted.id, a, "at_risk", on_leave=True, percent=40),
            compliance_row(tom.id, a, "compliant", percent=100, met=4),
            compliance_row(stranger.id, other.id, "overdue", percent=0),
        ])
        await session.flush()
        session.add_all([
            gap_row(org.officer1, a, "mn-crisis", "Crisis intervention", overdue=True),
            gap_row(org.officer1, a, "mn-crisis", "Crisis intervention", due_on=date(2027, 12, 31)),
            gap_row(tina.id, a, "mn-crisis", "Crisis intervention", overdue=True),
            gap_row(org.sgt1, a, "mn-crisis", "Crisis intervention"),
            gap_row(ted.id, a, "mn-crisis", "Crisis intervention"),
            gap_row(org.officer1, a, "mn-force", "Use of force", overdue=True),
            gap_row(org.lt1, a, "mn-force", "Use of force"),
            gap_row(org.officer2, a, "mn-force", "Use of force"),
            gap_row(tina.id, a, "mn-firearms", "Firearms qualification", overdue=True),
            gap_row(stranger.id, other.id, "mn-crisis", "Crisis intervention", overdue=True),
        ])
        return AgencyOrg(org, units["Department"], units["Patrol A"], units["Patrol B"], traffic.id,
                         tina.id, ted.id, tom.id, other.id, other_unit.id)


async def add_officers(factory: async_sessionmaker[AsyncSession], agency_id: int, unit_id: int, count: int,
                       start: int = 0) -> None:
    """`count` more tracked officers in the unit, states in turn, each owing a requirement of their own."""
    states = ("compliant", "on_track", "at_risk", "overdue")
    async with factory() as session, session.begin():
        people = [person(agency_id, unit_id, f"Extra{number}", f"Officer{number:03d}", "Officer", f"E{number}")
                  for number in range(start, start + count)]
        session.add_all(people)
        await session.flush()
        for number, someone in enumerate(people, start):
            session.add(compliance_row(someone.id, agency_id, states[number % 4], on_leave=number % 7 == 0))
        await session.flush()
        for number, someone in enumerate(people, start):
            session.add(gap_row(someone.id, agency_id, f"extra-{number:03d}", f"Sample requirement {number:03d}",
                                overdue=number % 2 == 0, due_on=DUE + timedelta(days=number)))

"""A fiscal year 2026 (1 July 2025 - 30 June 2026) for the demo organisation, counted by hand:

- officer1 (licence MN-1001): employed since 2019, moved from Patrol A to Patrol B in January, 10 + 8 credits in
  the year (and 5 on 30 June 2025, the year before): 12 months, 18 credits, eligible.
- officer2 (MN-1002): hired 25 November 2025: 7 months and 6 days; 15.5 credits: not eligible on both counts.
- sgt1 (MN-1003): part-time since 2018, 16 credits: eligible, flagged part-time.
- lt1 (MN-1004): July-October 2025, separated, re-hired 1 March 2026: 4 + 4 = 8 months, 20 credits, on
  medical leave in April: eligible.
- An approved request of officer1 ending 5 March 2026 with tuition $450.00 and lodging $200.00; a denied one
  and one ending in July 2026 are not gathered.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import (
    ComplianceWaiver,
    CostCategory,
    EmploymentPeriod,
    EmploymentStatus,
    Person,
    RecordSource,
    RequestStatus,
    TrainingRecord,
    TrainingRequest,
    TrainingRequestCost,
)
from services.access import CurrentUser
from services.reimbursement_claims import Actor
from tests.support import Org

LICENCES = {"officer1": "MN-1001", "officer2": "MN-1002", "sgt1": "MN-1003", "lt1": "MN-1004"}


async def build_fy2026(factory: async_sessionmaker[AsyncSession], org: Org) -> None:
    async with factory() as session, session.begin():
        for name, licence in LICENCES.items():
            (await session.get_one(Person, getattr(org, name))).license_number = licence
        spells = [(org.officer1, date(2019, 1, 1), None, False), (org.officer2, date(2025, 11, 25), None, False),
                  (org.sgt1, date(2018, 1, 1), None, True), (org.lt1, date(2020, 1, 1), date(2025, 10, 31), False),
                  (org.lt1, date(2026, 3, 1), None, False)]
        session.add_all([EmploymentPeriod(agency_id=org.agency_id, person_id=person, started_on=start,
                                          ended_on=end, part_time=part_time)
                         for person, start, end, part_time in spells])
        officer1 = await session.get_one(Person, org.officer1)
        patrol_b = (await session.get_one(Person, org.officer2)).unit_id
        officer1.unit_id = patrol_b  # the transfer: same agency, so months keep counting
        lt1 = await session.get_one(Person, org.lt1)
        lt1.employment_status = EmploymentStatus.LEAVE
        session.add(ComplianceWaiver(agency_id=org.agency_id, officer_id=org.lt1, kind="leave",
                                     starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30), reason="Medical leave",
                                     granted_by_id=org.coord1))
        records = [(org.officer1, date(2025, 9, 10), "10"), (org.officer1, date(2026, 6, 30), "8"),
                   (org.officer1, date(2025, 6, 30), "5"), (org.officer2, date(2026, 2, 1), "15.5"),
                   (org.sgt1, date(2025, 7, 1), "16"), (org.lt1, date(2026, 5, 2), "20")]
        session.add_all([TrainingRecord(agency_id=org.agency_id, officer_id=officer, course_title="In-service",
                                        provider="Academy", completed_on=day, hours=Decimal(hours),
                                        source=RecordSource.COORDINATOR_ENTRY)
                         for officer, day, hours in records])
        for status, end, tuition in ((RequestStatus.APPROVED, date(2026, 3, 5), 45_000),
                                     (RequestStatus.DENIED, date(2026, 3, 5), 99_900),
                                     (RequestStatus.APPROVED, date(2026, 7, 2), 77_700)):
            costs = [TrainingRequestCost(category=CostCategory.TUITION, amount_cents=tuition)]
            if tuition == 45_000:
                costs.append(TrainingRequestCost(category=CostCategory.LODGING, amount_cents=20_000))
            session.add(TrainingRequest(
                agency_id=org.agency_id, officer_id=org.officer1, title="Crisis Intervention Team course",
                provider="Regional Academy", location="St. Paul, MN", start_date=date(2026, 3, 1), end_date=end,
                hours=Decimal(40), justification="CIT", total_cost_cents=sum(c.amount_cents for c in costs),
                status=status, costs=costs))


def actor(org: Org, username: str, roles: set[str]) -> Actor:
    person_id = getattr(org, username)
    return Actor(CurrentUser(id=org.users[username], agency_id=org.agency_id, person_id=person_id,
                             username=username, display_name=username, roles=frozenset(roles)), "127.0.0.1")

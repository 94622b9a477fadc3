"""A training request's reminder and escalation move past the agency's closure day, on the time-skipping server
with the real activities: the plan activity reads the agency's calendar, the workflow counts with it.

Submitted Monday 09:00 agency time (the `business_week` fixture) with Wednesday an agency closure day:
2 business days are Tuesday and Thursday, so the reminder comes Thursday 09:00 (not Wednesday); 5 business
days end on Tuesday of the next week, 09:00 (not Monday). `business_week` has the agency work on the federal
holidays of those weeks, so only the closure moves the deadlines whatever week the test runs in.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete

from models import AgencyHoliday, HolidayChange, Task
from tests.portal.helpers import eventually
from tests.support import timeline, wait_for_open_task
from tests.workflows.test_training_request_workflow import start

CHICAGO = ZoneInfo("America/Chicago")  # the demo agency's zone


async def test_an_agency_closure_day_moves_the_reminder_and_the_escalation_by_a_day(
    session_factory, skipping_client, business_week, settings, demo_org
):
    monday = business_week.monday
    first_day = monday.astimezone(CHICAGO).date()
    wednesday = first_day + timedelta(days=2)
    async with session_factory() as session, session.begin():
        # `business_week` has the agency work on the federal holidays of these weeks (a Wednesday among them too).
        await session.execute(delete(AgencyHoliday).where(AgencyHoliday.day == wednesday))
        session.add(AgencyHoliday(agency_id=demo_org.agency_id, day=wednesday, name="Range day",
                                  kind=HolidayChange.ADDED))

    request_id, _ = await start(session_factory, skipping_client, settings, demo_org)
    task = await wait_for_open_task(session_factory, request_id)
    due = monday + timedelta(days=8)  # Tuesday of the next week, 09:00 agency time (and the moments it took)
    assert task.due_at is not None and due <= task.due_at < due + timedelta(minutes=1)

    await business_week.skip_to(monday + timedelta(days=2, hours=1))  # Wednesday 10:00: the closure day
    assert "reminded" not in await timeline(session_factory, request_id)
    await business_week.skip_to(monday + timedelta(days=3, hours=1))  # Thursday 10:00

    async def reminded() -> bool:
        return "reminded" in await timeline(session_factory, request_id)

    await eventually(reminded)

    await business_week.skip_to(monday + timedelta(days=7, hours=1))  # the next Monday 10:00: 4 business days
    assert "escalated" not in await timeline(session_factory, request_id)
    await business_week.skip_to(monday + timedelta(days=8, hours=1))  # Tuesday 10:00
    escalated = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    assert escalated.assignee_id == demo_org.lt1
    async with session_factory() as session:
        assert (await session.get_one(Task, task.id)).status == "cancelled"

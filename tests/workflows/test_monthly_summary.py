"""The monthly summary: command staff of each agency mailed their agency's figures once a month, once.

Expected mails are written out by hand from the rows tests/workflows/monthly_summary_support.py inserts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.monthly_summary import MonthlySummaryActivities
from activities.notifications import deliver_email
from models import Notification
from tests.workflows.monthly_summary_support import build_summary_org
from worker import ensure_monthly_summary_schedule
from workflows.monthly_summary import MonthlySummaryWorkflow
from workflows.monthly_summary_types import MonthlySummaryInput, SummaryBatch, month_before

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def in_words(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def text_of(message) -> str:
    return message.get_content().replace("\r\n", "\n").rstrip("\n")


async def run_summary(client: Client, settings) -> int:
    return await client.execute_workflow(
        MonthlySummaryWorkflow.run, MonthlySummaryInput(),
        id=f"{settings.workflow_id_prefix}monthly-summary-{uuid.uuid4().hex[:6]}", task_queue=settings.task_queue,
    )


def chief_body(now: datetime, start: date, public_url: str) -> str:
    as_of = in_words(now.astimezone(ZoneInfo("America/Chicago")).date())
    month = f"{MONTHS[start.month - 1]} {start.year}"
    return f"""Hello Carla,

Test Police Department's training compliance for {month}, as of {as_of}.

30% of officers are compliant (3 of the 10 not on leave): down 20 points from 50% on {in_words(start)}.

Officers by state (change since {in_words(start)}):
  Compliant: 3 (down 1)
  On track: 3 (no change)
  At risk: 2 (up 1)
  Overdue: 2 (up 2)
  On leave: 2 (no change)
  Tracked in all: 12

Requirements most often outstanding:
  1. Crisis intervention: 4 officers, 2 of them past due
  2. Use of force: 3 officers, 1 of them past due
  3. Firearms qualification: 1 officer, past due
  4. Sample requirement 000: 1 officer, past due
  5. Sample requirement 002: 1 officer, past due

Work waiting:
  Overdue cases (cycle ended with requirements unmet): 1 (the oldest for 3 days)
  Training requests awaiting approval: 1 (the oldest for 10 days)
  Certificates awaiting review: 0
  Record error reports awaiting a coordinator: 0

The agency's dashboard: {public_url}/agency

You get this summary on the first day of each month as command staff. To stop it: {public_url}/account/notifications"""


async def test_command_staff_who_want_it_get_their_agencys_summary_once_a_month(
    session_factory, skipping_client, time_skipping_env: WorkflowEnvironment, settings, demo_org, mailbox
):
    now = await time_skipping_env.get_current_time()
    org = await build_summary_org(session_factory, demo_org, now)
    month = f"{MONTHS[org.month_start.month - 1]} {org.month_start.year}"

    # The run reads the clock and sets no timer: with skipping on, the server may jump years while idle.
    with time_skipping_env.auto_time_skipping_disabled():
        assert await run_summary(skipping_client, settings) == 2
        mailed = list(mailbox.messages)
        # Run again in the same month (a retry, an operator's trigger): nothing new is sent.
        assert await run_summary(skipping_client, settings) == 0

    # Officers, sergeants, lieutenants, coordinators and administrators get none; nor do Dana (opted out),
    # Evan (email off) and Ina (inactive account).
    assert mailbox.messages == mailed
    assert sorted(message["To"] for message in mailed) == ["chief1@test.example", "xena@test.example"]
    chief = next(message for message in mailed if message["To"] == "chief1@test.example")
    assert chief["Subject"] == f"[Muster] Monthly compliance summary: {month}"
    assert text_of(chief) == chief_body(now, org.month_start, settings.public_url)
    xena = text_of(next(message for message in mailed if message["To"] == "xena@test.example"))
    assert "0% of officers are compliant (0 of the 1 not on leave).\nThere is no earlier snapshot" in xena
    assert "  Overdue: 1\n  On leave: 0\n  Tracked in all: 1" in xena
    assert "1. Crisis intervention: 1 officer, past due" in xena
    assert "Certificates awaiting review: 1 (the oldest for 2 days)" in xena

    async with session_factory() as session:
        rows = list(await session.scalars(select(Notification).order_by(Notification.person_id)))
    assert [(row.person_id, row.key, row.in_app, row.email_state) for row in rows] == [
        (demo_org.chief1, f"monthly-summary:{demo_org.chief1}:{org.month_start:%Y-%m}", False, "sent"),
        (org.xena, f"monthly-summary:{org.xena}:{org.month_start:%Y-%m}", False, "sent"),
    ]


async def test_a_retried_batch_writes_each_summary_once_and_offers_only_the_unsent(
    session_factory, settings, demo_org, mailbox
):
    now = datetime.fromisoformat("2027-03-01T13:00:00+00:00")
    org = await build_summary_org(session_factory, demo_org, now)
    activities = MonthlySummaryActivities(session_factory, settings)
    env = ActivityEnvironment()
    batch = SummaryBatch(month="2027-02", as_of=now.isoformat(), after_agency_id=0, limit=1)

    first = await env.run(activities.write_summaries, batch)
    again = await env.run(activities.write_summaries, batch)  # as if the first attempt's reply was lost

    assert first == again and first.next_after_agency_id == demo_org.agency_id
    [summary_id] = first.notification_ids
    await deliver_email(session_factory, settings, summary_id)
    assert (await env.run(activities.write_summaries, batch)).notification_ids == []
    rest = await env.run(activities.write_summaries, SummaryBatch(
        month="2027-02", as_of=now.isoformat(), after_agency_id=demo_org.agency_id, limit=1))
    assert rest.next_after_agency_id == org.agency.other_agency and len(rest.notification_ids) == 1
    async with session_factory() as session:
        assert len(list(await session.scalars(select(Notification.id)))) == 2
    [mail] = mailbox.messages
    assert mail["To"] == "chief1@test.example"
    assert "for February 2027, as of 1 March 2027." in text_of(mail)


def test_the_month_summarised_is_the_one_before_the_run():
    assert month_before(date(2026, 12, 1)) == "2026-11"
    assert month_before(date(2027, 1, 1)) == "2026-12"
    assert month_before(date(2027, 3, 31)) == "2027-02"


async def test_worker_creates_the_first_of_the_month_schedule_once(temporal_env: WorkflowEnvironment, settings):
    client = temporal_env.client

    assert await ensure_monthly_summary_schedule(client, settings) is True
    assert await ensure_monthly_summary_schedule(client, settings) is False  # a second worker finds it there

    handle = client.get_schedule_handle(f"{settings.workflow_id_prefix}muster-monthly-summary")
    try:
        description = await handle.describe()
        [calendar] = description.schedule.spec.calendars
        assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
        assert [(r.start, r.end) for r in calendar.hour] == [(13, 13)]
        assert description.schedule.spec.time_zone_name in (None, "", "UTC")
        action = description.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == "MonthlySummary" and action.task_queue == settings.task_queue
    finally:
        await handle.delete()

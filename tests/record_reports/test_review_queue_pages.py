"""The record reports queue pages through a state-sized backlog, oldest first."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import RecordErrorReport, RecordSource, ReportKind, TrainingRecord, utcnow
from tests.portal.helpers import assert_paged_oldest_first
from tests.support import Org


async def queue_reports(factory: async_sessionmaker[AsyncSession], org: Org, count: int) -> list[str]:
    """`count` open reports, each about its own record, inserted as rows (no workflow); the records' titles,
    oldest report first. The newest is inserted first, so only created_at can put the queue in order."""
    start = utcnow() - timedelta(days=30)
    async with factory() as session, session.begin():
        for n in reversed(range(count)):
            record = TrainingRecord(agency_id=org.agency_id, officer_id=org.officer1,
                                    course_title=f"Reported course {n + 1:03d}", provider="Range Academy",
                                    completed_on=date(2025, 3, 14), hours=Decimal("8"), source=RecordSource.SEED)
            session.add(record)
            await session.flush()
            session.add(RecordErrorReport(agency_id=org.agency_id, officer_id=org.officer1, record_id=record.id,
                                          kind=ReportKind.HOURS_WRONG, description="The course was 12 hours.",
                                          created_at=start + timedelta(minutes=n)))
    return [f"Reported course {n + 1:03d}" for n in range(count)]


async def test_report_queue_shows_25_oldest_first_a_page_and_clamps_bad_page_numbers(
    browsers, session_factory, demo_org
):
    titles = await queue_reports(session_factory, demo_org, 26)
    coordinator = await browsers("coord1")

    await assert_paged_oldest_first(coordinator, "/records/reports/review", titles)

    assert "26 reports waiting." in (await coordinator.get("/records/reports/review")).text


async def test_an_empty_report_queue_has_no_pager(browsers, demo_org):
    page = await (await browsers("coord1")).get("/records/reports/review?page=abc")
    assert page.status_code == 200
    assert "No record reports are waiting." in page.text and "Page 1 of" not in page.text

"""The certificate review queue pages through a state-sized backlog, oldest first."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CertificateSubmission, CertificateVersion, Task, TaskKind, TaskQueue, utcnow
from tests.portal.helpers import assert_paged_oldest_first
from tests.support import Org


async def queue_certificates(factory: async_sessionmaker[AsyncSession], org: Org, count: int) -> list[str]:
    """`count` certificates waiting for review, inserted as rows (no workflow); their titles, oldest first.

    The newest is inserted first, so only created_at (not the id) can put the queue in order."""
    start = utcnow() - timedelta(days=30)
    async with factory() as session, session.begin():
        for n in reversed(range(count)):
            submission = CertificateSubmission(
                agency_id=org.agency_id, officer_id=org.officer1, workflow_id=f"test-certificate-{n}",
                versions=[CertificateVersion(
                    version=1, object_key=f"test/certificate-{n}", content_type="application/pdf", size=100,
                    sha256=f"{n:064d}", display_name="certificate.pdf", course_title=f"Queued course {n + 1:03d}",
                    provider="Regional Academy", completed_on=date(2026, 1, 5), hours=Decimal("4"))],
            )
            session.add(submission)
            await session.flush()
            session.add(Task(key=f"test-review-{n}", agency_id=org.agency_id, kind=TaskKind.REVIEW_CERTIFICATE,
                             subject_type="certificate_submission", subject_id=submission.id,
                             workflow_id=f"test-certificate-{n}", queue=TaskQueue.COORDINATORS,
                             created_at=start + timedelta(minutes=n)))
    return [f"Queued course {n + 1:03d}" for n in range(count)]


async def test_review_queue_shows_25_oldest_first_a_page_and_clamps_bad_page_numbers(
    browsers, session_factory, demo_org
):
    titles = await queue_certificates(session_factory, demo_org, 26)
    coordinator = await browsers("coord1")

    await assert_paged_oldest_first(coordinator, "/certificates/review", titles)

    first = await coordinator.get("/certificates/review")
    assert "26 certificates waiting for review." in first.text


async def test_rows_on_a_later_page_keep_their_in_place_decision_form(browsers, session_factory, demo_org):
    await queue_certificates(session_factory, demo_org, 27)
    async with session_factory() as session:
        newest = await session.scalar(select(Task.id).where(Task.key == "test-review-26"))
    coordinator = await browsers("coord1")

    second = await coordinator.get("/certificates/review?page=2")

    assert f'id="review-{newest}"' in second.text
    assert (f'hx-post="/certificates/review/tasks/{newest}/decision" hx-target="#review-{newest}" '
            'hx-swap="outerHTML"') in second.text


async def test_an_empty_queue_has_no_pager(browsers, demo_org):
    page = await (await browsers("coord1")).get("/certificates/review?page=3")
    assert page.status_code == 200
    assert "No certificates are waiting for review." in page.text and "Page 1 of" not in page.text

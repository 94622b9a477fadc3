"""The escalations page pages its two lists (escalated requests, compliance cases) separately."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import RequestStatus, Task, TaskKind, TaskQueue, TrainingRequest, utcnow
from tests.portal.helpers import assert_paged_oldest_first
from tests.support import Org


async def escalate_requests(factory: async_sessionmaker[AsyncSession], org: Org, count: int) -> list[str]:
    """`count` requests in the coordinators' queue, inserted as rows (no workflow); titles, oldest first.
    The newest is inserted first, so only created_at can put the queue in order."""
    start = utcnow() - timedelta(days=30)
    async with factory() as session, session.begin():
        for n in reversed(range(count)):
            request = TrainingRequest(
                agency_id=org.agency_id, officer_id=org.officer1, title=f"Escalated course {n + 1:03d}",
                provider="Regional Academy", location="St. Paul, MN", start_date=date(2027, 3, 1),
                end_date=date(2027, 3, 5), hours=Decimal("40"), justification="Required.",
                status=RequestStatus.ESCALATED,
            )
            session.add(request)
            await session.flush()
            session.add(Task(key=f"test-escalation-{n}", agency_id=org.agency_id,
                             kind=TaskKind.APPROVE_TRAINING_REQUEST, subject_type="training_request",
                             subject_id=request.id, workflow_id=f"test-request-{n}", queue=TaskQueue.COORDINATORS,
                             created_at=start + timedelta(minutes=n)))
    return [f"Escalated course {n + 1:03d}" for n in range(count)]


async def open_cases(factory: async_sessionmaker[AsyncSession], org: Org, count: int) -> list[str]:
    """`count` open compliance cases for officer1, inserted as rows; "cycle ended …" texts, oldest first."""
    start = utcnow() - timedelta(days=30)
    ends = [date(2000, 1, 1) + timedelta(days=n) for n in range(count)]
    async with factory() as session, session.begin():
        for n in reversed(range(count)):
            session.add(Task(key=f"licensing-cycle-test-{n}:case:{ends[n].isoformat()}", agency_id=org.agency_id,
                             kind=TaskKind.COMPLIANCE_CASE, subject_type="officer", subject_id=org.officer1,
                             workflow_id=f"licensing-cycle-test-{n}", queue=TaskQueue.COORDINATORS,
                             created_at=start + timedelta(minutes=n)))
    return [f"cycle ended {end.day} {end:%B %Y}" for end in ends]


async def test_escalated_requests_show_25_oldest_first_a_page_and_clamp_bad_page_numbers(
    browsers, session_factory, demo_org
):
    titles = await escalate_requests(session_factory, demo_org, 26)
    coordinator = await browsers("coord1")

    await assert_paged_oldest_first(coordinator, "/escalations", titles)

    assert "26 requests waiting." in (await coordinator.get("/escalations")).text


async def test_compliance_cases_page_on_their_own_parameter(browsers, session_factory, demo_org):
    cases = await open_cases(session_factory, demo_org, 26)
    requests = await escalate_requests(session_factory, demo_org, 1)
    coordinator = await browsers("coord1")

    await assert_paged_oldest_first(coordinator, "/escalations", cases, param="cases_page")

    # Paging the cases leaves the requests list as it is.
    second = await coordinator.get("/escalations?cases_page=2")
    assert requests[0] in second.text and "26 open cases, oldest first." in second.text
    assert 'href="/escalations?cases_page=1#cases"' in second.text
    assert (await coordinator.get("/escalations?page=abc&cases_page=999")).status_code == 200


async def test_each_list_keeps_the_other_lists_page(browsers, session_factory, demo_org):
    requests = await escalate_requests(session_factory, demo_org, 26)
    cases = await open_cases(session_factory, demo_org, 26)
    coordinator = await browsers("coord1")

    both = await coordinator.get("/escalations?page=2&cases_page=2")

    assert requests[-1] in both.text and cases[-1] in both.text
    assert requests[0] not in both.text and cases[0] not in both.text
    assert 'href="/escalations?cases_page=2&amp;page=1"' in both.text
    assert 'href="/escalations?page=2&amp;cases_page=1#cases"' in both.text

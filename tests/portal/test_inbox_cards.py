"""Each inbox card says what the approver needs to decide: hours, topics, costs, what the course covers of
the officer's outstanding requirements, the officer's stored standing, and when it escalates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event, select

from models import (
    AuditEvent,
    AuditOutcome,
    CostCategory,
    OfficerCompliance,
    OfficerComplianceGap,
    Task,
    TaskKind,
    TrainingRequest,
    TrainingRequestCost,
    TrainingRequestTopic,
    utcnow,
)
from services.compliance_status import refresh_officers
from tests.portal.test_local_time_and_words import visible_text
from tests.services.records_support import give_known_records, license_officer
from tests.support import Org

# 06:03 UTC is three minutes past midnight in Minnesota (the test agency's zone is America/Chicago).
DUE_AT = datetime(2030, 12, 9, 6, 3, tzinfo=UTC)
CRISIS_OWED = "6 more crisis-intervention credits by 30 June 2027"


async def add_card(session_factory, org: Org, officer_id: int, *, assignee_id: int, title: str = "Crisis course",
                   hours: str = "8", topics: tuple[str, ...] = ("crisis_intervention",),
                   costs: dict[CostCategory, int] | None = None, number: int = 0) -> int:
    """A request waiting on `assignee_id` for three days, as the workflow writes it; returns the task id."""
    costs = costs if costs is not None else {CostCategory.TUITION: 20_000}
    async with session_factory() as session, session.begin():
        request = TrainingRequest(
            agency_id=org.agency_id, officer_id=officer_id, title=title, provider="Regional Academy",
            location="St. Paul, MN", start_date=date(2027, 3, 1), end_date=date(2027, 3, 5), hours=Decimal(hours),
            justification="Needed.", total_cost_cents=sum(costs.values()), status="in_review",
            workflow_id=f"card-test-{officer_id}-{number}-{title}",
            costs=[TrainingRequestCost(category=category, amount_cents=cents) for category, cents in costs.items()],
            topics=[TrainingRequestTopic(topic_code=code) for code in topics],
        )
        session.add(request)
        await session.flush()
        task = Task(key=f"card-test-{request.id}", agency_id=org.agency_id, kind=TaskKind.APPROVE_TRAINING_REQUEST,
                    subject_type="training_request", subject_id=request.id, workflow_id=request.workflow_id,
                    assignee_id=assignee_id, due_at=DUE_AT, created_at=utcnow() - timedelta(days=3, hours=2))
        session.add(task)
        await session.flush()
        return task.id


async def store_standing(session_factory, org: Org, officer_id: int, *, state: str = "at_risk", percent: int = 62,
                         gaps: tuple[tuple[str, str], ...] = (("mn-crisis-intervention", CRISIS_OWED),)) -> None:
    """The stored status as services/compliance_status writes it, set directly."""
    async with session_factory() as session, session.begin():
        session.add(OfficerCompliance(
            officer_id=officer_id, agency_id=org.agency_id, state=state, on_leave=False, percent=percent,
            hours_done=Decimal(30), hours_required=Decimal(48), requirements_met=3, requirements_total=8,
            cycle_start=date(2024, 7, 1), cycle_end=date(2027, 6, 30), next_due_on=date(2027, 6, 30),
            evaluated_on=date(2026, 12, 1), rule_pack="MN-POST"))
        await session.flush()
        for requirement_id, missing in gaps:
            session.add(OfficerComplianceGap(officer_id=officer_id, agency_id=org.agency_id,
                                             requirement_id=requirement_id, title=requirement_id,
                                             due_on=date(2027, 6, 30), overdue=False, missing=missing))


def card_text(html: str, task_id: int) -> str:
    start = html.index(f'id="task-{task_id}"')
    return visible_text(html[start:html.index("</article>", start)])


async def test_card_shows_hours_topics_costs_standing_and_that_the_course_covers_what_is_owed(
        browsers, demo_org, session_factory):
    await store_standing(session_factory, demo_org, demo_org.officer1)
    task_id = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1,
                             costs={CostCategory.TUITION: 45_000, CostCategory.TRAVEL: 12_050,
                                    CostCategory.LODGING: 30_000, CostCategory.OTHER: 2_500})
    html = (await (await browsers("sgt1")).get("/inbox")).text
    text = card_text(html, task_id)

    assert "Hours and topics 8 hours · Crisis intervention" in text
    assert ("Cost Tuition $450.00 · Travel $120.50 · Lodging $300.00 · Other $25.00 · Total $895.50") in text
    assert "Covers all 6 crisis intervention credits this officer still needs by 30 June 2027" in text
    assert "Standing At risk, 62% of requirements met" in text
    assert f'href="/officers/{demo_org.officer1}/dashboard"' in html
    assert "Waiting 3 days · escalates Monday 9 December 2030, 00:03" in text
    assert "crisis_intervention" not in text and "UTC" not in text


async def test_card_says_a_short_course_covers_part_and_another_topic_covers_nothing(
        browsers, demo_org, session_factory):
    await store_standing(session_factory, demo_org, demo_org.officer1)
    short = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1, hours="4",
                           title="Short crisis course")
    other = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1,
                           topics=("use_of_force",), title="Force course")
    html = (await (await browsers("sgt1")).get("/inbox")).text

    assert ("Covers 4 of the 6 crisis intervention credits this officer still needs by 30 June 2027"
            in card_text(html, short))
    assert "Does not count toward anything this officer still owes" in card_text(html, other)
    assert "Use of force" in card_text(html, other)


async def test_coverage_reads_the_gaps_the_stored_status_writer_keeps(browsers, demo_org, session_factory):
    # give_known_records: 6 crisis credits done, the 4 autism credits outstanding.
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    async with session_factory() as session, session.begin():
        await refresh_officers(session, [demo_org.officer1], date.today())
        autism = await session.scalar(select(OfficerComplianceGap).where(
            OfficerComplianceGap.officer_id == demo_org.officer1, OfficerComplianceGap.requirement_id == "mn-autism"))
        due = autism.due_on
    task_id = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1, hours="3",
                             topics=("autism",))
    text = card_text((await (await browsers("sgt1")).get("/inbox")).text, task_id)
    assert f"Covers 3 of the 4 autism credits this officer still needs by {due.day} " in text


async def test_an_officer_not_evaluated_yet_is_said_so(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    task_id = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1)
    text = card_text((await (await browsers("sgt1")).get("/inbox")).text, task_id)
    assert "Standing Not evaluated yet" in text
    assert "Not known until this officer's compliance is evaluated" in text


async def test_sergeant_never_sees_the_context_of_an_officer_outside_their_chain(
        browsers, demo_org, session_factory):
    await store_standing(session_factory, demo_org, demo_org.officer1)
    theirs = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1)
    # A coordinator handed officer1's other request to sgt2, who is not in officer1's chain.
    handed = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt2,
                            title="Handed over")
    sergeant2 = await browsers("sgt2")

    inbox = (await sergeant2.get("/inbox")).text
    assert f'id="task-{theirs}"' not in inbox
    handed_card = card_text(inbox, handed)
    assert "Hours and topics 8 hours" in handed_card  # the request itself: theirs to decide
    assert "Covers" not in handed_card and "At risk" not in handed_card
    assert f"/officers/{demo_org.officer1}/dashboard" not in inbox

    refused = await sergeant2.post(f"/inbox/tasks/{theirs}/decision", {"action": "approve"}, htmx=True)
    assert refused.status_code == 403
    assert "Covers" not in refused.text and "Crisis course" not in refused.text and "At risk" not in refused.text


async def test_deny_without_a_comment_is_refused_in_the_card_and_never_sent(browsers, demo_org, session_factory):
    await store_standing(session_factory, demo_org, demo_org.officer1)
    task_id = await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1)
    sergeant = await browsers("sgt1")

    for action in ("deny", "request_changes"):
        response = await sergeant.post(f"/inbox/tasks/{task_id}/decision", {"action": action, "comment": "  "},
                                       htmx=True)
        assert response.status_code == 400
        assert response.text.lstrip().startswith("<article")
        assert "in the comment, so the officer knows" in response.text
        assert f'aria-describedby="comment-{task_id}-hint comment-{task_id}-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        # Still the whole card: the approver decides again without opening anything.
        assert "Covers all 6 crisis intervention credits" in response.text

    async with session_factory() as session:
        audits = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "training_request.decide")
                                            .order_by(AuditEvent.id)))
        assert [audit.outcome for audit in audits] == [AuditOutcome.FAILURE, AuditOutcome.FAILURE]
        assert "comment" in audits[0].detail["reason"] and "answer" not in audits[0].detail
        assert (await session.get(TrainingRequest, (await session.get(Task, task_id)).subject_id)).status == "in_review"


async def test_inbox_statements_do_not_grow_with_the_number_of_cards(app, browsers, demo_org, session_factory):
    await store_standing(session_factory, demo_org, demo_org.officer1)
    await add_card(session_factory, demo_org, demo_org.officer1, assignee_id=demo_org.sgt1, number=0)
    browser = await browsers("sgt1")
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert (await browser.get("/inbox")).status_code == 200
        one_card = len(statements)
        for number in range(1, 10):
            await add_card(session_factory, demo_org, demo_org.officer1 if number % 2 else demo_org.lt1,
                           assignee_id=demo_org.sgt1, number=number, topics=("crisis_intervention", "use_of_force"),
                           costs={CostCategory.TUITION: 100, CostCategory.LODGING: 200})
        statements.clear()
        page = await browser.get("/inbox")
        assert page.status_code == 200 and page.text.count('class="task"') == 10
        assert len(statements) == one_card
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)

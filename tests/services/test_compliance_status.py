"""The stored compliance status: what time alone changes, who has a row, and that storing is repeatable.

Expectations are counted by hand from the Minnesota rule pack (see compliance_status_support).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from models import OfficerCompliance, OfficerComplianceGap, Person
from seed.demo import seed_demo
from services.compliance import officer_status
from services.compliance_status import refresh_officers, refresh_page, store_evaluation
from tests.services.compliance_status_support import (
    COURSE_HOURS,
    CYCLE_END,
    LICENSED,
    add_leave,
    licensed_with_courses,
    separate,
    stored,
)

TOTAL_TITLE = "48 continuing-education credits per licensing cycle"


async def _refresh(factory, officer_id: int, on: date) -> OfficerCompliance:
    async with factory() as session, session.begin():
        await refresh_officers(session, [officer_id], on)
    row = await stored(factory, officer_id)
    assert row is not None
    return row


async def test_time_alone_moves_an_officer_from_on_track_to_at_risk_to_overdue(session_factory, demo_org):
    await licensed_with_courses(session_factory, demo_org, demo_org.officer1, "MN-1")

    # 91 days before the cycle ends: 15 credits short is not yet "at risk" (that starts 90 days out).
    row = await _refresh(session_factory, demo_org.officer1, date(2027, 3, 31))
    assert (row.state, row.on_leave, row.evaluated_on) == ("on_track", False, date(2027, 3, 31))
    assert (row.cycle_start, row.cycle_end, row.next_due_on) == (LICENSED, CYCLE_END, CYCLE_END)
    assert (row.hours_done, row.hours_required) == (COURSE_HOURS, Decimal(48))
    # 11 requirements: 48 credits, 16 mandated, five mandated topics, wellness, use of force, firearms, EVOC.
    assert (row.requirements_met, row.requirements_total) == (10, 11)
    # Hours over all of them: 48 + 16 + 6 + 4 + 1 + 1 + 1 + 1 + 1 + 1 + 8 = 88 required, 73 done: 82 %.
    assert row.percent == 82
    assert [(gap.requirement_id, gap.title, gap.due_on, gap.overdue, gap.missing) for gap in row.gaps] == [
        ("mn-total", TOTAL_TITLE, CYCLE_END, False, "15 more credits by 30 June 2027")]

    # 90 days out, with 33 of 48 done (69 %) while 92 % of the cycle has gone by.
    row = await _refresh(session_factory, demo_org.officer1, date(2027, 4, 1))
    assert row.state == "at_risk" and [gap.requirement_id for gap in row.gaps] == ["mn-total"]
    row = await _refresh(session_factory, demo_org.officer1, CYCLE_END)  # the last day still counts
    assert row.state == "at_risk"

    # The day after: a new cycle (to 30 June 2030), the last one's 48 credits overdue.
    row = await _refresh(session_factory, demo_org.officer1, date(2027, 7, 1))
    assert (row.state, row.cycle_start, row.cycle_end) == ("overdue", date(2027, 7, 1), date(2030, 6, 30))
    assert (row.hours_done, row.hours_required, row.next_due_on) == (Decimal(0), Decimal(48), CYCLE_END)
    # Only the 12-monthly (done in January 2027) and 5-yearly requirements are met in the new cycle;
    # 10 of 88 hours: 11 %.
    assert (row.requirements_met, row.requirements_total, row.percent) == (3, 11, 11)
    assert [(gap.requirement_id, gap.due_on, gap.overdue) for gap in row.gaps] == [
        ("mn-total", CYCLE_END, True),
        *((requirement, date(2030, 6, 30), False) for requirement in (
            "mn-total", "mn-mandated", "mn-crisis-intervention", "mn-autism", "mn-conflict-management",
            "mn-implicit-bias", "mn-bias-crimes", "mn-wellness")),
    ]
    assert row.gaps[0].missing == "15 more credits, overdue (was due by 30 June 2027)"
    assert row.gaps[3].missing == "6 more crisis-intervention credits by 30 June 2030"


async def test_leave_covering_the_day_marks_the_officer_on_leave(session_factory, demo_org):
    await licensed_with_courses(session_factory, demo_org, demo_org.officer1, "MN-1")
    await licensed_with_courses(session_factory, demo_org, demo_org.officer2, "MN-2")
    await add_leave(session_factory, demo_org, demo_org.officer1, date(2027, 1, 1))
    await add_leave(session_factory, demo_org, demo_org.officer2, date(2026, 1, 1), date(2026, 12, 31))

    assert (await _refresh(session_factory, demo_org.officer1, date(2027, 3, 1))).on_leave is True
    assert (await _refresh(session_factory, demo_org.officer2, date(2027, 3, 1))).on_leave is False  # leave ended


async def test_a_separated_officer_loses_the_stored_row_at_the_next_refresh(session_factory, demo_org):
    await licensed_with_courses(session_factory, demo_org, demo_org.officer1, "MN-1")
    async with session_factory() as session, session.begin():
        assert await refresh_page(session, 0, 500, date(2027, 3, 1)) is None  # 8 people: one page
    assert await stored(session_factory, demo_org.officer1) is not None

    await separate(session_factory, demo_org.officer1, date(2027, 3, 15))
    async with session_factory() as session, session.begin():
        await refresh_page(session, 0, 500, date(2027, 4, 1))
    assert await stored(session_factory, demo_org.officer1) is None
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(OfficerComplianceGap)) == 0


async def _all_rows(factory) -> tuple[list[tuple], list[tuple]]:
    async with factory() as session:
        statuses = (await session.execute(select(
            *(column for column in OfficerCompliance.__table__.columns if column.name != "updated_at"))
            .order_by(OfficerCompliance.officer_id))).all()
        gaps = (await session.execute(select(OfficerComplianceGap).order_by(OfficerComplianceGap.id))).scalars()
        return [tuple(row) for row in statuses], [
            (gap.id, gap.officer_id, gap.requirement_id, gap.due_on, gap.overdue, gap.missing) for gap in gaps]


async def test_refreshing_twice_leaves_the_same_rows_in_pages_of_any_size(session_factory, demo_org):
    await licensed_with_courses(session_factory, demo_org, demo_org.officer1, "MN-1")
    await licensed_with_courses(session_factory, demo_org, demo_org.sgt1, "MN-2")
    async with session_factory() as session, session.begin():
        assert await refresh_page(session, 0, 500, date(2027, 7, 1)) is None
    first = await _all_rows(session_factory)
    cursor: int | None = 0
    pages = 0
    while cursor is not None:  # again, three people at a time: 8 people take 3 pages
        async with session_factory() as session, session.begin():
            cursor = await refresh_page(session, cursor, 3, date(2027, 7, 1))
        pages += 1
    assert pages == 3
    assert await _all_rows(session_factory) == first
    assert [officer for officer, *_ in first[0]] == sorted([demo_org.officer1, demo_org.sgt1])
    assert len(first[1]) == 2 * 9  # nine gaps each, gap ids unchanged by the second refresh


async def test_an_evaluation_for_an_earlier_day_never_replaces_a_later_one(session_factory, demo_org):
    await licensed_with_courses(session_factory, demo_org, demo_org.officer1, "MN-1")
    await _refresh(session_factory, demo_org.officer1, date(2027, 7, 1))
    async with session_factory() as session, session.begin():
        person = await session.get_one(Person, demo_org.officer1)
        # As the licensing-cycle workflow does when it closes a cycle: the cycle's last day, evaluated late.
        await store_evaluation(session, person, await officer_status(session, person.id, CYCLE_END), CYCLE_END)
    row = await stored(session_factory, demo_org.officer1)
    assert row is not None and (row.state, row.evaluated_on, len(row.gaps)) == ("overdue", date(2027, 7, 1), 9)


async def test_stored_rows_equal_every_demo_officers_own_evaluation(session_factory):
    """The base of "the dashboard counts equal the officers' own dashboards", for the whole demo agency."""
    await seed_demo(session_factory, workflow_id_prefix="")
    today = date.today()
    cursor: int | None = 0
    while cursor is not None:
        async with session_factory() as session, session.begin():
            cursor = await refresh_page(session, cursor, 7, today)
    async with session_factory() as session:
        people = list(await session.scalars(select(Person).order_by(Person.id)))
        live = {person.id: await officer_status(session, person.id, today) for person in people}
    tracked = {officer_id: status for officer_id, status in live.items() if status is not None}
    assert len(tracked) >= 20  # the sworn roster; civilians hold no licence
    for officer_id, status in live.items():
        row = await stored(session_factory, officer_id)
        if status is None:
            assert row is None
            continue
        assert row is not None
        current = [requirement for requirement in status.requirements if not requirement.previous_period]
        unmet = [requirement for requirement in status.requirements if not requirement.met]
        assert (row.state, row.percent, row.hours_done, row.hours_required) == (
            status.state, status.percent, status.total_done, status.total_required)
        assert (row.requirements_met, row.requirements_total) == (
            sum(requirement.met for requirement in current), len(current))
        assert (row.cycle_start, row.cycle_end, row.evaluated_on) == (status.cycle_start, status.cycle_end, today)
        assert row.next_due_on == min((requirement.due_on for requirement in unmet), default=None)
        assert sorted((gap.requirement_id, gap.due_on, gap.overdue, gap.missing) for gap in row.gaps) == sorted(
            (requirement.requirement.id, requirement.due_on, requirement.overdue, sentence)
            for requirement, sentence in zip(unmet, status.missing, strict=True))
    async with session_factory() as session:
        by_state = {state: count for state, count in await session.execute(
            select(OfficerCompliance.state, func.count()).group_by(OfficerCompliance.state))}
        on_leave = await session.scalar(select(func.count()).where(OfficerCompliance.on_leave))
    # As seed/training_records.py describes the roster: Dahl compliant, Benson at risk, Sorensen and Lund
    # overdue, Pederson on medical leave; the others on track.
    assert (by_state.get("compliant"), by_state.get("at_risk"), by_state.get("overdue")) == (1, 1, 2)
    assert by_state["on_track"] == len(tracked) - 4 and on_leave == 1

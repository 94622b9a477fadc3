"""The agency's numbers in SQL: units rolled up through the tree, ranks, top gaps, the trend's picks, the work
queues' ages, reminders and escalations, and the officers behind a number. Expected values are hand counts
of the rows tests/services/agency_support.py inserts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models import (
    CertificateEvent,
    CertificateSubmission,
    ComplianceSnapshot,
    RecordErrorReport,
    RecordReportEvent,
    RequestEvent,
    Task,
    TaskKind,
    TaskStatus,
)
from services import agency_compliance as compliance
from services import agency_officers as officers
from services import agency_work_queues as work
from tests.services.agency_support import add_officers, build_agency
from tests.support import create_request


def counts(row: compliance.StateCounts) -> tuple[int | None, ...]:
    """(compliant, on track, at risk, overdue, on leave, total, % compliant)"""
    return (*row.counts(), row.total, row.percent_compliant)


@pytest.fixture
async def agency(session_factory, demo_org):
    return await build_agency(session_factory, demo_org)


async def test_units_are_rolled_up_through_the_tree_in_reading_order(session_factory, agency):
    async with session_factory() as session:
        rows = await compliance.unit_rows(session, agency.org.agency_id)
    assert [(row.name, row.depth) for row in rows] == [
        ("Department", 0), ("Patrol A", 1), ("Traffic", 2), ("Patrol B", 1)]
    by_name = {row.name: counts(row) for row in rows}
    # Traffic: Tom compliant, Tina overdue, Ted on leave; 1 of the 2 not on leave is compliant.
    assert by_name["Traffic"] == (1, 0, 0, 1, 1, 3, 50)
    # Patrol A: lt1, sgt1, officer1 and Traffic below it; 1 compliant of 5 not on leave.
    assert by_name["Patrol A"] == (1, 1, 1, 2, 1, 6, 20)
    assert by_name["Patrol B"] == (1, 1, 0, 0, 0, 2, 50)
    # The whole tree and chief1; 3 of 8 is 37.5%, shown rounded down.
    assert by_name["Department"] == (3, 2, 1, 2, 1, 9, 37)


async def test_a_unit_scope_shows_its_subtree_only(session_factory, agency):
    async with session_factory() as session:
        rows = await compliance.unit_rows(session, agency.org.agency_id, agency.patrol_a)
        ranks = await compliance.rank_rows(session, agency.org.agency_id, agency.patrol_a)
        gaps = await compliance.top_gaps(session, agency.org.agency_id, agency.patrol_a)
        elsewhere = await compliance.unit_rows(session, agency.org.agency_id, agency.other_unit)
    assert [(row.name, row.depth, row.total) for row in rows] == [("Patrol A", 0, 6), ("Traffic", 1, 3)]
    assert {row.rank: counts(row) for row in ranks} == {
        "Corporal": (1, 0, 0, 0, 0, 1, 100),
        "Lieutenant": (0, 1, 0, 0, 0, 1, 0),
        "Officer": (0, 0, 0, 2, 1, 3, 0),
        "Sergeant": (0, 0, 1, 0, 0, 1, 0),
    }
    # officer2 (Patrol B) owes use of force too, but is outside the scope.
    assert [(g.requirement_id, g.officers, g.overdue) for g in gaps] == [
        ("mn-crisis", 4, 2), ("mn-force", 2, 1), ("mn-firearms", 1, 1)]
    assert elsewhere == []  # another agency's unit has no tree here


async def test_ranks_add_up_to_the_agency(session_factory, agency):
    async with session_factory() as session:
        ranks = await compliance.rank_rows(session, agency.org.agency_id)
    assert [(row.rank, *counts(row)) for row in ranks] == [
        ("Chief", 1, 0, 0, 0, 0, 1, 100),
        ("Corporal", 1, 0, 0, 0, 0, 1, 100),
        ("Lieutenant", 0, 1, 0, 0, 0, 1, 0),
        ("Officer", 0, 1, 0, 2, 1, 4, 0),
        ("Sergeant", 1, 0, 1, 0, 0, 2, 50),
    ]
    assert counts(compliance.sum_counts(ranks)) == (3, 2, 1, 2, 1, 9, 37)


async def test_top_gaps_count_each_officer_once_and_keep_ten(session_factory, agency):
    await add_officers(session_factory, agency.org.agency_id, agency.patrol_b, 12)
    async with session_factory() as session:
        gaps = await compliance.top_gaps(session, agency.org.agency_id)
    # officer1 owes crisis intervention in two periods: still one officer.
    assert [(g.title, g.officers, g.overdue) for g in gaps[:3]] == [
        ("Crisis intervention", 4, 2), ("Use of force", 3, 1), ("Firearms qualification", 1, 1)]
    # Then one-officer requirements, overdue ones first, by title: samples 000, 002, ... are overdue.
    assert len(gaps) == 10
    assert [g.requirement_id for g in gaps[3:]] == [f"extra-{n:03d}" for n in (0, 2, 4, 6, 8, 10, 1)]


def snapshot(agency_id: int, day: str, compliant: int, unit_key: int = 0) -> ComplianceSnapshot:
    return ComplianceSnapshot(day=date.fromisoformat(day), agency_id=agency_id, unit_id=unit_key or None,
                              unit_key=unit_key, compliant=compliant, on_track=1, at_risk=0, overdue=1, on_leave=0)


async def test_trend_takes_the_last_snapshot_of_each_month_or_iso_week(session_factory, agency):
    a = agency.org.agency_id
    async with session_factory() as session, session.begin():
        session.add_all([
            snapshot(a, "2024-12-31", 90),  # before the 24 months shown
            snapshot(a, "2026-12-31", 10),  # a Thursday, ISO week 53 of 2026
            snapshot(a, "2027-01-03", 11),  # the Sunday of that same ISO week
            snapshot(a, "2027-01-10", 1), snapshot(a, "2027-01-31", 2),  # Sundays
            snapshot(a, "2027-02-01", 3),  # Monday: a new week
            snapshot(a, "2027-02-08", 8), snapshot(a, "2027-02-13", 7), snapshot(a, "2027-02-14", 4),
            snapshot(a, "2027-03-14", 5),
            snapshot(a, "2027-03-16", 6),  # after "today"
            snapshot(a, "2027-01-31", 9, unit_key=agency.patrol_a),
            snapshot(agency.other_agency, "2027-01-31", 99),
        ])
    today = date(2027, 3, 15)
    async with session_factory() as session:
        monthly = await compliance.trend(session, a, None, "monthly", today)
        weekly = await compliance.trend(session, a, None, "weekly", today)
        unit = await compliance.trend(session, a, agency.patrol_a, "monthly", today)
    assert [(p.day.isoformat(), p.compliant) for p in monthly] == [
        ("2026-12-31", 10), ("2027-01-31", 2), ("2027-02-14", 4), ("2027-03-14", 5)]
    assert [(p.day.isoformat(), p.compliant) for p in weekly] == [
        ("2027-01-03", 11), ("2027-01-10", 1), ("2027-01-31", 2), ("2027-02-01", 3), ("2027-02-14", 4),
        ("2027-03-14", 5)]
    assert [(p.day.isoformat(), p.compliant, p.total, p.percent_compliant) for p in unit] == [
        ("2027-01-31", 9, 11, 81)]


def test_trend_window_is_24_months_or_26_weeks():
    assert compliance.trend_start("monthly", date(2027, 3, 15)) == date(2025, 4, 1)
    assert compliance.trend_start("monthly", date(2027, 12, 31)) == date(2026, 1, 1)
    # 2027-03-15 is a Monday; 25 weeks before it.
    assert compliance.trend_start("weekly", date(2027, 3, 15)) == date(2026, 9, 21)
    assert compliance.trend_start("weekly", date(2027, 3, 21)) == date(2026, 9, 21)


def task(agency_id: int, kind: str, key: str, opened: datetime, status: str = TaskStatus.OPEN) -> Task:
    return Task(key=key, agency_id=agency_id, kind=kind, subject_type="test", subject_id=1, workflow_id=key,
                status=status, created_at=opened)


async def test_work_queues_count_open_tasks_by_age(session_factory, agency):
    a = agency.org.agency_id
    now = datetime(2027, 3, 15, 12, tzinfo=UTC)
    async with session_factory() as session, session.begin():
        session.add_all([
            task(a, TaskKind.COMPLIANCE_CASE, "case-1", now - timedelta(days=1)),
            task(a, TaskKind.COMPLIANCE_CASE, "case-2", now - timedelta(days=100)),
            task(a, TaskKind.COMPLIANCE_CASE, "case-3", now - timedelta(days=200), TaskStatus.DONE),
            task(a, TaskKind.APPROVE_TRAINING_REQUEST, "approve-1", now - timedelta(days=7, hours=1)),
            task(a, TaskKind.APPROVE_TRAINING_REQUEST, "approve-2", now - timedelta(days=6)),
            task(a, TaskKind.APPROVE_TRAINING_REQUEST, "approve-3", now - timedelta(days=45)),
            task(agency.other_agency, TaskKind.REVIEW_CERTIFICATE, "elsewhere", now - timedelta(days=3)),
        ])
    async with session_factory() as session:
        queues = {q.kind: q for q in await work.work_queues(session, a, now)}
    case = queues[TaskKind.COMPLIANCE_CASE]
    assert (case.open, case.under_7_days, case.days_7_to_29, case.days_30_to_89, case.days_90_or_more) == (
        2, 1, 0, 0, 1)
    assert case.oldest_age_days(now) == 100
    approvals = queues[TaskKind.APPROVE_TRAINING_REQUEST]
    assert (approvals.open, approvals.under_7_days, approvals.days_7_to_29, approvals.days_30_to_89,
            approvals.days_90_or_more) == (3, 1, 1, 1, 0)
    assert approvals.oldest_age_days(now) == 45
    reviews = queues[TaskKind.REVIEW_CERTIFICATE]
    assert (reviews.open, reviews.oldest_opened_at) == (0, None)


async def test_reminders_and_escalations_are_counted_for_the_period(session_factory, agency):
    org = agency.org
    since = datetime(2027, 3, 1, 6, tzinfo=UTC)
    until = datetime(2027, 3, 15, 12, tzinfo=UTC)
    inside, before = since + timedelta(days=2), since - timedelta(minutes=1)
    request_id, _ = await create_request(session_factory, org, org.officer1)
    async with session_factory() as session, session.begin():
        submission = CertificateSubmission(agency_id=org.agency_id, officer_id=org.officer1)
        report = RecordErrorReport(agency_id=org.agency_id, officer_id=org.officer1, kind="other", description="x")
        session.add_all([submission, report])
        await session.flush()
        events = [("reminded", inside), ("reminded", inside), ("escalated", inside), ("reminded", before),
                  ("approved", inside), ("certificate_reminder", inside)]
        session.add_all([RequestEvent(key=f"r{n}", request_id=request_id, kind=kind, created_at=at)
                         for n, (kind, at) in enumerate(events)])
        session.add_all([CertificateEvent(key="c1", submission_id=submission.id, version=1, kind="reminded",
                                          created_at=inside),
                         CertificateEvent(key="c2", submission_id=submission.id, version=1, kind="escalated",
                                          created_at=until)])  # the end is not included
        session.add(RecordReportEvent(key="e1", report_id=report.id, kind="escalated", created_at=inside))
    async with session_factory() as session:
        sent = await work.reminders_and_escalations(session, org.agency_id, since, until)
        elsewhere = await work.reminders_and_escalations(session, agency.other_agency, since, until)
    assert [(row.source, row.reminded, row.escalated) for row in sent] == [
        ("training_requests", 2, 1), ("certificate_reviews", 1, 0), ("record_reports", 0, 1)]
    assert all(row.reminded == row.escalated == 0 for row in elsewhere)


async def test_officers_behind_a_number(session_factory, agency):
    org = agency.org
    a = org.agency_id

    async def names(**filters) -> list[str]:
        async with session_factory() as session:
            listing = await officers.officers_page(session, a, officers.OfficerFilters(**filters), 1)
        return [f"{row.first_name} {row.last_name}" for row in listing.rows]

    assert await names(unit_id=agency.patrol_a, state="overdue") == ["Olly Officer", "Tina Traffic"]
    assert await names(unit_id=agency.traffic, state="on_leave") == ["Ted Tarmac"]
    # On leave is counted apart: Ted (at risk, on leave) is not among the at-risk officers.
    assert await names(state="at_risk") == ["Sam Sergeant"]
    assert await names(rank="Officer", state="on_track") == ["Omar Other"]
    assert await names(requirement_id="mn-crisis") == ["Olly Officer", "Sam Sergeant", "Ted Tarmac", "Tina Traffic"]
    assert await names(requirement_id="mn-crisis", gap_overdue=True) == ["Olly Officer", "Tina Traffic"]
    assert len(await names()) == 9  # the other agency's officer never

    async with session_factory() as session:
        listing = await officers.officers_page(session, a, officers.OfficerFilters(unit_id=agency.traffic), 1)
    tina = next(row for row in listing.rows if row.officer_id == agency.tina)
    assert (tina.rank, tina.unit_name, tina.state, tina.percent, tina.next_due_on) == (
        "Officer", "Traffic", "overdue", 20, date(2026, 6, 30))
    # Soonest first; on the same day, in the order they were recorded.
    assert tina.outstanding == ("Crisis intervention by 2026-06-30", "Firearms qualification by 2026-06-30")


async def test_officer_list_pages_by_fifty(session_factory, agency):
    await add_officers(session_factory, agency.org.agency_id, agency.patrol_b, 60)
    async with session_factory() as session:
        first = await officers.officers_page(session, agency.org.agency_id, officers.OfficerFilters(), 1)
        last = await officers.officers_page(session, agency.org.agency_id, officers.OfficerFilters(), 99)
    assert (first.total, first.pages, len(first.rows)) == (69, 2, 50)
    assert (last.page, len(last.rows)) == (2, 19)


def test_bad_filters_are_dropped_with_a_message():
    filters, _, errors = officers.parse_officer_filters(
        {"unit": "abc", "state": "asleep", "rank": "x" * 60, "requirement": "y" * 90, "gap": "soon"})
    assert filters == officers.OfficerFilters()
    assert set(errors) == {"unit", "state", "rank", "requirement", "gap"}
    filters, _, errors = officers.parse_officer_filters({"unit": "12", "state": "on_leave", "requirement": "mn-x",
                                                         "gap": "overdue"})
    assert filters == officers.OfficerFilters(12, "on_leave", None, "mn-x", True) and not errors
    assert filters.query() == {"unit": "12", "state": "on_leave", "requirement": "mn-x", "gap": "overdue"}

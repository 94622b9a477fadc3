"""The same course credited twice: a re-generated certificate is flagged by what it says, not by its bytes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import (
    CertificateSubmission,
    CertificateVersion,
    RecordSource,
    Task,
    TaskKind,
    TaskQueue,
    TrainingRecord,
)
from services.likely_duplicates import CourseFacts, same_course
from tests.support import Org

DAY = date(2026, 3, 4)


def _record(**changes: object) -> TrainingRecord:
    values: dict[str, object] = {"officer_id": 7, "course_title": "Crisis Intervention Team",
                                 "course_number": "MN-1234",
                                 "completed_on": DAY, "hours": Decimal("8.00")}
    return TrainingRecord(**(values | changes))


def _facts(**changes: object) -> CourseFacts:
    values: dict[str, object] = {"officer_id": 7, "course_title": "Crisis Intervention Team",
                                 "course_number": "MN-1234",
                                 "completed_on": DAY, "hours": Decimal("8")}
    return CourseFacts(**(values | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(("record", "facts", "same"), [
    (_record(), _facts(course_title="CIT (re-issued certificate)"), True),  # same number, other wording
    (_record(course_number="mn 1234"), _facts(), True),  # numbers compared without case or spacing
    (_record(course_number=None), _facts(course_title="crisis intervention team."), True),  # no number: title
    (_record(), _facts(course_number="MN-9999"), False),  # two numbers that differ are two courses
    (_record(), _facts(hours=Decimal("4")), False),
    (_record(), _facts(completed_on=date(2026, 3, 5)), False),
    (_record(), _facts(officer_id=8), False),
    (_record(course_number=None), _facts(course_title="Use of Force"), False),
])
def test_a_likely_duplicate_is_the_same_officer_day_hours_and_course(record, facts, same) -> None:
    assert same_course(record, facts) is same


async def _queue_certificate(factory, org: Org, title: str, number: str | None) -> int:
    """A certificate of officer1's waiting for review (rows only, no workflow); its task id."""
    async with factory() as session, session.begin():
        submission = CertificateSubmission(
            agency_id=org.agency_id, officer_id=org.officer1, workflow_id="test-certificate-duplicate",
            versions=[CertificateVersion(
                version=1, object_key="test/duplicate", content_type="application/pdf", size=100, sha256="1" * 64,
                display_name="certificate.pdf", course_title=title, course_number=number, provider="Academy",
                completed_on=DAY, hours=Decimal("8"))])
        session.add(submission)
        await session.flush()
        task = Task(key="test-review-duplicate", agency_id=org.agency_id, kind=TaskKind.REVIEW_CERTIFICATE,
                    subject_type="certificate_submission", subject_id=submission.id,
                    workflow_id="test-certificate-duplicate", queue=TaskQueue.COORDINATORS)
        session.add(task)
        await session.flush()
        return task.id


async def _record_on_file(factory, org: Org) -> None:
    async with factory() as session, session.begin():
        session.add(TrainingRecord(agency_id=org.agency_id, officer_id=org.officer1, course_title="CIT week",
                                   provider="Academy", course_number="MN-1234", completed_on=DAY,
                                   hours=Decimal("8"), source=RecordSource.COORDINATOR_ENTRY))


async def test_the_reviewer_sees_already_on_record_and_must_confirm_before_approving(
    browsers, demo_org, session_factory
):
    await _record_on_file(session_factory, demo_org)
    task_id = await _queue_certificate(session_factory, demo_org, "Crisis Intervention Team", "MN-1234")
    coordinator = await browsers("coord1")

    queue = await coordinator.get("/certificates/review")
    assert "Already on record:" in queue.text
    assert "CIT week (MN-1234), completed 4 March 2026, 8 hours" in queue.text
    assert f'href="/officers/{demo_org.officer1}/records"' in queue.text

    refused = await coordinator.post(f"/certificates/review/tasks/{task_id}/decision", {"action": "approve"},
                                     htmx=True)
    assert refused.status_code == 400
    assert "looks like training already on the officer&#39;s record" in refused.text
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingRecord)) == 1

    confirmed = await coordinator.post(f"/certificates/review/tasks/{task_id}/decision",
                                       {"action": "approve", "not_duplicate": "yes"}, htmx=True)
    assert "looks like training already" not in confirmed.text  # past the check: on to the workflow


async def test_different_training_on_the_same_day_is_not_flagged(browsers, demo_org, session_factory):
    await _record_on_file(session_factory, demo_org)
    await _queue_certificate(session_factory, demo_org, "Crisis Intervention Team", "MN-5678")

    queue = await (await browsers("coord1")).get("/certificates/review")

    assert "Already on record:" not in queue.text and 'name="not_duplicate"' not in queue.text


async def test_the_officer_sees_the_flag_on_their_waiting_certificate(browsers, demo_org, session_factory):
    await _record_on_file(session_factory, demo_org)
    await _queue_certificate(session_factory, demo_org, "CIT", "MN 1234")

    page = await (await browsers("officer1")).get("/certificates")

    assert "This looks like training already in" in page.text
    assert "CIT week, completed 4 March 2026, 8 hours" in page.text


async def test_a_coordinator_adding_the_same_training_again_is_asked_first_and_loses_nothing(
    browsers, demo_org, session_factory
):
    await _record_on_file(session_factory, demo_org)
    coordinator = await browsers("coord1")
    form = {"course_title": "Crisis Intervention Team", "provider": "Academy", "course_number": "MN-1234",
            "started_on": "", "completed_on": DAY.isoformat(), "hours": "8"}

    asked = await coordinator.post(f"/officers/{demo_org.officer1}/records/new", form)
    assert asked.status_code == 200
    assert "already has CIT week, completed 4 March 2026, 8 hours, on record" in asked.text
    assert 'value="Crisis Intervention Team"' in asked.text  # what was typed is still there
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingRecord)) == 1

    added = await coordinator.post(f"/officers/{demo_org.officer1}/records/new", form | {"not_duplicate": "yes"})
    assert added.status_code == 303
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingRecord)) == 2

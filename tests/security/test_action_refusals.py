"""A caller refused an action on a workflow gets a short reason and nothing of the object, whichever
way they ask (page or htmx fragment, good input or bad), and every refusal is audited.

Objects are inserted as rows (no workflow runs): the refusal comes before any Update is sent.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from models import (
    Agency,
    AuditEvent,
    CertificateSubmission,
    CertificateVersion,
    Person,
    RequestStatus,
    Task,
    TaskKind,
    TaskQueue,
    TrainingRequest,
)
from tests.support import create_request

SECRET_TITLE = "MARK-SECRET Leadership Summit"


async def _audit_rows(factory, action: str) -> list[AuditEvent]:
    async with factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.id)))


async def _officer2_task(factory, org) -> int:
    request_id, _ = await create_request(factory, org, org.officer2, title=SECRET_TITLE)
    async with factory() as session, session.begin():
        request = await session.get_one(TrainingRequest, request_id)
        request.status = RequestStatus.IN_REVIEW
        task = Task(key=f"walk-{request_id}", agency_id=org.agency_id, kind=TaskKind.APPROVE_TRAINING_REQUEST,
                    subject_type="training_request", subject_id=request_id, workflow_id=request.workflow_id or "",
                    assignee_id=org.sgt2)
        session.add(task)
        await session.flush()
        return task.id


async def test_officer_probing_a_task_by_id_gets_no_task_details_even_with_a_bad_action(
    browsers, demo_org, session_factory
):
    task_id = await _officer2_task(session_factory, demo_org)
    officer = await browsers("officer1")

    for data in ({"action": "approve"}, {"action": "nonsense"}, {}):
        response = await officer.post(f"/inbox/tasks/{task_id}/decision", data, htmx=True)
        assert response.status_code == 403, response.text
        assert "This task is not assigned to you." in response.text
        for detail in ("MARK-SECRET", "Other", "Officer", "$", "2027"):
            assert detail not in response.text, detail

    denials = await _audit_rows(session_factory, "training_request.decide")
    assert [(row.outcome, row.actor_user_id) for row in denials] == [("denied", demo_org.users["officer1"])] * 3


async def test_reassign_refusal_shows_neither_the_task_nor_the_agencys_supervisors(browsers, demo_org, session_factory):
    task_id = await _officer2_task(session_factory, demo_org)
    officer = await browsers("officer1")

    response = await officer.post(f"/escalations/tasks/{task_id}/reassign", {"new_approver_id": "1"}, htmx=True)

    assert response.status_code == 403
    assert "Only training coordinators can reassign." in response.text
    for detail in ("MARK-SECRET", "Sergeant", "Lieutenant", "<option"):
        assert detail not in response.text, detail
    assert [row.outcome for row in await _audit_rows(session_factory, "training_request.reassign")] == ["denied"]


async def test_certificate_decision_refusal_shows_no_course_officer_or_file(browsers, demo_org, session_factory):
    async with session_factory() as session, session.begin():
        submission = CertificateSubmission(
            agency_id=demo_org.agency_id, officer_id=demo_org.officer2, workflow_id="test-certificate-refusal",
            versions=[CertificateVersion(
                version=1, object_key="test/refusal", content_type="application/pdf", size=100, sha256="1" * 64,
                display_name="certificate.pdf", course_title=SECRET_TITLE, provider="Regional Academy",
                completed_on=date(2026, 1, 5), hours=Decimal("7.5"))],
        )
        session.add(submission)
        await session.flush()
        task = Task(key="test-review-refusal", agency_id=demo_org.agency_id, kind=TaskKind.REVIEW_CERTIFICATE,
                    subject_type="certificate_submission", subject_id=submission.id,
                    workflow_id="test-certificate-refusal", queue=TaskQueue.COORDINATORS)
        session.add(task)
        await session.flush()
        task_id = task.id

    for username in ("officer1", "sgt1"):
        response = await (await browsers(username)).post(f"/certificates/review/tasks/{task_id}/decision",
                                                         {"action": "nonsense"}, htmx=True)
        assert response.status_code == 403
        assert "Only training coordinators review certificates." in response.text
        for detail in ("MARK-SECRET", "7.5", "Regional Academy", "/file", "Other"):
            assert detail not in response.text, detail
    assert [row.outcome for row in await _audit_rows(session_factory, "certificate.decide")] == ["denied"] * 2


async def test_another_agencys_task_is_not_found_for_a_coordinator(browsers, demo_org, session_factory):
    async with session_factory() as session, session.begin():
        other = Agency(name="Neighbouring Sheriff's Office", state="MN")
        session.add(other)
        await session.flush()
        person = Person(agency_id=other.id, first_name="Nora", last_name="Neighbour", rank="Deputy", badge_number="N-1",
                        email="nora@other.example")
        session.add(person)
        await session.flush()
        request = TrainingRequest(agency_id=other.id, officer_id=person.id, status=RequestStatus.ESCALATED,
                                  revision=1, title=SECRET_TITLE, provider="Academy", location="Duluth",
                                  start_date=date(2027, 3, 1), end_date=date(2027, 3, 2), hours=Decimal("8"),
                                  justification="x", workflow_id="other-agency-request")
        session.add(request)
        await session.flush()
        task = Task(key="other-agency-task", agency_id=other.id, kind=TaskKind.APPROVE_TRAINING_REQUEST,
                    subject_type="training_request", subject_id=request.id, workflow_id="other-agency-request",
                    queue=TaskQueue.COORDINATORS)
        session.add(task)
        await session.flush()
        task_id = task.id
    coordinator = await browsers("coord1")

    for url, data in ((f"/inbox/tasks/{task_id}/decision", {"action": "approve"}),
                      (f"/escalations/tasks/{task_id}/reassign", {"new_approver_id": str(demo_org.sgt1)})):
        response = await coordinator.post(url, data, htmx=True)
        assert response.status_code == 404, url
        assert "MARK-SECRET" not in response.text and "Neighbour" not in response.text

    audited = await _audit_rows(session_factory, "training_request.decide")
    assert [(row.outcome, row.object_id, row.detail["reason"]) for row in audited] == [("denied", None, "not found")]

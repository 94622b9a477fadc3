"""Where "/" takes each role (services/landing.py) and the coordinator's work queue summary (/queues)."""

from __future__ import annotations

from datetime import timedelta

from models import Task, TaskKind, TaskQueue, UserRole, utcnow
from tests.support import Org


async def _landing(browsers, username: str) -> str:
    response = await (await browsers(username)).get("/")
    assert response.status_code == 303
    return str(response.headers["location"])


async def _open_task(session_factory, org: Org, kind: TaskKind, key: str, *, assignee: int | None = None,
                     queue: str | None = None, days_old: int = 0) -> None:
    async with session_factory() as session, session.begin():
        session.add(Task(key=key, agency_id=org.agency_id, kind=kind, subject_type="test", subject_id=1,
                         workflow_id=f"wf-{key}", assignee_id=assignee, queue=queue,
                         created_at=utcnow() - timedelta(days=days_old, hours=1)))


async def test_each_role_lands_on_its_work(browsers, demo_org: Org):
    expected = {"officer1": "/dashboard", "sgt1": "/team", "lt1": "/team", "coord1": "/queues",
                "chief1": "/agency", "admin1": "/admin/accounts"}
    assert {username: await _landing(browsers, username) for username in expected} == expected


async def test_approver_lands_on_the_inbox_when_a_decision_waits(browsers, demo_org: Org, session_factory):
    await _open_task(session_factory, demo_org, TaskKind.APPROVE_TRAINING_REQUEST, "approve-1",
                     assignee=demo_org.sgt1)
    assert await _landing(browsers, "sgt1") == "/inbox"
    assert await _landing(browsers, "lt1") == "/team"


async def test_someone_with_several_roles_lands_on_the_most_senior_work(browsers, demo_org: Org,
                                                                          session_factory):
    async with session_factory() as session, session.begin():
        session.add(UserRole(user_id=demo_org.users["coord1"], role="sergeant"))
    assert await _landing(browsers, "coord1") == "/queues"  # coordinator work before an approver's
    async with session_factory() as session, session.begin():
        session.add(UserRole(user_id=demo_org.users["coord1"], role="command"))
    assert await _landing(browsers, "coord1") == "/agency"


async def test_work_queue_summary_counts_each_queue_and_its_oldest_item(browsers, demo_org: Org,
                                                                         session_factory):
    await _open_task(session_factory, demo_org, TaskKind.REVIEW_CERTIFICATE, "cert-1", queue=TaskQueue.COORDINATORS,
                     days_old=3)
    await _open_task(session_factory, demo_org, TaskKind.REVIEW_CERTIFICATE, "cert-2", queue=TaskQueue.COORDINATORS)
    await _open_task(session_factory, demo_org, TaskKind.APPROVE_TRAINING_REQUEST, "esc-1",
                     queue=TaskQueue.COORDINATORS, days_old=8)
    # Waiting on a sergeant, not on the coordinators: not an escalation.
    await _open_task(session_factory, demo_org, TaskKind.APPROVE_TRAINING_REQUEST, "approve-1",
                     assignee=demo_org.sgt1, days_old=20)

    response = await (await browsers("coord1")).get("/queues")

    assert response.status_code == 200
    rows = response.text.split("<tr")[2:]  # past the head row
    certificates, reports, escalated = rows[0], rows[1], rows[2]
    assert 'href="/certificates/review"' in certificates
    assert '<td data-label="Waiting" class="num">2</td>' in certificates
    assert "waiting 3 days" in certificates
    assert '<td data-label="Waiting" class="num">0</td>' in reports and "nothing waiting" in reports
    assert 'href="/escalations"' in escalated and '<td data-label="Waiting" class="num">1</td>' in escalated
    assert "waiting 8 days" in escalated
    assert "UTC" not in response.text


async def test_only_coordinators_see_the_work_queue_summary(browsers, demo_org: Org):
    for username in ("officer1", "sgt1", "chief1", "admin1"):
        assert (await (await browsers(username)).get("/queues")).status_code == 403

"""The team page as supervisors see it: each one's own chain only, stored standings in words, pending
items, links into read-only dashboards, and refusals for everyone else."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from compliance.wording import format_date
from models import (
    AuditEvent,
    CertificateSubmission,
    RecordErrorReport,
    ReportStatus,
    Task,
    TaskKind,
    TaskQueue,
    TaskStatus,
)
from tests.team.support import GapSpec, StatusSpec, add_person, license_people, store_status, today_for


async def _seed_standings(session_factory, org):
    """officer1 at risk, officer2 overdue and on leave, sgt1 compliant, sgt2 licensed but not evaluated."""
    today = await today_for(session_factory, org.agency_id)
    await license_people(session_factory, org.officer1, org.officer2, org.sgt1, org.sgt2)
    await store_status(session_factory, org.agency_id, org.officer1, StatusSpec(
        "at_risk", percent=43, hours_done="20.5", hours_required="48", met=3, total=7, next_due_in=12,
        gaps=[GapSpec("Crisis intervention", 12), GapSpec("Use of force", 40)]), today)
    await store_status(session_factory, org.agency_id, org.officer2, StatusSpec(
        "overdue", percent=29, hours_done="10", hours_required="48", met=2, total=7, next_due_in=-5, on_leave=True,
        gaps=[GapSpec("Firearms", -5)]), today)
    await store_status(session_factory, org.agency_id, org.sgt1, StatusSpec(
        "compliant", percent=100, hours_done="52", hours_required="48", met=7, total=7), today)
    return today


def _row(html: str, officer_id: int) -> str:
    match = re.search(rf'<tr id="officer-{officer_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for officer {officer_id}"
    return re.sub(r"\s+", " ", match.group(1))


async def test_lieutenant_sees_the_whole_chain_with_each_standing_in_words(browsers, demo_org, session_factory):
    today = await _seed_standings(session_factory, demo_org)

    response = await (await browsers("lt1")).get("/team")

    assert response.status_code == 200
    html = response.text
    assert "4 officers." in html
    officer1 = _row(html, demo_org.officer1)
    assert f'href="/officers/{demo_org.officer1}/dashboard">Officer, Olly</a>' in officer1
    assert "Patrol A" in officer1
    assert '<span class="state state-at_risk">At risk</span>' in officer1 and "On leave" not in officer1
    assert "43%" in officer1 and "20.5 of 48" in officer1 and "3 of 7 met" in officer1
    assert "Crisis intervention; Use of force" in officer1
    assert format_date(today + timedelta(days=12)) in officer1
    officer2 = _row(html, demo_org.officer2)
    assert '<span class="state state-overdue">Overdue</span>' in officer2 and "On leave" in officer2
    assert "Patrol B" in officer2 and "Firearms" in officer2
    sergeant1 = _row(html, demo_org.sgt1)
    assert "Compliant" in sergeant1 and "100%" in sergeant1 and "7 of 7 met" in sergeant1 and "None" in sergeant1
    assert "Not evaluated yet" in _row(html, demo_org.sgt2)
    assert f'id="officer-{demo_org.lt1}"' not in html and f'id="officer-{demo_org.chief1}"' not in html
    # The counts at a glance: on-leave officer2 is counted apart from the overdue.
    for key, number in {"compliant": 1, "on_track": 0, "at_risk": 1, "overdue": 0, "on_leave": 1,
                        "not_evaluated": 1}.items():
        assert re.search(rf'id="count-{key}">[^<]*: <strong>{number}</strong>', html), key


async def test_each_sergeant_sees_only_their_own_people(browsers, demo_org, session_factory):
    await _seed_standings(session_factory, demo_org)

    sergeant1 = (await (await browsers("sgt1")).get("/team")).text
    sergeant2 = (await (await browsers("sgt2")).get("/team")).text

    assert "1 officer." in sergeant1 and "Officer, Olly" in sergeant1 and "Other, Omar" not in sergeant1
    assert "1 officer." in sergeant2 and "Other, Omar" in sergeant2
    assert "Olly" not in sergeant2 and f"/officers/{demo_org.officer1}/" not in sergeant2


async def test_civilians_are_left_out_and_counted_apart(browsers, demo_org, session_factory):
    await _seed_standings(session_factory, demo_org)
    await add_person(session_factory, demo_org.agency_id, demo_org.sgt1, "Cleo", "Civilian", licensed=False)

    html = (await (await browsers("sgt1")).get("/team")).text

    assert "Cleo" not in html and "1 officer." in html
    assert "1 person under you is not tracked" in html


async def test_names_lead_to_read_only_dashboards_and_histories(browsers, demo_org, session_factory):
    await _seed_standings(session_factory, demo_org)
    for username, expected in (("sgt1", 1), ("lt1", 4)):
        browser = await browsers(username)
        html = (await browser.get("/team")).text
        links = sorted(set(re.findall(r'href="(/officers/\d+/(?:dashboard|records))"', html)))
        assert len(links) == 2 * expected, username
        for link in links:
            page = await browser.get(link)
            assert page.status_code == 200, (username, link)
            assert "/records/new" not in page.text and "/edit" not in page.text, (username, link)


async def test_officers_coordinators_and_administrators_are_refused_and_audited(browsers, demo_org, session_factory):
    await _seed_standings(session_factory, demo_org)
    for username in ("officer1", "coord1", "admin1"):
        browser = await browsers(username)
        for url in ("/team", "/team/warnings"):
            response = await browser.get(url)
            assert response.status_code == 403, (username, url)
            assert "Olly" not in response.text and "At risk" not in response.text
        assert 'href="/team"' not in (await browser.get("/requests")).text
    async with session_factory() as session:
        denials = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "team.view")))
    assert len(denials) == 6 and all(event.outcome == "denied" for event in denials)


async def test_supervisors_have_the_nav_link(browsers, demo_org):
    for username in ("sgt1", "lt1", "chief1"):
        assert 'href="/team">My team</a>' in (await (await browsers(username)).get("/requests")).text


async def _certificate_task(session, org, officer_id: int, key: str, status: str = TaskStatus.OPEN) -> None:
    submission = CertificateSubmission(agency_id=org.agency_id, officer_id=officer_id)
    session.add(submission)
    await session.flush()
    session.add(Task(key=key, agency_id=org.agency_id, kind=TaskKind.REVIEW_CERTIFICATE,
                     subject_type="certificate_submission", subject_id=submission.id, workflow_id=key,
                     queue=TaskQueue.COORDINATORS, status=status))


async def test_pending_items_count_the_teams_own_waiting_work(browsers, demo_org, session_factory):
    org = demo_org
    async with session_factory() as session, session.begin():
        # A request waiting on sgt1, and a closed one that no longer is.
        for number, status in enumerate((TaskStatus.OPEN, TaskStatus.DONE)):
            session.add(Task(key=f"approve-{number}", agency_id=org.agency_id, kind=TaskKind.APPROVE_TRAINING_REQUEST,
                             subject_type="training_request", subject_id=1, workflow_id=f"wf-{number}",
                             assignee_id=org.sgt1, status=status))
        # Certificates waiting for the coordinators: officer1's, officer2's, officer1's done, coord1's own.
        await _certificate_task(session, org, org.officer1, "cert-o1")
        await _certificate_task(session, org, org.officer2, "cert-o2")
        await _certificate_task(session, org, org.officer1, "cert-o1-done", TaskStatus.DONE)
        await _certificate_task(session, org, org.coord1, "cert-coord")
        # Record reports: officer1 one open; officer2 one open, one withdrawn; coord1 one open.
        for officer, status in ((org.officer1, ReportStatus.OPEN), (org.officer2, ReportStatus.OPEN),
                                (org.officer2, ReportStatus.WITHDRAWN), (org.coord1, ReportStatus.OPEN)):
            session.add(RecordErrorReport(agency_id=org.agency_id, officer_id=officer, kind="other",
                                          description="x", status=status))

    expected = {"sgt1": (1, 1, 1), "sgt2": (0, 1, 1), "lt1": (0, 2, 2), "chief1": (0, 2, 2)}
    for username, (requests, certificates, reports) in expected.items():
        html = (await (await browsers(username)).get("/team")).text
        assert re.search(rf'id="pending-requests">[^<]*<strong>{requests}</strong>', html), username
        assert re.search(rf'id="pending-certificates">[^<]*<strong>{certificates}</strong>', html), username
        assert re.search(rf'id="pending-reports">[^<]*<strong>{reports}</strong>', html), username

"""A certificate uploaded for an approved training request: prefilled from it, linked to it, shown on both pages."""

from __future__ import annotations

import html
from datetime import date, timedelta

from models import RequestStatus, TrainingRequest
from services.workflow_starts import dispatch_one
from tests.certificates.support import certificate_pdf, open_review_task, submissions, upload
from tests.portal.helpers import audits, eventually, portal
from tests.support import create_request, wait_for_open_task
from tests.workflows.test_training_request_workflow import approval_settled, decide
from workflows.training_request_types import DecisionAction

COURSE = {"title": "Crisis Intervention Team course", "start": date(2026, 10, 5), "end": date(2026, 10, 9)}


async def _request(factory, org, officer_id: int, status: RequestStatus = RequestStatus.APPROVED) -> int:
    """A request for a course that is over, in the given status (no workflow behind it)."""
    request_id, _ = await create_request(factory, org, officer_id)
    async with factory() as session, session.begin():
        request = await session.get_one(TrainingRequest, request_id)
        request.start_date, request.end_date, request.status = COURSE["start"], COURSE["end"], status
    return request_id


def _value(page: str, name: str) -> str | None:
    marker = f'name="{name}"'
    start = page.find(marker)
    if start < 0:
        return None
    tag = page[page.rfind("<", 0, start):page.find(">", start)]
    found = tag.split('value="', 1)
    return html.unescape(found[1].split('"', 1)[0]) if len(found) == 2 else ""


async def test_upload_from_an_approved_request_is_prefilled_linked_and_shown_on_both_pages(
    browsers, demo_org, session_factory
):
    request_id = await _request(session_factory, demo_org, demo_org.officer1)
    officer = await browsers("officer1")

    detail = await officer.get(f"/requests/{request_id}")
    assert f'href="/certificates/new?request={request_id}">Upload your certificate</a>' in detail.text

    form = await officer.get(f"/certificates/new?request={request_id}")
    assert form.status_code == 200
    assert f'action="/certificates/new?request={request_id}"' in form.text
    assert "For your approved training request" in form.text
    assert [_value(form.text, name) for name in ("course_title", "provider", "started_on", "completed_on", "hours")] \
        == [COURSE["title"], "Regional Academy", "2026-10-05", "2026-10-09", "40"]

    response = await upload(officer, certificate_pdf(), url=f"/certificates/new?request={request_id}")
    assert response.status_code == 303, response.text  # Temporal is down here: the upload still counts
    [submission] = await submissions(session_factory)
    assert submission.training_request_id == request_id
    [row] = await audits(session_factory, "certificate.upload")
    assert row.detail["training_request_id"] == request_id

    listing = await officer.get("/certificates")
    assert f'For training request <a href="/requests/{request_id}">{COURSE["title"]}</a>' in listing.text
    detail = await officer.get(f"/requests/{request_id}")
    assert "Upload your certificate" not in detail.text and "Waiting for review" in detail.text

    again = await officer.get(f"/certificates/new?request={request_id}")
    assert again.status_code == 409 and "already uploaded a certificate for this training" in again.text


async def test_another_officers_request_is_not_found_and_nothing_is_linked_or_stored(
    browsers, demo_org, session_factory
):
    theirs = await _request(session_factory, demo_org, demo_org.officer2)
    officer = await browsers("officer1")

    assert (await officer.get(f"/certificates/new?request={theirs}")).status_code == 404
    assert (await officer.get("/certificates/new?request=999999")).status_code == 404
    posted = await upload(officer, certificate_pdf(), url=f"/certificates/new?request={theirs}")
    assert posted.status_code == 404
    assert await submissions(session_factory) == []
    denials = await audits(session_factory, "certificate.link_request", "denied")
    assert [row.detail for row in denials] == [{"training_request_id": theirs}, {"training_request_id": 999999},
                                               {"training_request_id": theirs}]


async def test_an_own_request_that_is_not_approved_is_ignored(browsers, demo_org, session_factory):
    pending = await _request(session_factory, demo_org, demo_org.officer1, RequestStatus.IN_REVIEW)
    officer = await browsers("officer1")

    form = await officer.get(f"/certificates/new?request={pending}")
    assert form.status_code == 200 and "For your approved training request" not in form.text
    assert _value(form.text, "course_title") == ""
    assert 'action="/certificates/new"' in form.text
    response = await upload(officer, certificate_pdf(), url=f"/certificates/new?request={pending}")
    assert response.status_code == 303
    [submission] = await submissions(session_factory)
    assert submission.training_request_id is None
    assert "Upload your certificate" not in (await officer.get(f"/requests/{pending}")).text


async def test_supervisors_see_whether_the_certificate_is_in_and_coordinators_see_the_request_in_review(
    browsers, demo_org, session_factory
):
    request_id = await _request(session_factory, demo_org, demo_org.officer1)
    sergeant = await browsers("sgt1")
    page = await sergeant.get(f"/requests/{request_id}")
    assert "No certificate uploaded yet." in page.text and "Upload your certificate" not in page.text

    officer = await browsers("officer1")
    assert (await upload(officer, certificate_pdf(), url=f"/certificates/new?request={request_id}")).status_code \
        == 303
    page = await sergeant.get(f"/requests/{request_id}")
    assert "Waiting for review" in page.text and 'href="/certificates"' not in page.text.split("<main", 1)[-1]


async def test_uploading_for_the_request_ends_its_workflows_wait_for_the_certificate(
    make_app, skipping_client, session_factory, settings, demo_org
):
    request_id, message_id = await create_request(session_factory, demo_org, demo_org.officer1,
                                                  workflow_id_prefix=settings.workflow_id_prefix)
    await dispatch_one(session_factory, skipping_client, message_id, settings.task_queue)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    task = await wait_for_open_task(session_factory, request_id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    assert await approval_settled(handle) == "approved"
    async with session_factory() as session, session.begin():
        request = await session.get_one(TrainingRequest, request_id)
        request.start_date, request.end_date = COURSE["start"], COURSE["end"]  # as if the course were over

    async with portal(make_app, skipping_client) as sign_in:
        officer = await sign_in("officer1")
        response = await upload(officer, certificate_pdf(), url=f"/certificates/new?request={request_id}")
        assert response.status_code == 303, response.text
        assert await handle.result() == "approved"  # told at once: no reminder, no waiting for the date
        [submission] = await submissions(session_factory)

        async def in_review_queue() -> bool:
            return await open_review_task(session_factory, submission.id) is not None

        await eventually(in_review_queue)
        coordinator = await sign_in("coord1")
        queue = await coordinator.get("/certificates/review")
        assert f'For approved training request <a href="/requests/{request_id}">{COURSE["title"]}</a>' in queue.text
        assert "5 October 2026 – 9 October 2026, 40 hours requested" in queue.text


async def test_the_upload_is_offered_from_the_courses_last_day_not_before(browsers, demo_org, session_factory):
    request_id = await _request(session_factory, demo_org, demo_org.officer1)
    last_day = date.today() + timedelta(days=30)
    async with session_factory() as session, session.begin():
        request = await session.get_one(TrainingRequest, request_id)
        request.start_date, request.end_date = last_day - timedelta(days=2), last_day

    detail = (await (await browsers("officer1")).get(f"/requests/{request_id}")).text

    assert "Upload your certificate" not in detail
    assert f"From {last_day.day} {last_day:%B %Y}, the course's last day, you can upload" in detail

"""The training-request form: messages per field, typed values kept, nothing stored until valid."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, RequestStatus, TrainingRequest, TrainingRequestCost, TrainingRequestTopic

VALID = {
    "title": "Crisis Intervention Team",
    "provider": "Regional Academy",
    "location": "St. Paul, MN",
    "start_date": "2027-03-01",
    "end_date": "2027-03-05",
    "hours": "40",
    "cost_tuition": "450.00",
    "cost_travel": "25.50",
    "cost_lodging": "",
    "cost_other": "",
    "justification": "Required for CIT certification.",
}


async def _count(session_factory, model) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_date": "2027-02-01"}, "end_date", "The end date cannot be before the start date."),
        ({"cost_tuition": "-5"}, "cost_tuition", "The amount cannot be negative."),
        ({"cost_travel": "12.345"}, "cost_travel", "Use at most two decimal places (cents)."),
        ({"title": ""}, "title", "Enter the title."),
        ({"justification": "   "}, "justification", "Explain why this training is needed."),
        ({"title": "x" * 201}, "title", "Keep the title to 200 characters or fewer."),
        ({"hours": "0"}, "hours", "Enter the hours: more than 0 and at most 1000."),
        ({"hours": "1001"}, "hours", "Enter the hours: more than 0 and at most 1000."),
        ({"start_date": "tomorrow"}, "start_date", "Enter the start date as a date (YYYY-MM-DD)."),
    ],
)
async def test_invalid_request_form_rerenders_with_message_and_keeps_values(
    browsers, demo_org, session_factory, changes, field, message
):
    browser = await browsers("officer1")
    form = {**VALID, **changes, "overnight_travel": "on", "topics": ["use_of_force"]}
    response = await browser.post("/requests", form)

    assert response.status_code == 200
    page = html.unescape(response.text)
    assert message in page
    assert f'id="{field}-error"' in response.text or field == "topics"
    assert 'value="Regional Academy"' in response.text  # untouched fields keep what was typed
    assert 'name="overnight_travel" type="checkbox" checked' in response.text
    assert 'value="use_of_force" checked' in response.text
    if changes.get(field):
        assert html.escape(changes[field], quote=True) in response.text
    assert await _count(session_factory, TrainingRequest) == 0
    assert await _count(session_factory, OutboxMessage) == 0


async def test_several_problems_are_reported_together(browsers, demo_org, session_factory):
    browser = await browsers("officer1")
    response = await browser.post("/requests", {"hours": "abc", "cost_other": "lots"})
    page = html.unescape(response.text)
    for text in (
        "Enter the title.",
        "Enter the provider.",
        "Enter the start date.",
        "Enter the hours as a number",
        "Enter an amount in dollars",
        "Explain why this training is needed.",
    ):
        assert text in page
    assert await _count(session_factory, TrainingRequest) == 0


async def test_valid_submission_saves_request_and_outbox_row_and_lists_it(
    browsers, demo_org, session_factory, settings
):
    browser = await browsers("officer1")
    response = await browser.post(
        "/requests", {**VALID, "overnight_travel": "on", "topics": ["crisis_intervention", "use_of_force"]}
    )

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/requests/")
    async with session_factory() as session:
        request = await session.scalar(select(TrainingRequest))
        assert request is not None
        assert request.officer_id == demo_org.officer1 and request.agency_id == demo_org.agency_id
        assert request.status == RequestStatus.SUBMITTED and request.overnight_travel
        assert request.total_cost_cents == 47_550
        costs = {c.category: c.amount_cents for c in await session.scalars(select(TrainingRequestCost))}
        assert costs == {"tuition": 45_000, "travel": 2_550}
        topics = set(await session.scalars(select(TrainingRequestTopic.topic_code)))
        assert topics == {"crisis_intervention", "use_of_force"}
        outbox = await session.scalar(select(OutboxMessage))
        assert outbox is not None and outbox.workflow_id == request.workflow_id
        assert request.workflow_id == f"{settings.workflow_id_prefix}training-request-{request.id}"
    # Temporal is unreachable in this test: the officer is told the request is queued.
    detail = await browser.get(location)
    assert "saved and queued" in detail.text
    listing = await browser.get("/requests")
    assert "Crisis Intervention Team" in listing.text and "Submitted (queued)" in listing.text

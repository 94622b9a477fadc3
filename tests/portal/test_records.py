"""Training history, transcripts, and coordinators' record entry and correction."""

from __future__ import annotations

import io
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import func, select

from models import AuditEvent, TrainingRecord
from tests.services.records_support import add_record, give_known_records, license_officer

RECORD = {
    "course_title": "Autism and Law Enforcement",
    "provider": "Autism Society of Minnesota",
    "course_number": "MN-24-0412",
    "started_on": "2026-01-10",
    "completed_on": "2026-01-10",
    "hours": "4",
    "credit_autism": "4",
}


async def _audits(session_factory, action: str, outcome: str = "success") -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == action, AuditEvent.outcome == outcome).order_by(AuditEvent.id)
        ))


async def _record_count(session_factory) -> int:
    async with session_factory() as session:
        return await session.scalar(select(func.count(TrainingRecord.id))) or 0


async def _load(session_factory, record_id: int) -> TrainingRecord:
    async with session_factory() as session:
        record = await session.get_one(TrainingRecord, record_id)
        await session.refresh(record, ["credits"])
        return record


async def test_coordinator_adds_record_audited_and_dashboard_hours_go_up(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    officer = await browsers("officer1")
    assert "14 of 48 credits" in (await officer.get("/dashboard")).text
    coordinator = await browsers("coord1")

    form = await coordinator.get(f"/officers/{demo_org.officer1}/records/new")
    assert form.status_code == 200 and 'name="credit_autism"' in form.text
    response = await coordinator.post(f"/officers/{demo_org.officer1}/records/new", RECORD)

    assert response.status_code == 303
    assert response.headers["location"] == f"/officers/{demo_org.officer1}/records?saved=added"
    async with session_factory() as session:
        record = await session.scalar(
            select(TrainingRecord).where(TrainingRecord.course_title == RECORD["course_title"])
        )
        assert record is not None
        assert record.source == "coordinator_entry" and record.approved_by_id == demo_org.coord1
    [event] = await _audits(session_factory, "training_record.add")
    assert event.object_id == str(record.id)
    assert event.detail["before"] is None
    assert event.detail["after"]["hours"] == "4" and event.detail["after"]["credits"] == {"autism": "4"}
    assert "18 of 48 credits" in (await officer.get("/dashboard")).text
    history = await coordinator.get(response.headers["location"])
    assert "The record has been added." in history.text
    assert "Cora Coordinator" in history.text  # approved by


async def test_invalid_record_input_rerenders_with_messages_and_stores_nothing(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    coordinator = await browsers("coord1")
    bad = {**RECORD, "course_title": "", "started_on": "2026-02-01", "completed_on": "2026-01-10",
           "hours": "250", "credit_autism": "-1", "credit_crisis_intervention": "abc"}

    response = await coordinator.post(f"/officers/{demo_org.officer1}/records/new", bad)

    assert response.status_code == 200
    for message in ("Enter the course title.", "The completion date cannot be before the start date.",
                    "Hours must be more than 0 and at most 200.", "Credits cannot be negative.",
                    "Enter the credits as a number"):
        assert message in response.text
    assert 'value="Autism Society of Minnesota"' in response.text  # typed values kept
    future = {**RECORD, "completed_on": "2999-01-01", "started_on": ""}
    assert "cannot be in the future" in (await coordinator.post(
        f"/officers/{demo_org.officer1}/records/new", future)).text
    too_many = {**RECORD, "hours": "4", "credit_autism": "3", "credit_crisis_intervention": "2"}
    assert "add up to more than the hours" in (await coordinator.post(
        f"/officers/{demo_org.officer1}/records/new", too_many)).text
    assert await _record_count(session_factory) == 0
    assert await _audits(session_factory, "training_record.add") == []


async def test_correction_without_reason_is_refused_and_changes_nothing(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    record_id = await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Autism basics",
                                 hours="4", credits={"autism": "4"})
    coordinator = await browsers("coord1")
    form = await coordinator.get(f"/records/{record_id}/edit")
    assert form.status_code == 200 and 'value="Autism basics"' in form.text

    response = await coordinator.post(f"/records/{record_id}/edit", {**RECORD, "course_title": "Autism advanced",
                                                                     "hours": "6", "reason": " "})

    assert response.status_code == 200
    assert "Say why the record is being corrected." in response.text
    record = await _load(session_factory, record_id)
    assert record.course_title == "Autism basics" and str(record.hours.normalize()) == "4"
    assert await _audits(session_factory, "training_record.correct") == []


async def test_correction_with_reason_is_saved_and_audited_with_before_and_after(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    record_id = await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Autism basics",
                                 hours="4", credits={"autism": "4"})
    coordinator = await browsers("coord1")

    response = await coordinator.post(f"/records/{record_id}/edit", {
        **RECORD, "hours": "6", "credit_autism": "4", "credit_crisis_intervention": "2",
        "reason": "Certificate shows 6 hours including 2 of crisis intervention.",
    })

    assert response.status_code == 303
    record = await _load(session_factory, record_id)
    assert record.hours == 6 and {c.topic_code: int(c.credits) for c in record.credits} == {
        "autism": 4, "crisis_intervention": 2}
    [event] = await _audits(session_factory, "training_record.correct")
    assert event.detail["reason"].startswith("Certificate shows 6 hours")
    assert event.detail["before"]["hours"] == "4" and event.detail["after"]["hours"] == "6"
    assert event.detail["before"]["credits"] == {"autism": "4"}
    assert event.detail["after"]["credits"] == {"autism": "4", "crisis_intervention": "2"}


async def test_only_coordinators_add_or_correct_records(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    record_id = await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Autism basics")
    for username in ("officer1", "sgt1", "chief1"):
        browser = await browsers(username)
        assert (await browser.get(f"/officers/{demo_org.officer1}/records/new")).status_code == 404, username
        assert (await browser.post(f"/officers/{demo_org.officer1}/records/new", RECORD)).status_code == 404
        response = await browser.post(f"/records/{record_id}/edit", {**RECORD, "reason": "Because."})
        assert response.status_code == 404, username
    assert await _record_count(session_factory) == 1
    assert (await _load(session_factory, record_id)).course_title == "Autism basics"
    assert len(await _audits(session_factory, "training_record.add", "denied")) == 6
    assert len(await _audits(session_factory, "training_record.correct", "denied")) == 3


async def test_history_filters_and_pagination(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    for number in range(52):
        await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title=f"Range day {number:02d}",
                         days_ago=number + 1, credits={"firearms": "4"}, source="coordinator_entry")
    await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Autism in the field",
                     days_ago=300, credits={"autism": "4"}, source="certificate_review")
    browser = await browsers("officer1")

    first = await browser.get("/records")
    assert first.status_code == 200
    assert "53 records" in first.text and "Page 1 of 2" in first.text
    assert first.text.count("Range day") == 50 and "Range day 00" in first.text
    assert "Autism in the field" not in first.text
    second = await browser.get("/records", params={"page": "2"})
    assert "Range day 51" in second.text and "Autism in the field" in second.text and "Range day 00" not in second.text

    by_topic = await browser.get("/records", params={"topic": "autism"})
    assert "1 record " in by_topic.text and "Autism in the field" in by_topic.text and "Range day" not in by_topic.text
    by_source = await browser.get("/records", params={"source": "certificate_review"})
    assert "Autism in the field" in by_source.text and "Range day" not in by_source.text
    recent = await browser.get("/records", params={"from": (date.today() - timedelta(days=3)).isoformat(),
                                                    "to": date.today().isoformat()})
    assert "3 records" in recent.text and "Range day 02" in recent.text and "Range day 03" not in recent.text

    bad = await browser.get("/records", params={"from": "yesterday", "topic": "juggling", "source": "x",
                                                "page": "-4"})
    assert bad.status_code == 200
    for message in ("Enter a date as YYYY-MM-DD.", "Choose a topic from the list.", "Choose a source from the list.",
                    "The page number is not valid"):
        assert message in bad.text
    assert "53 records" in bad.text


async def test_transcript_is_a_pdf_download_with_the_officers_details(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1, number="MN-0042")
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Café “de-escalation” — Nguyễn",
                     hours="2", credits={"autism": "1"})

    for username, url in (("officer1", "/records/transcript.pdf"),
                          ("sgt1", f"/officers/{demo_org.officer1}/records/transcript.pdf")):
        response = await (await browsers(username)).get(url)
        assert response.status_code == 200, username
        assert response.content.startswith(b"%PDF")
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith('attachment; filename="transcript-officer-olly')
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        assert "Olly Officer" in text and "MN-0042" in text and "Test Police Department" in text
        assert "Crisis Intervention Team refresher" in text and "16 hours in 4 records" in text
        assert 'Café "de-escalation" - Nguyen' in text


async def test_transcript_for_chosen_dates_and_bad_dates(browsers, demo_org, session_factory):
    await license_officer(session_factory, demo_org.officer1)
    await give_known_records(session_factory, demo_org.agency_id, demo_org.officer1)
    browser = await browsers("officer1")
    response = await browser.get("/records/transcript.pdf", params={
        "from": (date.today() - timedelta(days=15)).isoformat(), "to": date.today().isoformat()})
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Chosen dates" in text and "Firearms Qualification" in text and "Crisis Intervention" not in text
    bad = await browser.get("/records/transcript.pdf", params={"from": "2026-13-01"})
    assert bad.status_code == 400 and "not valid" in bad.text

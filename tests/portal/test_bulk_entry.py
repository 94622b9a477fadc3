"""Coordinators record one course for many officers: ticked or pasted attendees, all records in one step."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from models import AuditEvent, OutboxMessage, TrainingRecord
from services.workflow_starts import START_OFFICER_RECOMPUTE
from tests.services.records_support import add_record, license_officer

COMPLETED = (date.today() - timedelta(days=3)).isoformat()
COURSE = {"course_title": "Range Day", "provider": "County Range", "course_number": "", "started_on": "",
          "completed_on": COMPLETED, "hours": "4", "credit_firearms": "4"}


async def _licensed(session_factory, org) -> None:  # type: ignore[no-untyped-def]
    await license_officer(session_factory, org.officer1, "MN-0001")
    await license_officer(session_factory, org.officer2, "MN-0002")


async def _records(session_factory) -> list[TrainingRecord]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        records = list(await session.scalars(select(TrainingRecord).order_by(TrainingRecord.officer_id)))
        for record in records:
            await session.refresh(record, ["credits"])
        return records


async def _audits(session_factory, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


async def test_ticked_attendees_all_get_the_record_audited_and_a_recompute_is_queued(browsers, demo_org,
                                                                                     session_factory):
    await _licensed(session_factory, demo_org)
    coordinator = await browsers("coord1")
    form = await coordinator.get("/records/bulk")
    assert form.status_code == 200
    assert "Officer, Olly" in form.text and "Other, Omar" in form.text
    assert "Lieutenant, Lena" not in form.text  # no licence: not on the attendee roster

    response = await coordinator.post("/records/bulk", {**COURSE, "attendee": [str(demo_org.officer1),
                                                                               str(demo_org.officer2)]})

    assert response.status_code == 303, response.text
    batch = response.headers["location"].rsplit("/", 1)[-1]
    records = await _records(session_factory)
    assert [record.officer_id for record in records] == [demo_org.officer1, demo_org.officer2]
    assert {(r.source, r.source_ref, r.approved_by_id) for r in records} == {
        ("coordinator_entry", f"bulk:{batch}", demo_org.coord1)}
    assert all([(c.topic_code, str(c.credits)) for c in r.credits] == [("firearms", "4.00")] for r in records)
    added = await _audits(session_factory, "training_record.add")
    assert sorted(int(event.object_id or 0) for event in added) == [record.id for record in records]
    assert {event.detail["bulk_entry"] for event in added} == {batch}
    [bulk] = await _audits(session_factory, "training_record.bulk_add")
    assert bulk.object_id == batch and bulk.detail["officers"] == [demo_org.officer1, demo_org.officer2]
    async with session_factory() as session:
        message = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == START_OFFICER_RECOMPUTE))
    # Temporal is down in this test: the fan-out waits in the outbox for the relay.
    assert message is not None and message.payload == {"officer_ids": [demo_org.officer1, demo_org.officer2]}

    done = await coordinator.get(response.headers["location"])
    assert done.status_code == 200
    assert "Training recorded for 2 officers" in done.text
    assert "Officer, Olly" in done.text and "Other, Omar" in done.text


async def test_pasted_badges_with_an_unknown_one_rerender_everything_kept_and_record_nothing(
    browsers, demo_org, session_factory
):
    await _licensed(session_factory, demo_org)
    coordinator = await browsers("coord1")

    response = await coordinator.post("/records/bulk", {**COURSE, "badges": "b104, B105\nB999"})

    assert response.status_code == 200
    assert "No officer of your agency has badge number B999." in response.text
    assert 'value="Range Day"' in response.text and 'value="4"' in response.text
    assert "b104, B105\nB999</textarea>" in response.text
    assert await _records(session_factory) == []

    fixed = await coordinator.post("/records/bulk", {**COURSE, "badges": "b104 B105"})

    assert fixed.status_code == 303
    assert [r.officer_id for r in await _records(session_factory)] == [demo_org.officer1, demo_org.officer2]


async def test_an_attendee_who_already_has_the_record_needs_an_explicit_record_anyway(
    browsers, demo_org, session_factory
):
    await _licensed(session_factory, demo_org)
    await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="RANGE DAY", hours="4", days_ago=3)
    coordinator = await browsers("coord1")
    attendees = {"attendee": [str(demo_org.officer1), str(demo_org.officer2)]}

    first = await coordinator.post("/records/bulk", {**COURSE, **attendees})

    assert first.status_code == 200
    assert "1 attendee already has this record" in first.text
    assert f'name="record_duplicates" type="checkbox" value="{demo_org.officer1}"' in first.text
    assert f'id="attendee-{demo_org.officer1}" name="attendee" type="checkbox" value="{demo_org.officer1}" checked' \
        in first.text  # the ticks are kept
    assert len(await _records(session_factory)) == 1

    confirmed = await coordinator.post("/records/bulk", {**COURSE, **attendees,
                                                         "record_duplicates": str(demo_org.officer1)})

    assert confirmed.status_code == 303
    assert len(await _records(session_factory)) == 3
    done = await coordinator.get(confirmed.headers["location"])
    assert "recorded again on purpose" in done.text


async def test_the_coordinator_cannot_include_themself_and_the_attendee_cap_is_enforced(
    browsers, demo_org, session_factory
):
    await _licensed(session_factory, demo_org)
    await license_officer(session_factory, demo_org.coord1, "MN-0007")
    coordinator = await browsers("coord1")

    own = await coordinator.post("/records/bulk", {**COURSE, "badges": "B104 B106"})
    too_many = await coordinator.post("/records/bulk", {**COURSE, "badges": " ".join(f"X{n}" for n in range(501))})

    assert "You cannot enter a record for yourself" in own.text
    assert "At most 500 attendees per entry" in too_many.text
    assert await _records(session_factory) == []


async def test_the_attendee_list_filters_by_name_and_keeps_the_ticked_officers(browsers, demo_org, session_factory):
    await _licensed(session_factory, demo_org)
    coordinator = await browsers("coord1")

    response = await coordinator.get(f"/records/bulk/attendees?roster_q=other&attendee={demo_org.officer1}",
                                     headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.count(f'id="attendee-{demo_org.officer1}"') == 1
    assert f'value="{demo_org.officer1}" checked' in response.text
    assert "Other, Omar" in response.text and "1 officer matches" in response.text


async def test_officers_and_sergeants_cannot_enter_records_in_bulk(browsers, demo_org, session_factory):
    await _licensed(session_factory, demo_org)
    for username in ("officer1", "sgt1"):
        browser = await browsers(username)
        assert (await browser.get("/records/bulk")).status_code == 403
        response = await browser.post("/records/bulk", {**COURSE, "attendee": str(demo_org.officer2)})
        assert response.status_code == 403
    assert await _records(session_factory) == []
    assert len(await _audits(session_factory, "training_record.bulk_add")) == 4  # each refusal is audited

"""The record-report workflow on the time-skipping server with the real activities, driven through the portal."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, select
from temporalio.client import WorkflowUpdateFailedError

from activities.record_reports import RECORD_GONE
from models import Notification, RecordReportEvent, TrainingRecord
from tests.portal.helpers import eventually, portal
from tests.record_reports.support import (
    add_record,
    audit_rows,
    file_report,
    load_report,
    records_of,
    report_id_from,
    started,
    task_of,
)
from workflows.record_report_types import UPDATE_RESOLVE, Resolution, ResolveAction

CORRECTED_FIELDS = {"course_title": "Firearms qualification", "provider": "Range Academy", "course_number": "",
                    "started_on": "", "completed_on": "2025-03-14", "hours": "12",
                    "credit_use_of_force": "2"}


async def _filed(sign_in, factory, client, settings, org, username="officer1", **fields):
    """An officer files a report; returns their browser, the report id and its open task."""
    officer = await sign_in(username)
    report_id = report_id_from(await file_report(officer, **fields))
    task = await started(factory, client, settings, report_id)
    return officer, report_id, task


async def _refusal(client, report_id: int, settings, resolution: Resolution) -> str:
    handle = client.get_workflow_handle(f"{settings.workflow_id_prefix}record-report-{report_id}")
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(UPDATE_RESOLVE, resolution)
    return str(refused.value.cause)


async def test_coordinator_corrects_the_hours_and_the_officer_is_told(
    make_app, skipping_client, session_factory, settings, demo_org, mailbox
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        officer, report_id, task = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                                record=str(record_id))
        assert task.queue == "coordinators" and task.status == "open"
        coordinator = await sign_in("coord1")
        queue = await coordinator.get("/records/reports/review")
        assert "Hours wrong: Firearms qualification" in queue.text
        page = await coordinator.get(f"/records/reports/{report_id}")
        assert 'value="8"' in page.text and "The course was 12 hours, not 8." in page.text

        response = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                          {**CORRECTED_FIELDS, "action": "correct",
                                           "reason": "Roster shows 12 hours."})
        assert response.status_code == 303, response.text

        [record] = await records_of(session_factory, demo_org.officer1)
        assert record.hours == Decimal("12")
        report = await load_report(session_factory, report_id)
        assert (report.status, report.resolution) == ("corrected", "Roster shows 12 hours.")
        assert report.resolved_by_id == demo_org.coord1 and report.result_record_id == record_id
        assert (await task_of(session_factory, report_id)).status == "done"
        [audit] = await audit_rows(session_factory, "training_record.correct")
        assert audit.detail["before"]["hours"] == "8" and audit.detail["after"]["hours"] == "12"
        assert audit.detail["reason"] == "Roster shows 12 hours." and audit.actor_label.endswith("Cora Coordinator")
        handle = skipping_client.get_workflow_handle(report.workflow_id)
        assert await handle.result() == "corrected"

        officer_mail = [m for m in mailbox.messages if m["To"] == "officer1@test.example"]
        assert [m["Subject"] for m in officer_mail] == [
            "[Muster] Your record report was resolved: Firearms qualification"]
        assert "Reason: Roster shows 12 hours." in officer_mail[0].get_content()
        mine = await officer.get("/records/reports")
        assert "Corrected" in mine.text and "Roster shows 12 hours." in mine.text


async def test_a_double_click_corrects_the_record_once(make_app, skipping_client, session_factory, settings,
                                                       demo_org):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        _, report_id, _ = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                       record=str(record_id))
        coordinator = await sign_in("coord1")
        form = {**CORRECTED_FIELDS, "action": "correct", "reason": "Roster shows 12 hours."}
        url = f"/records/reports/{report_id}/resolve"
        first, second = await asyncio.gather(coordinator.post(url, form), coordinator.post(url, form))

        assert sorted([first.status_code, second.status_code]) == [200, 303]
        refused = first if first.status_code == 200 else second
        assert "This report has already been closed." in refused.text and "Corrected" in refused.text
        [record] = await records_of(session_factory, demo_org.officer1)
        assert record.hours == Decimal("12")
        assert len(await audit_rows(session_factory, "training_record.correct")) == 1


async def test_missing_course_is_added_with_its_provenance(
    make_app, skipping_client, session_factory, settings, demo_org
):
    async with portal(make_app, skipping_client) as sign_in:
        _, report_id, _ = await _filed(
            sign_in, session_factory, skipping_client, settings, demo_org, kind="missing_course",
            description="I attended CIT in October; it is not in my history.",
            course_title="Crisis Intervention Team", provider="Regional Academy", completed_on="2025-10-09",
            hours="40")
        coordinator = await sign_in("coord1")
        page = await coordinator.get(f"/records/reports/{report_id}")
        assert 'value="Crisis Intervention Team"' in page.text and 'value="40"' in page.text

        response = await coordinator.post(f"/records/reports/{report_id}/resolve", {
            "action": "correct", "course_title": "Crisis Intervention Team", "provider": "Regional Academy",
            "completed_on": "2025-10-09", "hours": "40", "credit_crisis_intervention": "40",
            "reason": "Attendance confirmed with the academy."})
        assert response.status_code == 303, response.text

        [record] = await records_of(session_factory, demo_org.officer1)
        assert record.source == "coordinator_entry" and record.source_ref == f"record-report:{report_id}"
        assert record.approved_by_id == demo_org.coord1 and record.hours == Decimal("40")
        report = await load_report(session_factory, report_id)
        assert report.status == "corrected" and report.result_record_id == record.id
        [audit] = await audit_rows(session_factory, "training_record.add")
        assert audit.detail["before"] is None and audit.detail["after"]["course_title"] == "Crisis Intervention Team"


async def test_declined_report_leaves_the_record_as_it_was(
    make_app, skipping_client, session_factory, settings, demo_org, mailbox
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        officer, report_id, _ = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                             record=str(record_id))
        coordinator = await sign_in("coord1")
        missing_reason = await coordinator.post(f"/records/reports/{report_id}/resolve", {"action": "decline"})
        assert "Give a reason" in missing_reason.text
        response = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                          {"action": "decline", "reason": "The sign-in sheet shows 8 hours."})
        assert response.status_code == 303, response.text

        [record] = await records_of(session_factory, demo_org.officer1)
        assert record.hours == Decimal("8")
        report = await load_report(session_factory, report_id)
        assert report.status == "declined" and report.result_record_id is None
        assert await skipping_client.get_workflow_handle(report.workflow_id).result() == "declined"
        assert [m["Subject"] for m in mailbox.messages if m["To"] == "officer1@test.example"] == [
            "[Muster] Your record report was declined: Firearms qualification"]
        page = await officer.get(f"/records/reports/{report_id}")
        assert "Declined: the record stands" in page.text and "The sign-in sheet shows 8 hours." in page.text


async def test_officer_withdraws_an_open_report(make_app, skipping_client, session_factory, settings, demo_org):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        officer, report_id, _ = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                             record=str(record_id))
        response = await officer.post(f"/records/reports/{report_id}/withdraw")
        assert response.status_code == 303, response.text

        report = await load_report(session_factory, report_id)
        assert report.status == "withdrawn"
        assert (await task_of(session_factory, report_id)).status == "cancelled"
        assert await skipping_client.get_workflow_handle(report.workflow_id).result() == "withdrawn"
        coordinator = await sign_in("coord1")
        late = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                      {"action": "decline", "reason": "Too late"})
        assert "no longer open" in late.text or "already been closed" in late.text
        assert (await load_report(session_factory, report_id)).status == "withdrawn"


async def test_validators_refuse_the_officer_a_sergeant_another_agency_and_a_missing_reason(
    make_app, skipping_client, session_factory, settings, demo_org
):
    record_id = await add_record(session_factory, demo_org, demo_org.coord1)
    async with portal(make_app, skipping_client) as sign_in:
        # The coordinator reports an error in their own records: they may not resolve it themselves.
        coordinator, report_id, _ = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                                 username="coord1", record=str(record_id))
        own = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                     {"action": "decline", "reason": "Fine as it is"})
        assert own.status_code == 403 and "You cannot resolve your own report." in own.text

        def decline(actor_id: int, *, coordinator: bool = True, agency_id: int = demo_org.agency_id,
                    reason: str = "Fine as it is") -> Resolution:
            return Resolution(actor_id=actor_id, action=ResolveAction.DECLINE, reason=reason,
                              actor_is_coordinator=coordinator, actor_agency_id=agency_id)

        async def refusal(resolution: Resolution) -> str:
            return await _refusal(skipping_client, report_id, settings, resolution)

        assert "your own report" in await refusal(decline(demo_org.coord1))
        assert "Only the agency's training coordinators" in await refusal(decline(demo_org.sgt1, coordinator=False))
        assert "Only the agency's training coordinators" in await refusal(
            decline(demo_org.sgt1, agency_id=demo_org.agency_id + 1))
        assert "Please give a reason" in await refusal(decline(demo_org.chief1, reason="  "))
        sergeant = await sign_in("sgt1")  # not in the coordinator's chain: the report is not even found
        assert (await sergeant.post(f"/records/reports/{report_id}/resolve",
                                    {"action": "decline", "reason": "Fine"})).status_code == 404

        report = await load_report(session_factory, report_id)
        assert report.status == "open"
        async with session_factory() as session:
            kinds = list(await session.scalars(select(RecordReportEvent.kind)))
        assert kinds == ["reported"]


async def test_coordinators_are_reminded_after_three_business_days_and_admins_told_after_seven(
    make_app, skipping_client, business_week, session_factory, settings, demo_org
):
    monday = business_week.monday  # filed Monday 09:00: reminder Thursday 09:00, escalation Wednesday after
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        _, report_id, task = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                          record=str(record_id))
        await business_week.skip_to(monday + timedelta(days=3, hours=1))  # Thursday 10:00

        async def reminded() -> bool:
            async with session_factory() as session:
                rows = await session.scalars(select(Notification).where(Notification.subject.like("%Reminder%")))
                return [n.person_id for n in rows] == [demo_org.coord1]

        await eventually(reminded)
        assert (await task_of(session_factory, report_id)).reminded_at is not None

        await business_week.skip_to(monday + timedelta(days=8, hours=1))  # Tuesday 10:00: 6 business days
        async with session_factory() as session:
            assert not list(await session.scalars(select(Notification).where(Notification.subject.like("%overdue%"))))
        await business_week.skip_to(monday + timedelta(days=9, hours=1))  # Wednesday 10:00

        async def escalated() -> bool:
            async with session_factory() as session:
                rows = await session.scalars(select(Notification).where(Notification.subject.like("%overdue%")))
                return [n.person_id for n in rows] == [demo_org.admin1]

        await eventually(escalated)
        coordinator = await sign_in("coord1")
        queue = await coordinator.get("/records/reports/review")
        assert "Overdue: administrators told" in queue.text
        # Past escalation it still waits for a coordinator, for as long as it takes.
        done = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                      {"action": "decline", "reason": "Checked: 8 hours is right."})
        assert done.status_code == 303, done.text
        assert (await load_report(session_factory, report_id)).status == "declined"


async def test_a_report_on_a_record_deleted_meanwhile_is_refused_clearly_and_stays_open(
    make_app, skipping_client, session_factory, settings, demo_org
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with portal(make_app, skipping_client) as sign_in:
        _, report_id, _ = await _filed(sign_in, session_factory, skipping_client, settings, demo_org,
                                       record=str(record_id))
        async with session_factory() as session, session.begin():
            await session.execute(delete(TrainingRecord).where(TrainingRecord.id == record_id))
        coordinator = await sign_in("coord1")
        page = await coordinator.get(f"/records/reports/{report_id}")
        assert "The reported record no longer exists" in page.text
        response = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                          {**CORRECTED_FIELDS, "action": "correct", "reason": "Fix hours"})
        assert response.status_code == 200
        assert RECORD_GONE.split(",")[0] in response.text
        # A payload the portal would never send: refused by the activity at once, not retried forever.
        bad = Resolution(actor_id=demo_org.coord1, action=ResolveAction.CORRECT, reason="Fix",
                         actor_is_coordinator=True, actor_agency_id=demo_org.agency_id,
                         values={"course_title": "X", "provider": "Y", "completed_on": "2025-01-01",
                                 "hours": "many"})
        assert "The correction is not valid" in await _refusal(skipping_client, report_id, settings, bad)
        assert (await load_report(session_factory, report_id)).status == "open"

        declined = await coordinator.post(f"/records/reports/{report_id}/resolve",
                                          {"action": "decline", "reason": "The record was removed as a duplicate."})
        assert declined.status_code == 303, declined.text
        assert (await load_report(session_factory, report_id)).status == "declined"
        assert await records_of(session_factory, demo_org.officer1) == []

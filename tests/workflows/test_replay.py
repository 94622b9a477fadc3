"""Replay committed histories against today's workflow code: a deploy must not break open requests.

Histories were recorded from real runs: `pytest -m record_history tests/workflows/test_replay.py`
(the recorders are deselected in normal runs). If a change fails here, guard it with
`workflow.patched(...)` instead of re-recording.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio import workflow
from temporalio.client import WorkflowHandle
from temporalio.worker import Replayer

from tests.support import create_request, wait_for_open_task
from tests.workflows.test_training_request_workflow import (
    approval_settled,
    decide,
    sleep_past_escalation,
    sleep_until_certificate_reminder,
)
from worker import WORKFLOWS as WORKER_WORKFLOWS
from workflows.agency_recompute_types import AGENCY_RECOMPUTE_WORKFLOW
from workflows.record_import_types import RECORD_IMPORT_WORKFLOW
from workflows.training_request_types import (
    UPDATE_REASSIGN,
    UPDATE_RESUBMIT,
    DecisionAction,
    Reassignment,
    Resubmission,
)
from workflows.weekly_digest import WeeklyDigestWorkflow

HISTORIES = Path(__file__).parent / "histories"
# Every workflow the worker runs (worker.build_worker), by the name its histories carry.
WORKFLOWS = {workflow._Definition.must_from_class(run).name: run for run in WORKER_WORKFLOWS}


@pytest.mark.parametrize("history_file", sorted(p.name for p in HISTORIES.glob("*.json")))
async def test_committed_history_replays_on_current_code(history_file: str) -> None:
    from temporalio.client import WorkflowHistory

    history = WorkflowHistory.from_json("replayed", (HISTORIES / history_file).read_text())
    await Replayer(workflows=list(WORKFLOWS.values())).replay_workflow(history)


def test_every_workflow_the_worker_runs_has_a_committed_history() -> None:
    started = (json.loads(path.read_text())["events"][0]["workflowExecutionStartedEventAttributes"]
               for path in HISTORIES.glob("*.json"))
    assert {attributes["workflowType"]["name"] for attributes in started} == set(WORKFLOWS)


async def save_history(handle: WorkflowHandle, name: str) -> None:
    history = await handle.fetch_history()
    (HISTORIES / name).write_text(history.to_json())


@pytest.mark.record_history
async def test_record_changes_forward_remind_escalate_approve(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, tuition_cents=90_000,
        workflow_id_prefix=settings.workflow_id_prefix,
    )
    from services.workflow_starts import dispatch_one

    await dispatch_one(session_factory, skipping_client, message_id, settings.task_queue)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    task = await wait_for_open_task(session_factory, request_id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.REQUEST_CHANGES, "Which hotel?")
    await handle.execute_update(UPDATE_RESUBMIT, Resubmission(actor_id=demo_org.officer1), id="r1")
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    await sleep_past_escalation(time_skipping_env)  # lieutenant reminded, then bypassed for the chief
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    await decide(handle, task, demo_org.chief1, DecisionAction.APPROVE, "Approved by the chief")
    # Recorded before the certificate reminders existed, when approval closed the workflow; recorded
    # again now, the history would end open, waiting for the course to be over.
    assert await approval_settled(handle) == "approved"
    await save_history(handle, "changes_forward_escalate_approve.json")


@pytest.mark.record_history
async def test_record_approve_then_two_certificate_reminders(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    from services.workflow_starts import dispatch_one

    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
    )
    await dispatch_one(session_factory, skipping_client, message_id, settings.task_queue)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    task = await wait_for_open_task(session_factory, request_id)
    await decide(handle, task, demo_org.sgt1, DecisionAction.APPROVE)
    assert await approval_settled(handle) == "approved"
    await sleep_until_certificate_reminder(time_skipping_env, session_factory, request_id, days_after=15)
    assert await handle.result() == "approved"
    await save_history(handle, "approve_then_two_certificate_reminders.json")


@pytest.mark.record_history
async def test_record_coordinator_queue_reassign_deny(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    from models import Person
    from services.workflow_starts import dispatch_one

    async with session_factory() as session, session.begin():
        (await session.get_one(Person, demo_org.sgt1)).supervisor_id = None
    request_id, message_id = await create_request(
        session_factory, demo_org, demo_org.officer1, workflow_id_prefix=settings.workflow_id_prefix
    )
    await dispatch_one(session_factory, skipping_client, message_id, settings.task_queue)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}training-request-{request_id}")
    task = await wait_for_open_task(session_factory, request_id)
    await sleep_past_escalation(time_skipping_env)
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    await handle.execute_update(
        UPDATE_REASSIGN, Reassignment(actor_id=demo_org.coord1, new_approver_id=demo_org.lt1,
                                      actor_is_coordinator=True), id="re1")
    task = await wait_for_open_task(session_factory, request_id, not_id=task.id)
    await decide(handle, task, demo_org.lt1, DecisionAction.DENY, "Not this fiscal year")
    assert await handle.result() == "denied"
    await save_history(handle, "coordinator_queue_reassign_deny.json")


@pytest.mark.record_history
async def test_record_licensing_cycle_reminders_recompute_case_and_continue_as_new(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    from datetime import timedelta

    from tests.workflows.test_licensing_cycle import license_officer, sleep_until, start_cycle
    from workflows.licensing_cycle_types import SIGNAL_RECOMPUTE

    today = (await time_skipping_env.get_current_time()).date()
    cycle_end = await license_officer(session_factory, demo_org, today)
    handle = await start_cycle(skipping_client, settings, demo_org)
    first_run = (await handle.describe()).run_id
    await sleep_until(time_skipping_env, cycle_end - timedelta(days=100))
    await handle.signal(SIGNAL_RECOMPUTE)
    await sleep_until(time_skipping_env, cycle_end + timedelta(days=2))
    history = await skipping_client.get_workflow_handle(handle.id, run_id=first_run).fetch_history()
    (HISTORIES / "licensing_cycle_reminders_case_continue_as_new.json").write_text(history.to_json())


@pytest.mark.record_history
async def test_record_certificate_review_remind_escalate_reject_new_version_approve(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    from models import CertificateEvent, CertificateSubmission
    from services.certificates import submit_new_version
    from services.workflow_starts import dispatch_due
    from storage import store_from_settings
    from storage.validation import InspectedFile, inspect_upload
    from tests.certificates.support import certificate_pdf, open_review_task, record_form, submit_directly
    from tests.portal.helpers import eventually
    from workflows.certificate_review_types import UPDATE_DECIDE, NewVersion, ReviewAction, ReviewDecision

    submission = await submit_directly(session_factory, settings, demo_org.officer1, certificate_pdf())
    await dispatch_due(session_factory, skipping_client, settings.task_queue)
    handle = skipping_client.get_workflow_handle(submission.workflow_id)

    async def kinds() -> list[str]:
        async with session_factory() as session:
            return list(await session.scalars(select(CertificateEvent.kind).order_by(CertificateEvent.id)))

    async def task_open() -> bool:
        return await open_review_task(session_factory, submission.id) is not None

    async def escalated() -> bool:
        return await kinds() == ["submitted", "reminded", "escalated"]

    await eventually(task_open)
    await sleep_past_escalation(time_skipping_env, business_days=7)  # reminded after 3, escalated after 7
    await eventually(escalated)
    coordinator = {"actor_id": demo_org.coord1, "actor_is_coordinator": True}
    await handle.execute_update(UPDATE_DECIDE, ReviewDecision(action=ReviewAction.REJECT, reason="Not signed.",
                                                              **coordinator), id="reject")
    data = certificate_pdf("Crisis Intervention Team (signed)")
    upload = inspect_upload(data, "signed.pdf", settings.max_upload_bytes)
    assert isinstance(upload, InspectedFile)
    async with session_factory() as session:
        fresh = await session.get_one(CertificateSubmission, submission.id)
        await submit_new_version(session, store_from_settings(settings), skipping_client, fresh, upload, data,
                                 record_form(), NewVersion(actor_id=demo_org.officer1, version=2))
    await handle.execute_update(UPDATE_DECIDE, ReviewDecision(action=ReviewAction.APPROVE, **coordinator),
                                id="approve")
    assert await handle.result() == "approved"
    assert await kinds() == ["submitted", "reminded", "escalated", "rejected", "new_version", "approved"]
    await save_history(handle, "certificate_review_remind_escalate_reject_new_version_approve.json")


@pytest.mark.record_history
async def test_record_record_report_remind_escalate_correct(
    session_factory, skipping_client, time_skipping_env, settings, demo_org
):
    from models import Person, RecordReportEvent
    from services.record_reports import ReportDraft, file_report, validate_report
    from services.training_records import agency_today
    from storage import store_from_settings
    from tests.portal.helpers import eventually
    from tests.record_reports.support import add_record, load_report, started
    from workflows.record_report_types import UPDATE_RESOLVE, Resolution, ResolveAction

    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    async with session_factory() as session:
        officer = await session.get_one(Person, demo_org.officer1)
        draft = await validate_report(session, officer, {
            "kind": "hours_wrong", "record": str(record_id), "description": "The course was 12 hours, not 8."},
            await agency_today(session, demo_org.agency_id))
        assert isinstance(draft, ReportDraft), draft
        report, _ = await file_report(session, store_from_settings(settings), officer, draft, None,
                                      settings.workflow_id_prefix)
    await started(session_factory, skipping_client, settings, report.id)
    handle = skipping_client.get_workflow_handle(f"{settings.workflow_id_prefix}record-report-{report.id}")

    async def kinds() -> list[str]:
        async with session_factory() as session:
            return list(await session.scalars(select(RecordReportEvent.kind).order_by(RecordReportEvent.id)))

    async def escalated() -> bool:
        return await kinds() == ["reported", "reminded", "escalated"]

    await sleep_past_escalation(time_skipping_env, business_days=7)  # reminded after 3, escalated after 7
    await eventually(escalated)
    values = {"course_title": "Firearms qualification", "provider": "Range Academy", "course_number": "",
              "started_on": "", "completed_on": "2025-03-14", "hours": "12"}
    resolution = Resolution(actor_id=demo_org.coord1, action=ResolveAction.CORRECT, reason="Roster shows 12 hours.",
                            actor_is_coordinator=True, actor_agency_id=demo_org.agency_id, values=values,
                            credits={"use_of_force": "2"})
    assert await handle.execute_update(UPDATE_RESOLVE, resolution, id="resolve") == "corrected"
    assert await handle.result() == "corrected"
    assert await kinds() == ["reported", "reminded", "escalated", "corrected"]
    assert (await load_report(session_factory, report.id)).status == "corrected"
    await save_history(handle, "record_report_remind_escalate_correct.json")


@pytest.mark.record_history
async def test_record_record_import_batches_complete(session_factory, skipping_client, settings, demo_org):
    from models import ImportStatus, RecordImport, record_import_workflow_id
    from tests.services.import_support import csv_file, days_ago, stage, start
    from tests.services.records_support import license_officer
    from workflows.record_import_types import RecordImportInput, RecordImportResult

    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    await license_officer(session_factory, demo_org.officer2, "MN-0002")
    data = csv_file(
        f"MN-0001,,Autism Awareness,Autism Society,{days_ago(40)},4,autism=4",
        f"MN-0001,,Firearms,Range,{days_ago(35)},2,firearms=2",
        f"MN-0002,,Use of Force Update,Academy,{days_ago(30)},3,use_of_force=3",
        f"MN-0002,,Crisis Intervention,Regional Academy,{days_ago(25)},8,",
        f"MN-0002,,Bad hours,Academy,{days_ago(20)},999,",
    )
    import_id = await stage(session_factory, demo_org, data)
    await start(session_factory, import_id, settings.workflow_id_prefix)
    # Started directly rather than from the outbox, so that batches of two take several activities.
    handle = await skipping_client.start_workflow(
        RECORD_IMPORT_WORKFLOW, RecordImportInput(import_id=import_id, batch_size=2),
        id=record_import_workflow_id(import_id, settings.workflow_id_prefix), task_queue=settings.task_queue,
        result_type=RecordImportResult,
    )
    assert (await handle.result()).imported == 4
    async with session_factory() as session:
        record_import = await session.get_one(RecordImport, import_id)
    assert record_import.status == ImportStatus.COMPLETED
    assert (record_import.imported_rows, record_import.error_rows) == (4, 1)
    await save_history(handle, "record_import_batches_complete.json")


@pytest.mark.record_history
async def test_record_officer_recompute_signals_running_cycles(session_factory, skipping_client, settings, demo_org):
    from services.workflow_starts import dispatch_due, enqueue_officer_recompute
    from tests.services.records_support import license_officer
    from tests.workflows.test_agency_recompute import _asleep, _start_cycle
    from workflows.officer_recompute_types import officer_recompute_workflow_id

    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    await _asleep(await _start_cycle(skipping_client, settings, demo_org.officer1))
    async with session_factory() as session, session.begin():
        await enqueue_officer_recompute(session, [demo_org.officer1, demo_org.officer2], "bulk-0123456789",
                                        settings.workflow_id_prefix)
    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1
    handle = skipping_client.get_workflow_handle(
        officer_recompute_workflow_id("bulk-0123456789", settings.workflow_id_prefix))
    assert await handle.result() == 1  # officer1's running cycle; officer2 has none
    await save_history(handle, "officer_recompute_signals_running_cycles.json")


@pytest.mark.record_history
async def test_record_agency_recompute_pages_through_the_roster(session_factory, skipping_client, settings, demo_org):
    from tests.services.records_support import license_officer
    from tests.workflows.test_agency_recompute import _asleep, _start_cycle
    from workflows.agency_recompute_types import AgencyRecomputeInput

    for officer, number in ((demo_org.officer1, "MN-0001"), (demo_org.officer2, "MN-0002")):
        await license_officer(session_factory, officer, number)
        await _asleep(await _start_cycle(skipping_client, settings, officer))
    # Started directly rather than from the outbox, so that pages of one take several activities.
    handle = await skipping_client.start_workflow(
        AGENCY_RECOMPUTE_WORKFLOW, AgencyRecomputeInput(agency_id=demo_org.agency_id, page_size=1),
        id=f"{settings.workflow_id_prefix}agency-recompute-{demo_org.agency_id}-add-1", task_queue=settings.task_queue,
        result_type=int,
    )
    assert await handle.result() == 2
    await save_history(handle, "agency_recompute_pages_through_the_roster.json")


@pytest.mark.record_history
async def test_record_weekly_digest_for_one_reader(session_factory, skipping_client, settings, demo_org, mailbox):
    from activities.notifications import add_notification
    from tests.workflows.test_weekly_digest import mail_to, prefer
    from workflows.weekly_digest import WeeklyDigestInput

    await prefer(session_factory, demo_org.officer1, weekly_digest=True)
    async with session_factory() as session, session.begin():
        for n in range(2):
            await add_notification(session, settings, key=f"replay:{n}", person_id=demo_org.officer1,
                                   subject=f"[Muster] Update {n}", body="Details", link="/dashboard")
    handle = await skipping_client.start_workflow(
        WeeklyDigestWorkflow.run, WeeklyDigestInput(), id=f"{settings.workflow_id_prefix}weekly-digest",
        task_queue=settings.task_queue,
    )
    assert await handle.result() == 1
    assert len(mail_to(mailbox, "officer1@test.example")) == 1
    await save_history(handle, "weekly_digest_for_one_reader.json")

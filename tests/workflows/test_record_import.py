"""The record-import workflow imports exactly the valid rows once, completes, and tells everyone concerned;
the bulk-entry fan-out nudges the attendees' licensing cycles."""

from __future__ import annotations

from sqlalchemy import func, select

from activities.record_import import RecordImportActivities
from models import (
    AuditEvent,
    ImportStatus,
    Notification,
    RecordImport,
    TrainingRecord,
    record_import_workflow_id,
)
from services.workflow_starts import dispatch_due, enqueue_officer_recompute
from tests.services.import_support import csv_file, days_ago, stage, start
from tests.services.records_support import license_officer
from tests.workflows.test_agency_recompute import _asleep, _start_cycle
from workflows.officer_recompute_types import officer_recompute_workflow_id
from workflows.record_import_types import RECORD_IMPORT_WORKFLOW, ImportBatch, RecordImportInput, RecordImportResult


async def _count(factory, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_import_creates_exactly_the_valid_records_once_and_notifies_the_uploader(
    session_factory, skipping_client, settings, demo_org
):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    await license_officer(session_factory, demo_org.officer2, "MN-0002")
    cycle = await _start_cycle(skipping_client, settings, demo_org.officer1)
    await _asleep(cycle)
    data = csv_file(
        f"MN-0001,,Autism Awareness,Autism Society,{days_ago(40)},4,autism=4",
        f"MN-0001,,Firearms,Range,{days_ago(35)},2,firearms=2",
        f"MN-0404,,Ghost course,Academy,{days_ago(30)},2,",
        f",B105,Use of Force Update,Academy,{days_ago(30)},3,use_of_force=3",
        f"MN-0002,,Bad hours,Academy,{days_ago(30)},999,",
    )
    import_id = await stage(session_factory, demo_org, data)
    await start(session_factory, import_id, settings.workflow_id_prefix)
    workflow_id = record_import_workflow_id(import_id, settings.workflow_id_prefix)

    # Batches of two: three valid rows take two batches and a third finds none left.
    handle = await skipping_client.start_workflow(
        RECORD_IMPORT_WORKFLOW, RecordImportInput(import_id=import_id, batch_size=2), id=workflow_id,
        task_queue=settings.task_queue, result_type=RecordImportResult,
    )
    result = await handle.result()

    assert result.imported == 3
    assert result.signalled == 1  # officer1's running cycle; officer2 has none yet
    async with session_factory() as session:
        record_import = await session.get_one(RecordImport, import_id)
        titles = list(await session.scalars(select(TrainingRecord.course_title).order_by(TrainingRecord.id)))
        notification = await session.scalar(select(Notification).where(Notification.person_id == demo_org.coord1))
    assert titles == ["Autism Awareness", "Firearms", "Use of Force Update"]
    assert record_import.status == ImportStatus.COMPLETED and record_import.finished_at is not None
    assert (record_import.imported_rows, record_import.valid_rows, record_import.error_rows) == (3, 3, 2)
    assert notification is not None and notification.link == f"/records/imports/{import_id}"
    assert "3 training records imported" in notification.body and "2 rows were not imported" in notification.body
    assert await _count(session_factory, AuditEvent, AuditEvent.action == "record_import.complete") == 1
    assert await _count(session_factory, AuditEvent, AuditEvent.action == "record_import.batch") == 2

    # A retried batch activity, or the whole workflow again, creates nothing new.
    activities = RecordImportActivities(session_factory, skipping_client, settings)
    again = await activities.import_batch(ImportBatch(import_id=import_id, limit=500))
    assert (again.imported, again.more) == (0, False)
    rerun = await skipping_client.execute_workflow(
        RECORD_IMPORT_WORKFLOW, RecordImportInput(import_id=import_id), id=f"{workflow_id}-again",
        task_queue=settings.task_queue, result_type=RecordImportResult,
    )
    assert rerun.imported == 3
    assert await _count(session_factory, TrainingRecord) == 3
    assert await _count(session_factory, Notification, Notification.person_id == demo_org.coord1) == 1


async def test_import_started_from_the_outbox_runs_to_completion(session_factory, skipping_client, settings, demo_org):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    import_id = await stage(session_factory, demo_org, csv_file(f"MN-0001,,Course,Academy,{days_ago(30)},1,"))
    await start(session_factory, import_id, settings.workflow_id_prefix)

    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1
    handle = skipping_client.get_workflow_handle(record_import_workflow_id(import_id, settings.workflow_id_prefix),
                                                 result_type=RecordImportResult)

    assert (await handle.result()).imported == 1
    assert await _count(session_factory, TrainingRecord, TrainingRecord.source == "bulk_import") == 1


async def test_bulk_entry_fan_out_signals_the_attendees_running_cycles(session_factory, skipping_client, settings,
                                                                       demo_org):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    cycle = await _start_cycle(skipping_client, settings, demo_org.officer1)
    await _asleep(cycle)
    async with session_factory() as session, session.begin():
        await enqueue_officer_recompute(session, [demo_org.officer1, demo_org.officer2], "bulk-0123456789",
                                        settings.workflow_id_prefix)

    assert await dispatch_due(session_factory, skipping_client, settings.task_queue) == 1
    handle = skipping_client.get_workflow_handle(
        officer_recompute_workflow_id("bulk-0123456789", settings.workflow_id_prefix))

    assert await handle.result() == 1  # officer2 has no running cycle: skipped, not an error

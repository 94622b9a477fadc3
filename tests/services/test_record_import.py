"""Staging a CSV import (every row checked against the roster and the records) and importing it in batches."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, update

from models import ImportStatus, Person, RecordImport, RecordImportRow, TrainingRecord, import_source_ref
from services.record_import_batches import import_batch
from tests.services.import_support import csv_file, days_ago, other_agency_officer, stage, start
from tests.services.records_support import add_record, license_officer
from tests.support import Org


async def _licensed(factory, org: Org) -> None:
    await license_officer(factory, org.officer1, "MN-0001")
    await license_officer(factory, org.officer2, "MN-0002")


async def _rows(factory, import_id: int) -> dict[int, RecordImportRow]:
    async with factory() as session:
        rows = await session.scalars(select(RecordImportRow).where(RecordImportRow.import_id == import_id))
        return {row.row_number: row for row in rows}


async def _import(factory, import_id: int) -> RecordImport:
    async with factory() as session:
        return await session.get_one(RecordImport, import_id)


async def _records(factory) -> list[TrainingRecord]:
    async with factory() as session:
        return list(await session.scalars(select(TrainingRecord).order_by(TrainingRecord.id)))


async def test_every_row_error_kind_is_staged_on_its_line_and_valid_rows_keep_their_values(session_factory, demo_org):
    org = demo_org
    await _licensed(session_factory, org)
    await license_officer(session_factory, org.sgt2, "MN-0003")
    await license_officer(session_factory, org.coord1, "MN-0004")
    async with session_factory() as session, session.begin():
        await session.execute(update(Person).where(Person.id == org.sgt2).values(
            employment_status="separated", separated_on=date.today() - timedelta(days=60)))
    await other_agency_officer(session_factory, "MN-9999")
    await add_record(session_factory, org.agency_id, org.officer1, title="Firearms Qualification", hours="4",
                     days_ago=20)
    data = csv_file(
        f"MN-0001,,Autism Awareness,Autism Society,{days_ago(30)},4,autism=4",  # 2: valid
        f",b105,Use of Force Update,Academy,{days_ago(30)},2,",  # 3: valid, by badge (any case)
        f"MN-0001,,autism awareness,Autism Society,{days_ago(30)},4,",  # 4: the same as line 2
        f"MN-0404,,Course,Academy,{days_ago(30)},1,",  # 5: nobody has this licence
        f"MN-9999,,Course,Academy,{days_ago(30)},1,",  # 6: another agency's officer
        f"MN-0003,,Course,Academy,{days_ago(10)},1,",  # 7: completed after leaving
        f",B101,Course,Academy,{days_ago(30)},1,",  # 8: lt1 holds no licence
        f"MN-0004,,Course,Academy,{days_ago(30)},1,",  # 9: the coordinator's own record
        f"MN-0001,,FIREARMS QUALIFICATION,Range,{days_ago(20)},4,",  # 10: already in Muster
        f"MN-0002,,Course,Academy,{days_ago(30)},0,",  # 11: no hours
        f",B999,Course,Academy,{days_ago(30)},1,",  # 12: no such badge here
        f"MN-0001,B105,Course,Academy,{days_ago(30)},1,",  # 13: licence and badge of different officers
    )

    import_id = await stage(session_factory, org, data)

    record_import = await _import(session_factory, import_id)
    assert record_import.status == ImportStatus.PREVIEW
    assert (record_import.total_rows, record_import.valid_rows, record_import.error_rows) == (12, 2, 10)
    rows = await _rows(session_factory, import_id)
    errors = {number: " ".join(row.errors) for number, row in rows.items()}
    assert errors[2] == errors[3] == ""
    assert rows[2].parsed == {"course_title": "Autism Awareness", "provider": "Autism Society", "course_number": None,
                              "started_on": None, "completed_on": days_ago(30), "hours": "4",
                              "credits": {"autism": "4"}}
    assert rows[2].officer_id == org.officer1 and rows[3].officer_id == org.officer2
    assert "same record as line 2" in errors[4]
    assert "No officer in Muster has licence number MN-0404" in errors[5]
    assert "another agency" in errors[6] and rows[6].officer_id is None  # nothing about them is shown
    assert "left the agency" in errors[7]
    assert "not a licensed officer" in errors[8]
    assert "your own record" in errors[9]
    assert "Already recorded in Muster" in errors[10]
    assert "Hours must be more than 0" in errors[11]
    assert "No officer of your agency has badge number B999" in errors[12]
    assert "different officers" in errors[13]
    async with session_factory() as session:
        # Error rows hold SQL NULL, which is what the preview and the batches select on.
        assert await session.scalar(select(func.count()).where(RecordImportRow.parsed.is_(None))) == 10
    assert len(await _records(session_factory)) == 1  # staging creates no record


async def test_staging_looks_rows_up_a_chunk_at_a_time_not_row_by_row(session_factory, demo_org):
    await _licensed(session_factory, demo_org)
    lines = [f"MN-000{1 + n % 2},,Course {n},Academy,{days_ago(30 + n % 300)},1," for n in range(2500)]
    engine = session_factory.kw["bind"]
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        import_id = await stage(session_factory, demo_org, csv_file(*lines))
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert (await _import(session_factory, import_id)).valid_rows == 2500
    # 3 chunks of 1000: officers, existing records, one insert each; not 2,500 of anything.
    assert len(statements) < 40, len(statements)


async def test_a_batch_rolled_back_midway_and_batches_run_twice_never_duplicate_a_record(session_factory, demo_org):
    await _licensed(session_factory, demo_org)
    data = csv_file(*(f"MN-0001,,Course {n},Academy,{days_ago(30)},1," for n in range(5)),
                    f"MN-0404,,Course,Academy,{days_ago(30)},1,")
    import_id = await stage(session_factory, demo_org, data)
    await start(session_factory, import_id)

    with pytest.raises(RuntimeError):  # the worker dies after the records were flushed, before the commit
        async with session_factory() as session, session.begin():
            await import_batch(session, import_id, 2)
            raise RuntimeError("crash")
    assert await _records(session_factory) == []
    assert (await _import(session_factory, import_id)).imported_rows == 0

    for limit in (2, 2, 2, 2):  # a retried activity simply runs again
        async with session_factory() as session, session.begin():
            await import_batch(session, import_id, limit)

    records = await _records(session_factory)
    assert sorted(record.course_title for record in records) == [f"Course {n}" for n in range(5)]
    assert {record.source for record in records} == {"bulk_import"}
    assert {record.approved_by_id for record in records} == {demo_org.coord1}
    rows = await _rows(session_factory, import_id)
    assert {rows[n].record_id for n in range(2, 7)} == {record.id for record in records}
    assert rows[7].record_id is None  # the bad row is never imported
    assert {record.source_ref for record in records} == {import_source_ref(import_id, n) for n in range(2, 7)}
    record_import = await _import(session_factory, import_id)
    assert (record_import.imported_rows, record_import.valid_rows) == (5, 5)


async def test_a_row_recorded_after_the_preview_is_not_imported_twice(session_factory, demo_org):
    await _licensed(session_factory, demo_org)
    import_id = await stage(session_factory, demo_org, csv_file(
        f"MN-0001,,Course A,Academy,{days_ago(30)},1,", f"MN-0001,,Course B,Academy,{days_ago(30)},1,"))
    await add_record(session_factory, demo_org.agency_id, demo_org.officer1, title="Course B", hours="1", days_ago=30)
    await start(session_factory, import_id)

    async with session_factory() as session, session.begin():
        outcome = await import_batch(session, import_id, 500)

    assert (outcome.imported, outcome.dropped) == (1, 1)
    assert sorted(record.course_title for record in await _records(session_factory)) == ["Course A", "Course B"]
    record_import = await _import(session_factory, import_id)
    assert (record_import.imported_rows, record_import.valid_rows, record_import.error_rows) == (1, 1, 1)
    assert "recorded after this file was checked" in (await _rows(session_factory, import_id))[3].errors[0]


async def test_importing_the_same_export_again_finds_every_row_already_recorded(session_factory, demo_org):
    await _licensed(session_factory, demo_org)
    data = csv_file(f"MN-0001,,Course A,Academy,{days_ago(30)},1.5,", f"MN-0002,,Course A,Academy,{days_ago(30)},1.5,")
    first = await stage(session_factory, demo_org, data)
    await start(session_factory, first)
    async with session_factory() as session, session.begin():
        await import_batch(session, first, 500)

    second = await stage(session_factory, demo_org, data)

    record_import = await _import(session_factory, second)
    assert (record_import.valid_rows, record_import.error_rows) == (0, 2)
    assert all("Already recorded" in row.errors[0] for row in (await _rows(session_factory, second)).values())

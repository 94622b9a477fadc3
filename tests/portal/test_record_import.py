"""Coordinators import training records from a CSV file: upload, preview with per-row errors, import with
a progress bar that polls until the workflow has finished."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from models import AuditEvent, ImportStatus, Person, RecordImport, RecordImportRow, TrainingRecord
from tests.portal.helpers import portal
from tests.services.import_support import csv_file, days_ago, other_agency_officer
from tests.services.records_support import license_officer

GOOD_AND_BAD = csv_file(
    f"MN-0001,,Autism Awareness,Autism Society,{days_ago(40)},4,autism=4",
    f"MN-0404,,Ghost course,Academy,{days_ago(30)},2,",
    f",B105,Use of Force Update,Academy,{days_ago(30)},3,use_of_force=3",
    f"MN-0001,,Future course,Academy,{days_ago(-30)},3,",
)


async def _licensed(session_factory, org) -> None:  # type: ignore[no-untyped-def]
    await license_officer(session_factory, org.officer1, "MN-0001")
    await license_officer(session_factory, org.officer2, "MN-0002")


async def _upload(browser, data: bytes, name: str = "board.csv"):  # type: ignore[no-untyped-def]
    return await browser.post("/records/imports/new", files={"file": (name, data, "text/csv")})


def _import_id(location: str) -> int:
    match = re.fullmatch(r"/records/imports/(\d+)", location)
    assert match, location
    return int(match.group(1))


async def _count(session_factory, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0


async def test_upload_preview_import_and_progress_to_completion(make_app, skipping_client, demo_org, session_factory):
    await _licensed(session_factory, demo_org)
    async with portal(make_app, skipping_client) as sign_in:
        coordinator = await sign_in("coord1")
        template = await coordinator.get("/records/imports/template.csv")
        assert template.headers["content-type"].startswith("text/csv")
        assert template.text.startswith("license_number,badge_number,course_title,provider")

        uploaded = await _upload(coordinator, GOOD_AND_BAD)

        assert uploaded.status_code == 303, uploaded.text
        import_id = _import_id(uploaded.headers["location"])
        preview = await coordinator.get(uploaded.headers["location"])
        assert preview.status_code == 200
        assert "Rows with problems (2)" in preview.text
        assert "No officer in Muster has licence number MN-0404." in preview.text
        assert "The completion date cannot be in the future." in preview.text
        assert "<td data-label=\"Line\">3</td>" in preview.text and "<td data-label=\"Line\">5</td>" in preview.text
        assert "Import 2 valid rows" in preview.text and "Olly Officer" in preview.text
        assert await _count(session_factory, TrainingRecord) == 0

        started = await coordinator.post(f"/records/imports/{import_id}/start")
        assert started.status_code == 303
        page = await coordinator.get(started.headers["location"])
        assert "<progress" in page.text

        progress = None
        for _ in range(200):
            progress = await coordinator.get(f"/records/imports/{import_id}/progress", headers={"HX-Request": "true"})
            if "Import completed" in progress.text:
                break
            assert 'hx-trigger="every 1s"' in progress.text  # still importing: it polls again
            await asyncio.sleep(0.05)
        assert progress is not None and "Import completed" in progress.text, progress and progress.text
        assert "2 records imported; 2 rows with problems were not imported" in progress.text
        assert "hx-trigger" not in progress.text  # finished: polling stops
        # The page's status line and imported count, outside the polled box, are swapped too.
        assert 'id="import-status" hx-swap-oob="true">Completed</span>' in progress.text
        assert '<dd id="imported-count" hx-swap-oob="true">2</dd>' in progress.text

        again = await coordinator.post(f"/records/imports/{import_id}/start")  # a late second click
        assert again.status_code == 303

    async with session_factory() as session:
        record_import = await session.get_one(RecordImport, import_id)
        titles = sorted(await session.scalars(select(TrainingRecord.course_title)))
    assert record_import.status == ImportStatus.COMPLETED and record_import.imported_rows == 2
    assert titles == ["Autism Awareness", "Use of Force Update"]
    assert await _count(session_factory, AuditEvent, AuditEvent.action == "record_import.upload") == 1
    assert await _count(session_factory, AuditEvent, AuditEvent.action == "record_import.start",
                        AuditEvent.outcome == "success") == 1


async def test_files_that_are_not_csv_or_lack_columns_are_refused_with_a_message(browsers, demo_org):
    coordinator = await browsers("coord1")

    pdf = await _upload(coordinator, b"%PDF-1.7\n1 0 obj\n", "records.pdf")
    workbook = await _upload(coordinator, b"PK\x03\x04\x14\x00\x06\x00rest", "records.xlsx")
    columns = await _upload(coordinator, b"name,hours\nJo,4\n")
    nothing = await coordinator.post("/records/imports/new", {"file": ""})

    assert pdf.status_code == 422 and "This is a PDF" in pdf.text
    assert workbook.status_code == 422 and "CSV UTF-8" in workbook.text
    assert columns.status_code == 422 and "missing: Licence number or Badge number" in columns.text
    assert nothing.status_code == 422 and "Choose the CSV file" in nothing.text


async def test_a_file_over_the_size_cap_is_refused_before_it_is_read(browsers, demo_org, session_factory):
    coordinator = await browsers("coord1")

    declared = await _upload(coordinator, b"a" * (6 * 1024 * 1024))  # refused on Content-Length alone
    just_over = await _upload(coordinator, b"a" * (5 * 1024 * 1024 + 1))  # within the envelope: read, then refused

    assert declared.status_code == 413 and "larger than 5 MB" in declared.text
    assert just_over.status_code == 413 and "larger than 5 MB" in just_over.text
    assert await _count(session_factory, RecordImport) == 0


async def test_an_import_without_valid_rows_cannot_start_and_a_preview_can_be_cancelled(
    browsers, demo_org, session_factory
):
    await _licensed(session_factory, demo_org)
    coordinator = await browsers("coord1")
    bad_only = _import_id((await _upload(coordinator, csv_file(f"MN-0404,,Course,Academy,{days_ago(3)},1,")))
                          .headers["location"])
    good = _import_id((await _upload(coordinator, GOOD_AND_BAD)).headers["location"])

    preview = await coordinator.get(f"/records/imports/{bad_only}")
    refused = await coordinator.post(f"/records/imports/{bad_only}/start")
    cancelled = await coordinator.post(f"/records/imports/{good}/cancel")

    assert "No row can be imported" in preview.text
    assert refused.status_code == 409 and "There are no valid rows to import" in refused.text
    assert cancelled.status_code == 303 and cancelled.headers["location"] == "/records/imports"
    listing = await coordinator.get("/records/imports")
    assert listing.text.count("Cancelled") == 1 and "Waiting for confirmation" in listing.text
    assert await _count(session_factory, RecordImportRow, RecordImportRow.import_id == good) == 0
    assert (await coordinator.post(f"/records/imports/{good}/start")).status_code == 409
    assert await _count(session_factory, TrainingRecord) == 0


async def test_only_coordinators_import(browsers, demo_org, session_factory):
    await _licensed(session_factory, demo_org)
    coordinator = await browsers("coord1")
    import_id = _import_id((await _upload(coordinator, GOOD_AND_BAD)).headers["location"])

    for username in ("officer1", "sgt1", "chief1"):
        browser = await browsers(username)
        assert (await browser.get("/records/imports")).status_code == 403
        assert (await _upload(browser, GOOD_AND_BAD)).status_code == 403
        assert (await browser.get(f"/records/imports/{import_id}")).status_code == 403
        assert (await browser.post(f"/records/imports/{import_id}/start")).status_code == 403
    assert await _count(session_factory, RecordImport) == 1
    async with session_factory() as session:
        assert (await session.get_one(RecordImport, import_id)).status == ImportStatus.PREVIEW


async def test_another_agencys_import_is_not_found(browsers, demo_org, session_factory):
    outsider = await other_agency_officer(session_factory, "MN-9999")
    async with session_factory() as session, session.begin():
        person = await session.get_one(Person, outsider)
        other = RecordImport(agency_id=person.agency_id, uploaded_by_id=outsider, file_name="theirs.csv",
                             sha256="0" * 64, total_rows=0, valid_rows=0, error_rows=0, imported_rows=0)
        session.add(other)
        await session.flush()
        other_id = other.id
    coordinator = await browsers("coord1")

    assert (await coordinator.get(f"/records/imports/{other_id}")).status_code == 404
    assert (await coordinator.post(f"/records/imports/{other_id}/cancel")).status_code == 404
    assert "theirs.csv" not in (await coordinator.get("/records/imports")).text
    assert await _count(session_factory, AuditEvent, AuditEvent.action == "record_import.view",
                        AuditEvent.outcome == "denied") == 1

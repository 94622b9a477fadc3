"""CSV import of training records at state scale: staging a board export, and importing one batch.

Staging (services.record_import.stage_import, after services.record_import_csv.read_rows) is timed
from the file's bytes against the bare cost of writing the same staged rows with one raw executemany.
A batch (services.record_import_batches.import_batch) is timed against one raw executemany of as
many training_record rows. Every repetition works on fresh rows, and what the benchmarks write is
deleted again (the batch's audit rows aside), so the other rows see the dataset as built.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.dataset import RECORD_DATES, RECORD_HOURS, RECORD_TITLE, DatasetSummary, badge_number, licence_number
from benchmarks.timing import Result, median_ms
from models import ImportStatus, RecordImport, RecordSource
from services.agency_topics import agency_topics
from services.record_import import Upload, stage_import
from services.record_import_batches import import_batch
from services.record_import_csv import FileRefusal, read_rows
from services.training_records import agency_today
from workflows.record_import_types import BATCH_SIZE

STAGED_ROWS = 10_000
BAD_EVERY = 100  # one row in a hundred is wrong, in one of the ways below
HEADER = ["license_number", "badge_number", "course_title", "provider", "course_number", "completed_on", "hours",
          "topics"]
# (course, hours, topic credits): what a board export lists, some with mandated-topic credits.
COURSES = (
    ("Crisis intervention and de-escalation", "8", "crisis_intervention=4;conflict_management=2"),
    ("Autism awareness for patrol", "4", "autism=2"),
    ("Implicit bias in policing", "2", "implicit_bias=1"),
    ("Defensive tactics", "4", ""),
    ("Firearms qualification", "6", ""),
    ("Legal update", "3", ""),
    ("Bias crimes investigation", "2.5", "bias_crimes=2"),
    ("Emergency vehicle operations", "8", ""),
)
PROVIDERS = ("Minnesota POST Academy", "Hennepin Technical College", "Regional Training Center")
STAGING_FILE = "bench-staging.csv"
BATCH_FILE = "bench-batches.csv"

STAGED_ROW_INSERT = ("INSERT INTO record_import_row (import_id, row_number, officer_id, raw, parsed, errors) "
                     "VALUES ($1, $2, $3, $4, $5, $6)")
RECORD_INSERT = ("INSERT INTO training_record (agency_id, officer_id, course_title, provider, course_number, "
                 "started_on, completed_on, hours, source, source_ref, approved_by_id, created_at, updated_at) "
                 "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
BASELINE_REF = "bench-baseline"


def _identify(index: int, officer: int) -> list[str]:
    """Licence number mostly, badge number alone sometimes, both now and then (as exports vary)."""
    kind = index % 20
    if kind < 12:
        return [licence_number(officer), ""]
    if kind < 17:
        return ["", badge_number(officer)]
    return [licence_number(officer), badge_number(officer)]


def _good_row(index: int, officer: int, completed: date) -> list[str]:
    course, hours, topics = COURSES[index % len(COURSES)]
    when = f"{completed:%m/%d/%Y}" if index % 3 == 0 else completed.isoformat()  # US exports write MM/DD/YYYY
    return [*_identify(index, officer), course, PROVIDERS[index % len(PROVIDERS)], f"C-{index % 500:04d}", when,
            hours, topics]


def _bad_row(index: int, officer: int, previous: list[str]) -> list[str]:
    """One of six mistakes: unknown licence, unreadable date, zero hours, unknown topic, a record the
    officer already has, the previous line again."""
    row = list(previous)
    match (index // BAD_EVERY) % 6:
        case 0:
            row[0:2] = ["MN-9999999", ""]
        case 1:
            row[5] = "2024-13-45"
        case 2:
            row[6] = "0"
        case 3:
            row[7] = "basket_weaving=1"
        case 4:
            row = [licence_number(officer), "", RECORD_TITLE, "Academy", "", RECORD_DATES[0].isoformat(),
                   str(RECORD_HOURS), ""]
    return row


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def staging_file(data: DatasetSummary, rows: int, today: date, seed: int = 11) -> bytes:
    """A board export of `rows` records of random officers of the agency, 1 in BAD_EVERY wrong."""
    rng = random.Random(seed)
    lines: list[list[str]] = []
    for index in range(rows):
        officer = rng.choice(data.officer_ids)
        if index % BAD_EVERY == BAD_EVERY - 1:
            lines.append(_bad_row(index, officer, lines[-1]))
        else:
            lines.append(_good_row(index, officer, today - timedelta(days=1 + rng.randrange(700))))
    return _csv(lines)


def batch_file(data: DatasetSummary, rows: int, today: date) -> bytes:
    """`rows` valid records, no two the same: officers in turn, one day earlier each round."""
    officers = data.officer_ids
    return _csv([_good_row(index, officers[index % len(officers)], today - timedelta(days=1 + index // len(officers)))
                 for index in range(rows)])


async def stage_file(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, file_bytes: bytes,
                     file_name: str) -> RecordImport:
    """What the portal's upload does with the bytes: read and check them, stage every row, commit."""
    async with factory() as session, session.begin():
        today = await agency_today(session, data.agency_id)
        topics = (await agency_topics(session, data.agency_id)).codes
        parsed = await asyncio.to_thread(read_rows, file_bytes, today, topics)
        assert not isinstance(parsed, FileRefusal), parsed.message
        upload = Upload(agency_id=data.agency_id, uploaded_by_id=data.chief_id, file_name=file_name,
                        sha256=hashlib.sha256(file_bytes).hexdigest())
        return await stage_import(session, upload, parsed)


async def _execute(factory: async_sessionmaker[AsyncSession], statement: str, params: dict[str, object]) -> None:
    async with factory() as session, session.begin():
        await session.execute(text(statement), params)


def _executemany(factory: async_sessionmaker[AsyncSession], statement: str, rows: list[tuple[object, ...]]
                 ) -> Callable[[], Awaitable[None]]:
    """One executemany of prepared tuples on the driver (asyncpg), in its own transaction."""

    async def run() -> None:
        async with factory() as session, session.begin():
            connection = await session.connection()
            await connection.exec_driver_sql(statement, rows)
    return run


async def _today(factory: async_sessionmaker[AsyncSession], data: DatasetSummary) -> date:
    async with factory() as session:
        return await agency_today(session, data.agency_id)


async def staging_benchmark(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, repeat: int,
                            rows: int = STAGED_ROWS) -> tuple[Result, int]:
    """Stage the file `repeat` times (each import deleted again, untimed) against writing its staged rows;
    also how many of the file's rows staging found wrong."""
    file_bytes = staging_file(data, rows, await _today(factory, data))
    sample = await stage_file(factory, data, file_bytes, STAGING_FILE)
    async with factory() as session:
        # The staged rows exactly as the service wrote them: the baseline writes the same values.
        staged = [tuple(row) for row in await session.execute(text(
            "SELECT row_number, officer_id, raw::text, parsed::text, errors::text FROM record_import_row "
            "WHERE import_id = :id ORDER BY row_number"), {"id": sample.id})]
    assert len(staged) == rows and sample.error_rows < rows // 50, (len(staged), sample.error_rows)
    drop_staged = "DELETE FROM record_import WHERE file_name = :name AND agency_id = :agency"  # rows cascade
    staged_imports = {"name": STAGING_FILE, "agency": data.agency_id}
    await _execute(factory, drop_staged, staged_imports)

    async def stage() -> object:
        return await stage_file(factory, data, file_bytes, STAGING_FILE)

    subject = await median_ms(stage, repeat, lambda: _execute(factory, drop_staged, staged_imports))

    async with factory() as session, session.begin():
        holder = RecordImport(agency_id=data.agency_id, uploaded_by_id=data.chief_id, file_name=STAGING_FILE,
                              sha256="0" * 64, status=ImportStatus.CANCELLED, total_rows=rows, valid_rows=0,
                              error_rows=0, imported_rows=0)
        session.add(holder)
    prepared: list[tuple[object, ...]] = [(holder.id, *row) for row in staged]
    baseline = await median_ms(
        _executemany(factory, STAGED_ROW_INSERT, prepared), repeat,
        lambda: _execute(factory, "DELETE FROM record_import_row WHERE import_id = :id", {"id": holder.id}))
    await _execute(factory, drop_staged, staged_imports)
    result = Result(f"CSV import: check and stage {rows:,} rows",
                    "read_rows + stage_import from the file's bytes (officer lookups, duplicate checks, inserts)",
                    "the same staged rows by hand: one raw executemany", subject, baseline, rows=rows)
    return result, sample.error_rows


async def batch_benchmark(factory: async_sessionmaker[AsyncSession], data: DatasetSummary, repeat: int,
                          size: int = BATCH_SIZE) -> Result:
    """Import `size` fresh staged rows per repetition against one raw executemany of `size` records."""
    today = await _today(factory, data)
    staged = await stage_file(factory, data, batch_file(data, size * (repeat + 1), today), BATCH_FILE)
    assert staged.error_rows == 0, staged.error_rows
    async with factory() as session, session.begin():
        # As start_import would, without queueing the workflow: the benchmark runs the batches itself.
        record_import = await session.get_one(RecordImport, staged.id)
        record_import.status = ImportStatus.IMPORTING

    async def batch() -> object:
        async with factory() as session, session.begin():
            outcome = await import_batch(session, staged.id, size)
        assert outcome.imported == size, outcome
        return outcome

    subject = await median_ms(batch, repeat)
    await _execute(factory, "DELETE FROM training_record WHERE id IN "
                   "(SELECT record_id FROM record_import_row WHERE import_id = :id)", {"id": staged.id})
    await _execute(factory, "DELETE FROM record_import WHERE id = :id", {"id": staged.id})

    now = datetime.now(UTC)
    prepared: list[tuple[object, ...]] = []
    for index in range(size):
        course, hours, _ = COURSES[index % len(COURSES)]
        officer = data.officer_ids[index % len(data.officer_ids)]
        prepared.append((data.agency_id, officer, course, PROVIDERS[index % len(PROVIDERS)], f"C-{index:04d}", None,
                         today - timedelta(days=1), Decimal(hours), RecordSource.BULK_IMPORT.value,
                         f"{BASELINE_REF}/row {index}", data.chief_id, now, now))
    baseline = await median_ms(
        _executemany(factory, RECORD_INSERT, prepared), repeat,
        lambda: _execute(factory, "DELETE FROM training_record WHERE source_ref LIKE :ref",
                         {"ref": f"{BASELINE_REF}/%"}))
    return Result(f"CSV import: one batch of {size} rows",
                  "import_batch: records, credits, rows marked, audit row (one transaction)",
                  f"{size} training_record rows by hand: one raw executemany", subject, baseline, rows=size)

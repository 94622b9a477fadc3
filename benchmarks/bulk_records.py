"""Training records at state scale: R records per officer, with topic credits, loaded with PostgreSQL COPY.

`make bench BENCH_ARGS=--state-scale` asks for 120,000 officers x 100 records (12,000,000 records). Rows are
drawn from the officer id and the record's position, so every run writes the same rows. The first three of
each officer are the annual in-service course on benchmarks/dataset.RECORD_DATES, so the CSV import rows find
their duplicates as before. Secondary indexes are dropped for the load and rebuilt after it (one sort each,
far cheaper than maintaining them row by row), and foreign-key triggers are off for the load's session
(session_replication_role = replica): the ids written are those of rows the same run created.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.dataset import RECORD_DATES, RECORD_HOURS, RECORD_TITLE, TOPICS

_CHUNK = 100_000  # records per COPY call: bounded Python memory whatever the scale
_RECORD_COLUMNS = ("id", "agency_id", "officer_id", "course_title", "provider", "course_number", "started_on",
                   "completed_on", "hours", "source", "source_ref", "approved_by_id", "created_at", "updated_at")
_COURSES = ("Firearms qualification", "Use of force update", "Legal update", "Emergency vehicle operations",
            "De-escalation", "First aid and CPR", "Report writing", "Patrol procedures")
_TOPIC_CODES = tuple(TOPICS)
_SPREAD_START, _SPREAD_DAYS = date(2023, 7, 1), 1_250  # completion dates across the current and last cycle
_HOURS = tuple(Decimal(h) for h in ("2", "4", "6", "8"))


@dataclass(frozen=True)
class LoadedRecords:
    records: int
    credits: int
    seconds: float  # COPY, index rebuild and ANALYZE, wall clock


def _rows(officer_ids: Sequence[int], per_officer: int, first_id: int, now: datetime
          ) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...] | None]]:
    """(record, credit or None) for each record; every other course credits one mandated topic."""
    record_id = first_id
    for officer in officer_ids:
        for k in range(per_officer):
            if k < len(RECORD_DATES):
                title, completed, hours = RECORD_TITLE, RECORD_DATES[k], RECORD_HOURS
            else:
                title = _COURSES[(officer + k) % len(_COURSES)]
                completed = _SPREAD_START + timedelta(days=(officer * 7 + k * 37) % _SPREAD_DAYS)
                hours = _HOURS[(officer + k) % len(_HOURS)]
            record = (record_id, 1, officer, title, "Academy", None, None, completed, hours, "seed", None, None,
                      now, now)
            credit = ((record_id, _TOPIC_CODES[(officer + k) % len(_TOPIC_CODES)], Decimal(2))
                      if k % 2 == 1 else None)
            yield record, credit
            record_id += 1


async def _secondary_indexes(conn: Any, table: str) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = $1 AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", table)
    return [(row["indexname"], row["indexdef"]) for row in rows]


async def copy_records(engine: AsyncEngine, officer_ids: Sequence[int], per_officer: int) -> LoadedRecords:
    """COPY per_officer records (and their credits) for each officer into an empty training_record."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    records = credits = 0
    async with engine.connect() as sa_conn:
        raw = await sa_conn.get_raw_connection()
        conn: Any = raw.driver_connection
        await conn.execute("SET session_replication_role = replica")
        dropped = [*await _secondary_indexes(conn, "training_record"),
                   *await _secondary_indexes(conn, "training_record_credit")]
        async with conn.transaction():
            for name, _ in dropped:
                await conn.execute(f'DROP INDEX "{name}"')  # names read from pg_indexes above
            batch: list[tuple[Any, ...]] = []
            credit_batch: list[tuple[Any, ...]] = []
            for record, credit in _rows(officer_ids, per_officer, 1, now):
                batch.append(record)
                if credit is not None:
                    credit_batch.append(credit)
                if len(batch) >= _CHUNK:
                    records, credits = await _flush(conn, batch, credit_batch, records, credits)
            records, credits = await _flush(conn, batch, credit_batch, records, credits)
            for _, definition in dropped:
                await conn.execute(definition)
        await conn.execute("SET session_replication_role = DEFAULT")
        await conn.execute("ANALYZE training_record")
        await conn.execute("ANALYZE training_record_credit")
        await sa_conn.execute(text(
            "SELECT setval(pg_get_serial_sequence('training_record', 'id'), (SELECT max(id) FROM training_record))"))
        await sa_conn.commit()
    return LoadedRecords(records, credits, time.perf_counter() - started)


async def _flush(conn: Any, batch: list[tuple[Any, ...]], credit_batch: list[tuple[Any, ...]], records: int,
                 credits: int) -> tuple[int, int]:
    if batch:
        await conn.copy_records_to_table("training_record", records=batch, columns=_RECORD_COLUMNS)
    if credit_batch:
        await conn.copy_records_to_table("training_record_credit", records=credit_batch,
                                         columns=("record_id", "topic_code", "credits"))
    done = records + len(batch), credits + len(credit_batch)
    batch.clear()
    credit_batch.clear()
    return done

"""Database side of the daily compliance refresh: store a batch of evaluations, then the day's snapshot."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from services.compliance_status import EvaluationDay, local_days, refresh_page, take_local_snapshots, take_snapshot
from workflows.compliance_refresh_types import RefreshBatch, RefreshBatchResult, SnapshotCounts, SnapshotDay


class ComplianceRefreshActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @activity.defn(name="refresh_compliance_batch")
    async def refresh_batch(self, batch: RefreshBatch) -> RefreshBatchResult:
        """Evaluate and store the next batch of people in one transaction, each on their agency's date at the
        run's instant (or everyone on `on` when no instant is given); a retry redoes the same batch and
        stores the same rows."""
        async with self._sessions() as session, session.begin():
            on: EvaluationDay = date.fromisoformat(batch.on)
            if batch.at is not None:
                on = await local_days(session, datetime.fromisoformat(batch.at))  # the agencies' zones, once
            last = await refresh_page(session, batch.after_officer_id, batch.limit, on)
        return RefreshBatchResult(next_after_officer_id=last)

    @activity.defn(name="take_compliance_snapshot")
    async def take_snapshot(self, day: SnapshotDay) -> SnapshotCounts:
        """Replace the day's snapshot rows with counts from the stored rows (safe to retry or re-run), each
        agency's dated by its own date at the run's instant when one is given."""
        async with self._sessions() as session, session.begin():
            if day.at is not None:
                counts, topics = await take_local_snapshots(session, datetime.fromisoformat(day.at))
            else:
                counts, topics = await take_snapshot(session, date.fromisoformat(day.day))
        return SnapshotCounts(counts=counts, topics=topics)

"""The agency's work waiting on people: open tasks by age, and the reminders and escalations sent.

Both are counted in SQL, one statement each, whatever the agency's size (see services/agency_compliance.py
for the compliance counts the same pages show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, case, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    CertificateEvent,
    CertificateSubmission,
    RecordErrorReport,
    RecordReportEvent,
    RequestEvent,
    Task,
    TaskKind,
    TaskStatus,
    TrainingRequest,
)

QUEUE_LABELS = {
    TaskKind.COMPLIANCE_CASE: "Overdue cases (cycle ended with requirements unmet)",
    TaskKind.APPROVE_TRAINING_REQUEST: "Training requests awaiting approval",
    TaskKind.REVIEW_CERTIFICATE: "Certificates awaiting review",
    TaskKind.RESOLVE_RECORD_REPORT: "Record error reports awaiting a coordinator",
}
# Ages at which a waiting task moves to the next band, in days.
AGE_BANDS = (7, 30, 90)


@dataclass(frozen=True)
class QueueRow:
    """Open tasks of one kind: how many, the oldest, and how many have waited how long."""

    kind: str
    label: str
    open: int
    oldest_opened_at: datetime | None
    under_7_days: int
    days_7_to_29: int
    days_30_to_89: int
    days_90_or_more: int

    def oldest_age_days(self, now: datetime) -> int | None:
        return None if self.oldest_opened_at is None else (now - self.oldest_opened_at).days


async def work_queues(session: AsyncSession, agency_id: int, now: datetime) -> list[QueueRow]:
    """Every open task of the kinds in QUEUE_LABELS, counted by age in one statement."""
    week, month, quarter = (now - timedelta(days=days) for days in AGE_BANDS)
    created = Task.created_at
    bands = [
        func.sum(case((created > week, 1), else_=0)),
        func.sum(case((and_(created <= week, created > month), 1), else_=0)),
        func.sum(case((and_(created <= month, created > quarter), 1), else_=0)),
        func.sum(case((created <= quarter, 1), else_=0)),
    ]
    rows = await session.execute(
        select(Task.kind, func.count(Task.id), func.min(created), *bands)
        .where(Task.agency_id == agency_id, Task.status == TaskStatus.OPEN, Task.kind.in_(list(QUEUE_LABELS)))
        .group_by(Task.kind)
    )
    found = {row[0]: row for row in rows}
    result = []
    for kind, label in QUEUE_LABELS.items():
        row = found.get(kind)
        numbers = [int(value or 0) for value in row[3:]] if row else [0, 0, 0, 0]
        result.append(QueueRow(kind, label, int(row[1]) if row else 0, row[2] if row else None, *numbers))
    return result


@dataclass(frozen=True)
class SentRow:
    """Reminders and escalations one kind of workflow sent in a period."""

    source: str
    label: str
    reminded: int
    escalated: int


SENT_SOURCES = {
    "training_requests": "Training request approvals",
    "certificate_reviews": "Certificate reviews",
    "record_reports": "Record error reports",
}
SENT_KINDS = ("reminded", "escalated")


async def reminders_and_escalations(session: AsyncSession, agency_id: int, since: datetime, until: datetime
                                    ) -> list[SentRow]:
    """Reminders and escalations recorded in [since, until), by the workflow that sent them: one statement
    over the three timelines (training requests, certificate reviews, record reports)."""
    timelines = (
        ("training_requests", RequestEvent, RequestEvent.request_id, TrainingRequest),
        ("certificate_reviews", CertificateEvent, CertificateEvent.submission_id, CertificateSubmission),
        ("record_reports", RecordReportEvent, RecordReportEvent.report_id, RecordErrorReport),
    )
    parts = [
        select(literal_column(f"'{source}'", String).label("source"), event.kind.label("kind"),
               func.count(event.id).label("sent"))
        .join(subject, subject.id == subject_id)
        .where(subject.agency_id == agency_id, event.kind.in_(SENT_KINDS), event.created_at >= since,
               event.created_at < until)
        .group_by(event.kind)
        for source, event, subject_id, subject in timelines
    ]
    counts = {(row.source, row.kind): int(row.sent) for row in await session.execute(union_all(*parts))}
    return [SentRow(source, label, counts.get((source, "reminded"), 0), counts.get((source, "escalated"), 0))
            for source, label in SENT_SOURCES.items()]

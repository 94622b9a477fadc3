"""Writing the monthly summaries: one notification per command officer and month, mailed afterwards.

Each summary is a notification row (never listed in-app, like the weekly digest) keyed
`monthly-summary:{person}:{month}`. The key makes a month's summary exist once however often the batch is
retried or the workflow re-run, and the mail's Message-ID derives from it like every other Muster mail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notifications import people_with_role
from models import Agency, EmailState, Notification, Person
from services.monthly_summary import agency_summary, summary_body, summary_subject
from services.notification_preferences import MONTHLY_SUMMARY_ROLE, preferences_for
from settings import Settings
from workflows.monthly_summary_types import SummaryBatch, SummaryBatchResult

AGENCY_LINK = "/agency"


def summary_key(person_id: int, month: str) -> str:
    return f"monthly-summary:{person_id}:{month}"


class MonthlySummaryActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    @activity.defn(name="write_monthly_summaries")
    async def write_summaries(self, batch: SummaryBatch) -> SummaryBatchResult:
        """Write the month's summary for the command staff of the next `limit` agencies; safe to retry.

        Returns the summaries still to mail: new ones, and any an earlier attempt wrote but did not send.
        """
        async with self._sessions() as session:
            agencies = list(await session.scalars(
                select(Agency.id).where(Agency.id > batch.after_agency_id).order_by(Agency.id).limit(batch.limit)))
        pending: list[int] = []
        for agency_id in agencies:
            pending.extend(await self._write_agency(agency_id, batch))
            activity.heartbeat(agency_id)
        more = len(agencies) == batch.limit
        return SummaryBatchResult(notification_ids=pending, next_after_agency_id=agencies[-1] if more else None)

    async def _write_agency(self, agency_id: int, batch: SummaryBatch) -> list[int]:
        async with self._sessions() as session, session.begin():
            readers = await _readers(session, agency_id)
            keys = {summary_key(person.id, batch.month): person for person in readers}
            written = {row.key: row for row in await session.scalars(
                select(Notification).where(Notification.key.in_(list(keys))))} if keys else {}
            new = [person for key, person in keys.items() if key not in written]
            if new:
                summary = await agency_summary(session, agency_id, batch.month, datetime.fromisoformat(batch.as_of))
                for person in new:
                    row = Notification(
                        key=summary_key(person.id, batch.month), person_id=person.id,
                        subject=summary_subject(summary),
                        body=summary_body(summary, person.first_name, self._settings.public_url),
                        link=AGENCY_LINK, in_app=False, email_to=person.email, email_state=EmailState.PENDING,
                    )
                    session.add(row)
                    written[row.key] = row
                await session.flush()
            return sorted(row.id for row in written.values() if row.email_pending)


async def _readers(session: AsyncSession, agency_id: int) -> list[Person]:
    """The agency's command staff with an active account, an email address, and the summary wanted."""
    person_ids = sorted(set(await people_with_role(session, agency_id, MONTHLY_SUMMARY_ROLE)))
    people = await session.scalars(select(Person).where(Person.id.in_(person_ids)).order_by(Person.id))
    return [person for person in people
            if person.email and (await preferences_for(session, person.id)).wants_monthly_summary]

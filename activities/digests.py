"""The weekly digest: one email per person listing the notifications that waited for it.

Each digest is itself a notification row (never listed in-app) keyed `digest:{person}:{week}`.
That key makes a week's digest exist once however often the batch is retried or the workflow
re-run, and the mail's Message-ID derives from it like every other Muster mail. Writing the
digest and marking its items IN_DIGEST happen in one transaction, so an item is never in two
digests; the mail goes out afterwards and is retried until sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notifications import deliver_email
from compliance.wording import format_date
from models import EmailState, Notification, NotificationPreference, Person
from services.notification_preferences import preferences_for
from services.time_zones import agency_time_zone
from settings import Settings


@dataclass
class DigestBatch:
    week: str  # ISO week the digests belong to, e.g. "2026-W48"
    after_person_id: int = 0  # cursor: people are taken in id order after this one
    size: int = 500


@dataclass
class DigestBatchResult:
    next_after_person_id: int | None  # None once the last person has been handled
    digests: int


def digest_subject(count: int) -> str:
    return f"[Muster] Your weekly summary: {count} update{'' if count == 1 else 's'}"


def digest_body(person: Person, items: list[Notification], public_url: str, zone: tzinfo) -> str:
    """The digest's text; each item is dated on the reader's agency calendar, in words."""
    lines = [f"Hello {person.first_name},", "", "Here is what happened in Muster since your last summary:", ""]
    for number, item in enumerate(items, start=1):
        day = format_date(item.created_at.astimezone(zone).date())
        lines.append(f"{number}. {item.subject.removeprefix('[Muster] ')} ({day})")
        lines.extend(f"   {line}" if line else "" for line in item.body.splitlines())
        lines.append("")
    lines.append(f"You get one summary a week. To change that: {public_url}/account/notifications")
    return "\n".join(lines)


class DigestActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    @activity.defn
    async def send_weekly_digests(self, batch: DigestBatch) -> DigestBatchResult:
        """Send this week's digest to the next `size` people; safe to retry (one digest per person and week).

        Only people with a preference row can have mail waiting for a digest (no row means
        immediate mail), so the batch pages through that table's primary key, not all officers.
        """
        async with self._sessions() as session:
            people = list(await session.scalars(
                select(NotificationPreference.person_id)
                .where(NotificationPreference.person_id > batch.after_person_id)
                .order_by(NotificationPreference.person_id)
                .limit(batch.size)
            ))
            waiting = set(await session.scalars(
                select(Notification.person_id).distinct()
                .where(Notification.person_id.in_(people), Notification.email_state == EmailState.DIGEST)
            )) if people else set()
            already = set(await session.scalars(
                select(Notification.person_id)
                .where(Notification.key.in_([_key(person_id, batch.week) for person_id in people]))
            )) if people else set()
        digests = 0
        for person_id in sorted(waiting | already):
            digest_id = await self._write_digest(person_id, batch.week)
            if digest_id is not None:
                await deliver_email(self._sessions, self._settings, digest_id)
                digests += 1
            activity.heartbeat(person_id)
        more = len(people) == batch.size
        return DigestBatchResult(next_after_person_id=people[-1] if more else None, digests=digests)

    async def _write_digest(self, person_id: int, week: str) -> int | None:
        """This week's digest row (written now if new); None when there is nothing to mail."""
        async with self._sessions() as session, session.begin():
            existing = await session.scalar(select(Notification).where(Notification.key == _key(person_id, week)))
            if existing is not None:
                return existing.id  # a retry: mail it if it is still pending; later items wait a week
            items = list(await session.scalars(
                select(Notification)
                .where(Notification.person_id == person_id, Notification.email_state == EmailState.DIGEST)
                .order_by(Notification.created_at, Notification.id)
            ))
            if not items:
                return None
            person = await session.get_one(Person, person_id)
            if not person.email or not (await preferences_for(session, person_id)).email:
                for item in items:  # email was switched off since: nothing to send
                    item.email_state = EmailState.NOT_REQUESTED
                return None
            digest = Notification(
                key=_key(person_id, week), person_id=person_id, subject=digest_subject(len(items)),
                body=digest_body(person, items, self._settings.public_url,
                                 await agency_time_zone(session, person.agency_id)),
                link=None, in_app=False,
                email_to=person.email, email_state=EmailState.PENDING,
            )
            session.add(digest)
            for item in items:
                item.email_state = EmailState.IN_DIGEST
            await session.flush()
            return digest.id


def _key(person_id: int, week: str) -> str:
    return f"digest:{person_id}:{week}"

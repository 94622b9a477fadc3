"""In-app notifications and their email delivery."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.mail import send_email
from activities.request_messages import RequestMessageContext, compose, summarise
from models import EmailState, Notification, Person, Role, TrainingRequest, UserAccount, UserRole, utcnow
from models.notifications import SUMMARY_LIMIT
from services.notification_preferences import Preferences, preferences_for
from settings import Settings


@dataclass
class NotifyInput:
    key: str
    request_id: int
    event: str
    person_ids: list[int]
    coordinators: bool = False
    actor_id: int | None = None
    assignee_id: int | None = None
    comment: str | None = None


async def add_notification(
    session: AsyncSession,
    settings: Settings,
    *,
    key: str,
    person_id: int,
    subject: str,
    body: str,
    link: str | None,
    title: str | None = None,
    summary: str | None = None,
    urgent: bool = False,
) -> Notification:
    """The notification with this key, created if new: a retried activity writes it once.

    The mail is `subject` and `body` in full; the in-app list shows `title`, the one-sentence `summary` and
    `link` (without them it falls back to the subject and the body's first sentence).

    The person's preferences apply here, and only here. With in-app notifications off the row is
    still written (it is the record, and the key keeps retries idempotent) but never listed. A
    weekly-digest reader's mail waits for the digest, unless it is `urgent` (a deadline days away,
    a compliance case): that goes out at once. Links in the mail are absolute (settings.public_url);
    the in-app link stays relative.
    """
    existing = await session.scalar(select(Notification).where(Notification.key == key))
    if existing is not None:
        return existing
    person = await session.get_one(Person, person_id)
    preferences = await preferences_for(session, person_id)
    if link and settings.public_url not in body:
        body = f"{body}\n\nOpen Muster: {settings.public_url}{link}"
    notification = Notification(
        key=key,
        person_id=person_id,
        subject=subject,
        body=body,
        title=title[:200] if title else None,
        summary=summary[:SUMMARY_LIMIT] if summary else None,
        link=link,
        in_app=preferences.in_app,
        email_to=person.email or None,
        email_state=_email_state(person, preferences, urgent),
    )
    session.add(notification)
    await session.flush()
    return notification


def _email_state(person: Person, preferences: Preferences, urgent: bool) -> EmailState:
    if not person.email or not preferences.email:
        return EmailState.NOT_REQUESTED
    if preferences.weekly_digest and not urgent:
        return EmailState.DIGEST
    return EmailState.PENDING


def message_id_for(notification_key: str) -> str:
    digest = hashlib.sha256(notification_key.encode()).hexdigest()[:40]
    return f"<{digest}@muster>"


class NotificationActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    @activity.defn
    async def create_request_notifications(self, notify: NotifyInput) -> list[int]:
        """Write one notification per recipient (idempotent by key); return those still to email."""
        async with self._sessions() as session, session.begin():
            request = await session.get_one(TrainingRequest, notify.request_id)
            recipient_ids = set(notify.person_ids)
            if notify.coordinators:
                recipient_ids |= set(await coordinator_ids(session, request.agency_id))
            recipient_ids.discard(notify.actor_id)  # nobody needs mail about their own click
            names = await _names(session, {request.officer_id, notify.actor_id, notify.assignee_id})
            pending: list[int] = []
            for person_id in sorted(recipient_ids):
                notification = await self._create(
                    session, f"{notify.key}:{notify.event}:{person_id}", person_id, request, notify, names
                )
                if notification.email_pending:
                    pending.append(notification.id)
            return pending

    async def _create(
        self,
        session: AsyncSession,
        key: str,
        person_id: int,
        request: TrainingRequest,
        notify: NotifyInput,
        names: dict[int, str],
    ) -> Notification:
        link = f"/requests/{request.id}"
        context = RequestMessageContext(
            request_id=request.id,
            title=request.title,
            officer_name=names[request.officer_id],
            recipient_is_officer=person_id == request.officer_id,
            actor_name=names.get(notify.actor_id) if notify.actor_id else None,
            assignee_name=names.get(notify.assignee_id) if notify.assignee_id else None,
            comment=notify.comment,
            link=f"{self._settings.public_url}{link}",
        )
        subject, body = compose(notify.event, context)
        title, summary = summarise(notify.event, context)
        return await add_notification(session, self._settings, key=key, person_id=person_id, subject=subject,
                                      body=body, link=link, title=title, summary=summary)

    @activity.defn
    async def send_notification_email(self, notification_id: int) -> None:
        await deliver_email(self._sessions, self._settings, notification_id)


async def deliver_email(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, notification_id: int
) -> None:
    """Email a notification still pending, then record it sent (the weekly digest uses this too)."""
    async with sessions() as session:
        notification = await session.get_one(Notification, notification_id)
        if notification.email_state != EmailState.PENDING or not notification.email_to:
            return
        to, subject, body, key = (notification.email_to, notification.subject,
                                  notification.body, notification.key)
    await send_email(settings, to=to, subject=subject, body=body, message_id=message_id_for(key))
    async with sessions() as session, session.begin():
        sent = await session.get_one(Notification, notification_id)
        sent.email_state = EmailState.SENT
        sent.email_sent_at = utcnow()
        sent.email_attempts += 1


async def people_with_role(session: AsyncSession, agency_id: int, role: Role) -> list[int]:
    """Person ids of the agency's active accounts holding `role` (who a queue's notices go to)."""
    rows = await session.scalars(
        select(UserAccount.person_id)
        .join(UserRole, UserRole.user_id == UserAccount.id)
        .where(
            UserAccount.agency_id == agency_id,
            UserAccount.is_active,
            UserRole.role == role,
            UserAccount.person_id.is_not(None),
        )
    )
    return [person_id for person_id in rows if person_id is not None]


async def coordinator_ids(session: AsyncSession, agency_id: int) -> list[int]:
    return await people_with_role(session, agency_id, Role.COORDINATOR)


async def admin_ids(session: AsyncSession, agency_id: int) -> list[int]:
    return await people_with_role(session, agency_id, Role.ADMIN)


async def _names(session: AsyncSession, person_ids: set[int | None]) -> dict[int, str]:
    wanted = [pid for pid in person_ids if pid is not None]
    people = await session.scalars(select(Person).where(Person.id.in_(wanted)))
    return {person.id: person.display_name for person in people}

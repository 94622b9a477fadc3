"""Database side of the certificate-review workflow: read the plan, record each step, notify.

Every write is keyed on (workflow id, step number), so an activity retried after a crash or a lost
response writes nothing twice; the training record is keyed on its source_ref as well, so one
submission never becomes two records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.notifications import add_notification, admin_ids, coordinator_ids
from compliance.records import record_problem
from compliance.wording import format_amount
from models import (
    Agency,
    CertificateCredit,
    CertificateEvent,
    CertificateStatus,
    CertificateSubmission,
    CertificateVersion,
    Person,
    RecordSource,
    Task,
    TaskKind,
    TaskQueue,
    TaskStatus,
    TrainingRecord,
    TrainingRecordCredit,
    VersionOutcome,
    certificate_source_ref,
    utcnow,
)
from models.notifications import SUBJECT_PREFIX, first_sentence
from services.audit import record_workflow_audit
from services.business_calendar import load_business_calendar
from services.licensing import tell_cycle_changed
from settings import Settings
from workflows.business_days import business_days_text
from workflows.certificate_review_types import ESCALATION_BUSINESS_DAYS, REMINDER_BUSINESS_DAYS, ReviewPlan

SUBJECT_TYPE = "certificate_submission"
_OPENS_TASK = {"submitted", "new_version"}
_CLOSES_TASK = {"approved", "rejected"}


@dataclass
class ReviewStep:
    submission_id: int
    workflow_id: str
    seq: int
    event: str  # submitted, new_version, reminded, escalated, approved, rejected
    version: int
    actor_id: int | None = None
    reason: str | None = None
    source: str | None = None
    credited_hours: str | None = None
    credited_credits: dict[str, str] | None = None
    due_at_iso: str | None = None

    @property
    def key(self) -> str:
        return f"{self.workflow_id}:{self.seq}"


@dataclass
class ReviewNotice:
    key: str
    submission_id: int
    event: str
    to_officer: bool = False
    to_coordinators: bool = False
    to_admins: bool = False
    actor_id: int | None = None
    reason: str | None = None
    extra_person_ids: list[int] = field(default_factory=list)
    # For "reminded" and "escalated": how long it has waited (notices recorded before this field was
    # added used the fixed periods).
    waited_business_days: int | None = None


class CertificateActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], client: Client, settings: Settings) -> None:
        self._sessions = session_factory
        self._client = client
        self._settings = settings

    def all(self) -> list[Callable[..., Any]]:
        """Every activity of the review, for the worker."""
        return [self.load_review_plan, self.record_step, self.notify, self.tell_cycle]

    @activity.defn(name="load_certificate_review_plan")
    async def load_review_plan(self, submission_id: int) -> ReviewPlan:
        async with self._sessions() as session:
            submission = await session.get(CertificateSubmission, submission_id)
            if submission is None:
                raise ApplicationError(f"certificate submission {submission_id} does not exist", non_retryable=True)
            version = await _version(session, submission.id, submission.current_version)
            credits = {credit.topic_code: format_amount(credit.credits) for credit in await _credits(session, version)}
            agency = await session.get_one(Agency, submission.agency_id)
            return ReviewPlan(
                submission_id=submission.id,
                agency_id=submission.agency_id,
                officer_id=submission.officer_id,
                version=version.version,
                claimed_hours=format_amount(version.hours),
                claimed_credits=credits,
                reminder_business_days=agency.certificate_reminder_business_days,
                escalation_business_days=agency.certificate_escalation_business_days,
                calendar=await load_business_calendar(session, agency, utcnow()),
            )

    @activity.defn(name="record_certificate_review_step")
    async def record_step(self, step: ReviewStep) -> None:
        async with self._sessions() as session, session.begin():
            if await session.scalar(select(CertificateEvent.id).where(CertificateEvent.key == step.key)):
                return
            submission = await session.get_one(CertificateSubmission, step.submission_id, with_for_update=True)
            version = await _version(session, submission.id, step.version)
            now = utcnow()
            if step.event in _CLOSES_TASK:
                await _close_tasks(session, submission.id, step.actor_id, now)
                version.outcome = VersionOutcome(step.event).value
                version.reviewed_by_id = step.actor_id
                version.reviewed_at = now
                version.review_reason = step.reason or None
                submission.decided_at = now
            if step.event == "approved":
                record = await _record_once(session, submission, version, step)
                version.credited_hours = record.hours
                submission.record_id = record.id
                submission.status = CertificateStatus.APPROVED
            elif step.event == "rejected":
                submission.status = CertificateStatus.REJECTED
            elif step.event in _OPENS_TASK:
                submission.status = CertificateStatus.AWAITING_REVIEW
                session.add(_new_task(submission, step))
            elif step.event == "reminded":
                await session.execute(
                    update(Task)
                    .where(Task.subject_type == SUBJECT_TYPE, Task.subject_id == submission.id,
                           Task.status == TaskStatus.OPEN)
                    .values(reminded_at=now)
                )
            session.add(CertificateEvent(key=step.key, submission_id=submission.id, version=step.version,
                                         kind=step.event, actor_id=step.actor_id, comment=step.reason or None,
                                         created_at=now))
            await _audit(session, submission, step)

    @activity.defn(name="notify_certificate_review")
    async def notify(self, notice: ReviewNotice) -> list[int]:
        """One notification per recipient (idempotent by key); returns those whose email is due now."""
        async with self._sessions() as session, session.begin():
            submission = await session.get_one(CertificateSubmission, notice.submission_id)
            version = await _version(session, submission.id, submission.current_version)
            officer = await session.get_one(Person, submission.officer_id)
            recipients = set(notice.extra_person_ids)
            if notice.to_officer:
                recipients.add(submission.officer_id)
            reviewers = set(await coordinator_ids(session, submission.agency_id))
            if notice.to_coordinators:
                recipients |= reviewers
            if notice.to_admins:
                recipients |= set(await admin_ids(session, submission.agency_id))
            recipients.discard(notice.actor_id)  # nobody needs mail about their own click
            pending: list[int] = []
            for person_id in sorted(recipients):
                to_officer = person_id == submission.officer_id
                subject, body = _message(notice, version.course_title, officer.display_name, to_officer)
                notification = await add_notification(
                    session, self._settings, key=f"{notice.key}:{notice.event}:{person_id}", person_id=person_id,
                    subject=subject, body=body, link=_link(person_id, submission.officer_id, reviewers),
                    title=subject.removeprefix(SUBJECT_PREFIX), summary=first_sentence(body),
                    urgent=notice.event == "escalated",
                )
                if notification.email_pending:
                    pending.append(notification.id)
            return pending

    @activity.defn(name="tell_licensing_cycle_certificate_approved")
    async def tell_cycle(self, officer_id: int) -> bool:
        # Best-effort: a missing cycle workflow must not fail the review (it re-evaluates on waking).
        return await tell_cycle_changed(self._client, officer_id, self._settings.workflow_id_prefix)


def _link(person_id: int, officer_id: int, reviewers: set[int]) -> str:
    """The page each reader can open: the officer's certificates, the review queue, else the officer's dashboard
    (an administrator told of an overdue review does not review, but may see the officer)."""
    if person_id == officer_id:
        return "/certificates"
    return "/certificates/review" if person_id in reviewers else f"/officers/{officer_id}/dashboard"


def _message(notice: ReviewNotice, title: str, officer_name: str, to_officer: bool) -> tuple[str, str]:
    reason = f"\n\nReason: {notice.reason}" if notice.reason else ""
    if notice.event == "approved":
        return (f"[Muster] Certificate approved: {title}",
                f"Your certificate for {title} was approved and added to your training history.{reason}")
    if notice.event == "rejected":
        return (f"[Muster] Certificate not accepted: {title}",
                f"Your certificate for {title} was not accepted.{reason}\n\n"
                "You can upload a corrected version from your certificates page.")
    if notice.event == "reminded":
        days = notice.waited_business_days or REMINDER_BUSINESS_DAYS
        return (f"[Muster] Reminder: a certificate is waiting for review: {title}",
                f"{officer_name}'s certificate for {title} has waited {business_days_text(days)} for review.")
    if notice.event == "escalated":
        days = notice.waited_business_days or ESCALATION_BUSINESS_DAYS
        return (f"[Muster] Certificate review overdue: {title}",
                f"{officer_name}'s certificate for {title} has not been reviewed within {business_days_text(days)}.")
    what = "A corrected certificate" if notice.event == "new_version" else "A certificate"
    return (f"[Muster] {what} to review: {title}",
            f"{what} from {officer_name} for {title} is waiting in the certificate review queue.")


async def _version(session: AsyncSession, submission_id: int, number: int) -> CertificateVersion:
    version = await session.scalar(
        select(CertificateVersion).where(CertificateVersion.submission_id == submission_id,
                                         CertificateVersion.version == number)
    )
    if version is None:
        raise ApplicationError(f"certificate {submission_id} has no version {number}", non_retryable=True)
    return version


async def _credits(session: AsyncSession, version: CertificateVersion) -> list[CertificateCredit]:
    return list(await session.scalars(select(CertificateCredit).where(CertificateCredit.version_id == version.id)))


async def _close_tasks(session: AsyncSession, submission_id: int, actor_id: int | None, now: datetime) -> None:
    await session.execute(
        update(Task)
        .where(Task.subject_type == SUBJECT_TYPE, Task.subject_id == submission_id, Task.status == TaskStatus.OPEN)
        .values(status=TaskStatus.DONE, closed_at=now, closed_by_id=actor_id)
    )


def _new_task(submission: CertificateSubmission, step: ReviewStep) -> Task:
    return Task(
        key=step.key,
        agency_id=submission.agency_id,
        kind=TaskKind.REVIEW_CERTIFICATE,
        subject_type=SUBJECT_TYPE,
        subject_id=submission.id,
        workflow_id=step.workflow_id,
        queue=TaskQueue.COORDINATORS,
        due_at=datetime.fromisoformat(step.due_at_iso) if step.due_at_iso else None,
    )


async def _record_once(session: AsyncSession, submission: CertificateSubmission, version: CertificateVersion,
                       step: ReviewStep) -> TrainingRecord:
    ref = certificate_source_ref(submission.id)
    existing = await session.scalar(select(TrainingRecord).where(TrainingRecord.source_ref == ref))
    if existing is not None:
        return existing
    if step.credited_credits is not None:
        credits = {code: Decimal(amount) for code, amount in step.credited_credits.items()}
    else:
        credits = {credit.topic_code: credit.credits for credit in await _credits(session, version)}
    hours = Decimal(step.credited_hours) if step.credited_hours is not None else version.hours
    if problem := record_problem(hours, credits):
        # The review form refuses this; a decision that still gets here fails the step rather than be stored.
        raise ApplicationError(f"Certificate {submission.id} cannot be approved: {problem}.", type="InvalidRecord",
                               non_retryable=True)
    record = TrainingRecord(
        agency_id=submission.agency_id,
        officer_id=submission.officer_id,
        course_title=version.course_title,
        provider=version.provider,
        course_number=version.course_number,
        started_on=version.started_on,
        completed_on=version.completed_on,
        hours=hours,
        source=RecordSource.CERTIFICATE_REVIEW,
        source_ref=ref,
        approved_by_id=step.actor_id,
        credits=[TrainingRecordCredit(topic_code=code, credits=amount)
                 for code, amount in sorted(credits.items()) if amount > 0],
    )
    session.add(record)
    await session.flush()
    return record


async def _audit(session: AsyncSession, submission: CertificateSubmission, step: ReviewStep) -> None:
    await record_workflow_audit(
        session, step.actor_id, f"certificate.{step.event}", "certificate_submission", submission.id, step.source,
        submission.agency_id,
        {"workflow_id": step.workflow_id, "seq": step.seq, "version": step.version,
         "credited_hours": step.credited_hours, "credited_credits": step.credited_credits},
    )

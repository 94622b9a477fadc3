"""Database side of the licensing-cycle workflow: evaluate an officer, remind them, open a case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notifications import add_notification, coordinator_ids
from compliance.wording import format_date
from models import Person, Task, TaskKind, TaskQueue, utcnow
from services.audit import record_workflow_audit
from services.compliance import is_tracked, officer_status
from services.compliance_status import local_days, store_evaluation
from services.notification_preferences import preferences_for
from settings import Settings
from workflows.licensing_cycle_types import (
    ComplianceCaseInput,
    CycleSnapshot,
    Deadline,
    EvaluateInput,
    ReminderInput,
)

# A reminder this close to the deadline is mailed at once, even to weekly-digest readers.
URGENT_REMINDER_DAYS = 10


class LicensingCycleActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory
        self._settings = settings
        self._clock = clock  # the instant whose agency date the stored row is evaluated on

    @activity.defn
    async def evaluate_officer(self, request: EvaluateInput) -> CycleSnapshot:
        on = date.fromisoformat(request.on)
        async with self._sessions() as session, session.begin():
            person = await session.get(Person, request.officer_id)
            status = await officer_status(session, request.officer_id, on)
            offsets = (await preferences_for(session, request.officer_id)).effective_reminder_offsets
            if person is not None:
                # Every recompute (record, certificate, waiver, requirement change) ends here: keep the
                # stored row that team views count in step. Idempotent, and never older than what is stored.
                # It is evaluated on the agency's date, as the officer's own dashboard is; `on` is the
                # workflow's UTC date, which its timers and cycle end keep using.
                [local] = (await local_days(session, self._clock(), [person.agency_id])).values()
                stored = status if local == on else await officer_status(session, person.id, local)
                await store_evaluation(session, person, stored, local)
        # Separated: no longer the agency's officer, whatever the pack says a licensee without an employer
        # owes (services/compliance.py): no reminders, no case at cycle end, and the workflow ends.
        if person is None or not is_tracked(person):
            return CycleSnapshot(officer_id=request.officer_id, tracked=False)
        if status is None:  # licensed from a future date
            return CycleSnapshot(officer_id=request.officer_id, tracked=True, licensed_from=str(person.license_date))
        # `missing` has one sentence per unmet requirement, in the order of `requirements`.
        unmet = [requirement for requirement in status.requirements if not requirement.met]
        by_due: dict[date, list[str]] = defaultdict(list)
        for requirement, sentence in zip(unmet, status.missing, strict=True):
            if requirement.due_on >= on:  # past deadlines are overdue: the dashboard and the cycle-end case cover them
                by_due[requirement.due_on].append(sentence)
        return CycleSnapshot(
            officer_id=request.officer_id,
            tracked=True,
            cycle_end=status.cycle_end.isoformat(),
            compliant=status.state == "compliant",
            deadlines=[
                Deadline(due_on=due.isoformat(), missing=sentences) for due, sentences in sorted(by_due.items())
            ],
            reminder_offsets=offsets,
        )

    @activity.defn
    async def send_compliance_reminder(self, reminder: ReminderInput) -> list[int]:
        """Notify the officer (and from 30 days out their supervisor); returns notifications to email."""
        async with self._sessions() as session, session.begin():
            officer = await session.get_one(Person, reminder.officer_id)
            due = format_date(date.fromisoformat(reminder.due_on))
            lines = "\n".join(f"- {sentence}" for sentence in reminder.missing)
            recipients = [officer.id]
            if reminder.copy_supervisor and officer.supervisor_id is not None:
                recipients.append(officer.supervisor_id)
            ids = []
            count = len(reminder.missing)
            things = f"{count} training requirement{'' if count == 1 else 's'}"
            for person_id in recipients:
                about = "You have" if person_id == officer.id else f"{officer.display_name} has"
                notification = await add_notification(
                    session, self._settings, key=f"{reminder.key}:{person_id}", person_id=person_id,
                    subject=f"[Muster] Training due by {due} ({reminder.days_before} days left)",
                    body=f"{about} training requirements due by {due}:\n{lines}",
                    title=f"Training due by {due}" if person_id == officer.id
                    else f"{officer.display_name}: training due by {due}",
                    summary=f"{about} {things} to complete by {due}, {reminder.days_before} days from now.",
                    # The supervisor opens the officer's dashboard (their chain of command may see it).
                    link="/dashboard" if person_id == officer.id else f"/officers/{officer.id}/dashboard",
                    # Days before the deadline the mail cannot wait for a weekly digest.
                    urgent=reminder.days_before <= URGENT_REMINDER_DAYS,
                )
                ids.append(notification)
            return [notification.id for notification in ids if notification.email_pending]

    @activity.defn
    async def open_compliance_case(self, case: ComplianceCaseInput) -> list[int]:
        """Put a non-compliant officer in the coordinators' queue at cycle end (idempotent by key)."""
        async with self._sessions() as session, session.begin():
            existing = await session.scalar(select(Task.id).where(Task.key == case.key))
            officer = await session.get_one(Person, case.officer_id)
            if existing is None:
                session.add(Task(key=case.key, agency_id=officer.agency_id, kind=TaskKind.COMPLIANCE_CASE,
                                 subject_type="officer", subject_id=officer.id, workflow_id=case.workflow_id,
                                 queue=TaskQueue.COORDINATORS))
                await record_workflow_audit(session, None, "compliance.case_opened", "officer", officer.id, None,
                                            officer.agency_id, {"cycle_end": case.cycle_end, "missing": case.missing})
            ended = format_date(date.fromisoformat(case.cycle_end))
            lines = "\n".join(f"- {sentence}" for sentence in case.missing)
            notifications = []
            unmet = f"{len(case.missing)} requirement{'' if len(case.missing) == 1 else 's'} unmet"
            for person_id in [officer.id, *await coordinator_ids(session, officer.agency_id)]:
                whose = "Your" if person_id == officer.id else f"{officer.display_name}'s"
                notifications.append(await add_notification(
                    session, self._settings, key=f"{case.key}:{person_id}", person_id=person_id,
                    subject=f"[Muster] Licensing cycle ended {ended} with requirements unmet: {officer.display_name}",
                    body=f"{officer.display_name}'s cycle ended {ended} with these requirements unmet:\n{lines}\n"
                         "The case is in the coordinators' escalation queue.",
                    title="Licensing cycle ended with requirements unmet" if person_id == officer.id
                    else f"Compliance case: {officer.display_name}",
                    summary=f"{whose} licensing cycle ended {ended} with {unmet}; the training coordinators "
                            "follow it up.",
                    link="/escalations" if person_id != officer.id else "/dashboard",
                    urgent=True,
                ))
            return [n.id for n in notifications if n.email_pending]

"""One long-running process per licensed officer: remind before deadlines, escalate at cycle end.

It sleeps until the next reminder day or the end of the cycle, re-evaluating the officer (an
activity runs the compliance engine) every time it wakes or is told something changed (a new
record, a waiver, a rule change, a transfer). Reminders go out only while a requirement is unmet.
At cycle end a non-compliant officer becomes a case in the coordinators' queue, and the workflow
rolls into the next cycle with continue-as-new, so its history stays small for decades.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.licensing_cycle_types import (
    LICENSING_CYCLE_WORKFLOW,
    SIGNAL_RECOMPUTE,
    SUPERVISOR_COPY_FROM_DAYS,
    ComplianceCaseInput,
    CycleSnapshot,
    EvaluateInput,
    LicensingCycleState,
    ReminderInput,
)
from workflows.notification_mail import start_notification_emails

with workflow.unsafe.imports_passed_through():
    from activities.licensing_cycles import LicensingCycleActivities

# Reminders go out in the morning in US time zones, not at midnight UTC.
REMINDER_TIME_UTC = time(14, 0)
_DB_TIMEOUT = timedelta(seconds=60)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn(name=LICENSING_CYCLE_WORKFLOW)
class LicensingCycleWorkflow:
    @workflow.init
    def __init__(self, state: LicensingCycleState) -> None:
        self._state = state
        self._changed = False
        self._emails: list[workflow.ActivityHandle[None]] = []

    @workflow.run
    async def run(self, state: LicensingCycleState) -> str:
        while True:
            today = workflow.now().date()
            # A change signalled from here on, even during the evaluation below, wakes the next sleep.
            self._changed = False
            snapshot = await self._evaluate(today)
            if not snapshot.tracked:
                await self._finish_mail()
                return "no longer tracked"
            if snapshot.licensed_from is not None:
                await self._sleep_until(date.fromisoformat(snapshot.licensed_from))
                continue
            if state.cycle_end is None:
                state.cycle_end = snapshot.cycle_end
            assert state.cycle_end is not None
            if today > date.fromisoformat(state.cycle_end):
                await self._close_cycle(state.cycle_end)
                await self._finish_mail()
                workflow.continue_as_new(LicensingCycleState(officer_id=state.officer_id))
            await self._send_due_reminders(snapshot, today)
            await self._sleep_until_next(snapshot, today)
            if workflow.info().is_continue_as_new_suggested():
                await self._finish_mail()
                workflow.continue_as_new(state)

    @workflow.signal(name=SIGNAL_RECOMPUTE)
    def recompute(self) -> None:
        """Something about the officer changed: re-evaluate now rather than at the next wake-up."""
        self._changed = True

    async def _evaluate(self, on: date) -> CycleSnapshot:
        return await workflow.execute_activity_method(
            LicensingCycleActivities.evaluate_officer,
            EvaluateInput(officer_id=self._state.officer_id, on=on.isoformat()),
            start_to_close_timeout=_DB_TIMEOUT,
            retry_policy=_DB_RETRY,
        )

    async def _send_due_reminders(self, snapshot: CycleSnapshot, today: date) -> None:
        """For each unmet deadline, send the latest reminder whose day has come, once.

        Offsets already passed are marked sent with it, so an officer who joins 40 days before a
        deadline gets one reminder, not the 180-, 90- and 60-day ones at once.
        """
        for deadline in snapshot.deadlines:
            due = date.fromisoformat(deadline.due_on)
            reached = [offset for offset in snapshot.reminder_offsets if due - timedelta(days=offset) <= today]
            if not reached:
                continue
            latest = min(reached)
            key = f"{deadline.due_on}:{latest}"
            if key in self._state.sent_reminders:
                continue
            notification_ids = await workflow.execute_activity_method(
                LicensingCycleActivities.send_compliance_reminder,
                ReminderInput(
                    key=f"{workflow.info().workflow_id}:{self._state.cycle_end}:{key}",
                    officer_id=self._state.officer_id,
                    due_on=deadline.due_on,
                    days_before=(due - today).days,
                    missing=deadline.missing,
                    copy_supervisor=latest <= SUPERVISOR_COPY_FROM_DAYS,
                ),
                start_to_close_timeout=_DB_TIMEOUT,
                retry_policy=_DB_RETRY,
            )
            self._state.sent_reminders.extend(f"{deadline.due_on}:{offset}" for offset in reached)
            self._mail(notification_ids)

    async def _sleep_until_next(self, snapshot: CycleSnapshot, today: date) -> None:
        assert self._state.cycle_end is not None
        days = [date.fromisoformat(self._state.cycle_end) + timedelta(days=1)]
        for deadline in snapshot.deadlines:
            due = date.fromisoformat(deadline.due_on)
            days.extend(due - timedelta(days=offset) for offset in snapshot.reminder_offsets)
            days.append(due + timedelta(days=1))  # re-evaluate once a deadline has passed
        await self._sleep_until(min(day for day in days if day > today))

    async def _sleep_until(self, day: date) -> None:
        """Sleep until the morning of `day`, or until a recompute signal arrives."""
        wake = datetime.combine(day, REMINDER_TIME_UTC, tzinfo=UTC)
        with contextlib.suppress(TimeoutError):  # waking on time is the normal case
            await workflow.wait_condition(lambda: self._changed, timeout=wake - workflow.now())

    async def _close_cycle(self, cycle_end: str) -> None:
        final = await self._evaluate(date.fromisoformat(cycle_end))
        if final.tracked and not final.compliant:
            missing = [sentence for deadline in final.deadlines for sentence in deadline.missing]
            workflow_id = workflow.info().workflow_id
            notification_ids = await workflow.execute_activity_method(
                LicensingCycleActivities.open_compliance_case,
                ComplianceCaseInput(key=f"{workflow_id}:case:{cycle_end}", workflow_id=workflow_id,
                                    officer_id=self._state.officer_id, cycle_end=cycle_end, missing=missing),
                start_to_close_timeout=_DB_TIMEOUT,
                retry_policy=_DB_RETRY,
            )
            self._mail(notification_ids)

    def _mail(self, notification_ids: list[int]) -> None:
        self._emails += start_notification_emails(notification_ids)

    async def _finish_mail(self) -> None:
        """Mail started in this run must finish before it ends or continues as new."""
        for handle in self._emails:
            await handle
        self._emails.clear()
        await workflow.wait_condition(workflow.all_handlers_finished)

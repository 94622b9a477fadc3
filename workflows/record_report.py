"""One durable process per record error report: keep it in front of the coordinators until resolved.

The report waits in the coordinators' queue; coordinators are reminded after the agency's reminder
period and administrators told after its escalation period, then it waits for as long as it takes.
A coordinator resolves it (correct the record or add the missing one, or decline; a reason either
way), or the officer withdraws it. Both are Updates whose validators refuse anyone who may not act
now; the Update's handler has the activity write the outcome and answers only once it is written,
so the portal re-renders from the database. An outcome the activity refuses (a record deleted
meanwhile, a correction that does not validate) fails that Update only: the report stays open.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.notification_mail import start_notification_emails
from workflows.record_report_types import (
    ALREADY_CLOSED,
    QUERY_STATE,
    RECORD_REPORT_WORKFLOW,
    UPDATE_RESOLVE,
    UPDATE_WITHDRAW,
    RecordReportInput,
    ReportPhase,
    ReportPlan,
    ReportState,
    Resolution,
    ResolveAction,
    Withdrawal,
)
from workflows.refusals import REFUSED, refuse, refuse_busy

with workflow.unsafe.imports_passed_through():
    from activities.record_reports import ClosingStep, RecordReportActivities, ReportNotice, ReportStep

    # The real zoneinfo: the sandbox's ZoneInfo proxy is refused by datetime (see workflows/business_days.py).
    from workflows.business_days import add_business_days

_DB_TIMEOUT = timedelta(seconds=30)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
# A person waits for the outcome: give up after a few tries and let them try again, the report open.
_CLOSE_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=5), maximum_attempts=5)
_SIGNAL_RETRY = RetryPolicy(maximum_attempts=3)
_TRY_AGAIN = "The outcome could not be saved right now. The report is still open; please try again."


@workflow.defn(name=RECORD_REPORT_WORKFLOW)
class RecordReportWorkflow:
    @workflow.init
    def __init__(self, input: RecordReportInput) -> None:
        self._report_id = input.report_id
        self._workflow_id = workflow.info().workflow_id
        self._plan: ReportPlan | None = None
        self._phase = ReportPhase.BUSY
        self._seq = 0
        self._outcome: str | None = None
        self._closed_by: int | None = None
        self._emails: list[workflow.ActivityHandle[None]] = []

    @workflow.run
    async def run(self, input: RecordReportInput) -> str:
        self._plan = plan = await workflow.execute_activity_method(
            RecordReportActivities.load_plan, self._report_id,
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        start = workflow.now()
        await self._step("reported", due=add_business_days(start, plan.escalation_business_days, plan.calendar))
        self._phase = ReportPhase.OPEN
        await self._notify("reported", to_coordinators=True)
        if await self._still_open_at(add_business_days(start, plan.reminder_business_days, plan.calendar)):
            await self._step("reminded")
            await self._notify("reminded", to_coordinators=True, waited=plan.reminder_business_days)
            if await self._still_open_at(add_business_days(start, plan.escalation_business_days, plan.calendar)):
                await self._step("escalated")
                await self._notify("escalated", to_admins=True, waited=plan.escalation_business_days)
                # The coordinators' queue is the end of the line: it waits for as long as it takes.
                await workflow.wait_condition(lambda: self._phase == ReportPhase.CLOSED)
        assert self._outcome is not None
        if self._outcome != "withdrawn":
            await self._notify(self._outcome, to_officer=True, actor=self._closed_by)
        if self._outcome == "corrected":
            # A nudge only: returns False when the officer has no cycle workflow, and never fails the report.
            await workflow.execute_activity_method(
                RecordReportActivities.tell_cycle, plan.officer_id,
                start_to_close_timeout=_DB_TIMEOUT, retry_policy=_SIGNAL_RETRY,
            )
        await asyncio.gather(*self._emails)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._outcome

    async def _still_open_at(self, deadline: datetime) -> bool:
        remaining = max(deadline - workflow.now(), timedelta(seconds=1))
        try:
            await workflow.wait_condition(lambda: self._phase == ReportPhase.CLOSED, timeout=remaining)
        except TimeoutError:
            # An outcome being written now decides first: no reminder about a report just resolved.
            await workflow.wait_condition(lambda: self._phase != ReportPhase.BUSY)
        return self._phase != ReportPhase.CLOSED

    # -- projection and notifications (activities) -------------------------------------------

    async def _step(self, event: str, *, due: datetime | None = None) -> None:
        self._seq += 1
        await workflow.execute_activity_method(
            RecordReportActivities.record_step,
            ReportStep(report_id=self._report_id, workflow_id=self._workflow_id, seq=self._seq, event=event,
                       due_at_iso=due.isoformat() if due else None),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )

    async def _notify(self, event: str, *, to_officer: bool = False, to_coordinators: bool = False,
                      to_admins: bool = False, actor: int | None = None, waited: int | None = None) -> None:
        notification_ids = await workflow.execute_activity_method(
            RecordReportActivities.notify,
            ReportNotice(key=f"{self._workflow_id}:{self._seq}", report_id=self._report_id, event=event,
                         to_officer=to_officer, to_coordinators=to_coordinators, to_admins=to_admins,
                         actor_id=actor, waited_business_days=waited),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        self._emails += start_notification_emails(notification_ids)

    async def _close(self, step: ClosingStep) -> str:
        # One outcome at a time: a second click waits for the first, then finds the report closed
        # (or still open, if the first was refused). Checked here, not only in the validator,
        # because Updates accepted together all passed it.
        await workflow.wait_condition(lambda: self._phase != ReportPhase.BUSY)
        if self._phase == ReportPhase.CLOSED:
            refuse(ALREADY_CLOSED)
        self._phase = ReportPhase.BUSY
        try:
            outcome = await workflow.execute_activity_method(
                RecordReportActivities.close, step, start_to_close_timeout=_DB_TIMEOUT, retry_policy=_CLOSE_RETRY,
            )
        except ActivityError as error:
            self._phase = ReportPhase.OPEN
            cause = error.cause
            refused = cause.message if isinstance(cause, ApplicationError) and cause.type == REFUSED else None
            raise ApplicationError(refused or _TRY_AGAIN, type=REFUSED, non_retryable=True) from error
        self._outcome, self._closed_by, self._phase = outcome, step.actor_id, ReportPhase.CLOSED
        return outcome

    # -- inputs: updates with validators ------------------------------------------------------

    def _refuse_unless_open(self) -> None:
        if self._plan is None:
            refuse_busy("This report is still being set up; please try again in a moment.")
        if self._phase == ReportPhase.CLOSED:
            refuse(ALREADY_CLOSED)

    @workflow.update(name=UPDATE_RESOLVE)
    async def resolve(self, resolution: Resolution) -> str:
        self._seq += 1
        correct = resolution.action == ResolveAction.CORRECT
        return await self._close(ClosingStep(
            report_id=self._report_id, workflow_id=self._workflow_id, seq=self._seq,
            event="corrected" if correct else "declined", actor_id=resolution.actor_id,
            reason=resolution.reason.strip(), source=resolution.source,
            values=resolution.values if correct else None, credits=resolution.credits if correct else {},
        ))

    @resolve.validator
    def _validate_resolve(self, resolution: Resolution) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        if not resolution.actor_is_coordinator or resolution.actor_agency_id != self._plan.agency_id:
            refuse("Only the agency's training coordinators resolve record reports.")
        if resolution.actor_id == self._plan.officer_id:
            refuse("You cannot resolve your own report.")
        if not resolution.reason.strip():
            refuse("Please give a reason, so the officer knows what was decided and why.")
        if resolution.action == ResolveAction.CORRECT and not resolution.values:
            refuse("Enter the record as it should be.")

    @workflow.update(name=UPDATE_WITHDRAW)
    async def withdraw(self, withdrawal: Withdrawal) -> str:
        self._seq += 1
        return await self._close(ClosingStep(
            report_id=self._report_id, workflow_id=self._workflow_id, seq=self._seq, event="withdrawn",
            actor_id=withdrawal.actor_id, source=withdrawal.source,
        ))

    @withdraw.validator
    def _validate_withdraw(self, withdrawal: Withdrawal) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        if withdrawal.actor_id != self._plan.officer_id:
            refuse("Only the officer who reported it can withdraw this report.")

    @workflow.query(name=QUERY_STATE)
    def state(self) -> ReportState:
        return ReportState(phase=self._phase, outcome=self._outcome)

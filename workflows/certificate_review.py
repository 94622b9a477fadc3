"""One durable process per certificate submission: review it until a coordinator approves it.

The submission waits in the coordinators' queue; coordinators are reminded after the agency's
reminder period (3 business days unless set) and administrators told after its escalation period
(7). A rejection returns it to the officer, whose corrected upload (a new version) comes back to
the queue. Approval writes the training record and nudges the officer's licensing-cycle workflow.
Decisions are Updates whose validators refuse anyone who may not act now, so a refused click never
reaches the history.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.certificate_review_types import (
    CERTIFICATE_REVIEW_WORKFLOW,
    QUERY_STATE,
    UPDATE_DECIDE,
    UPDATE_NEW_VERSION,
    CertificateReviewInput,
    NewVersion,
    ReviewAction,
    ReviewDecision,
    ReviewPhase,
    ReviewPlan,
    ReviewState,
)
from workflows.notification_mail import start_notification_emails
from workflows.refusals import refuse, refuse_busy

with workflow.unsafe.imports_passed_through():
    from activities.certificates import CertificateActivities, ReviewNotice, ReviewStep

    # The real zoneinfo: the sandbox's ZoneInfo proxy is refused by datetime (see workflows/business_days.py).
    from workflows.business_days import add_business_days

_DB_TIMEOUT = timedelta(seconds=30)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))
_SIGNAL_RETRY = RetryPolicy(maximum_attempts=3)


def _number(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _same_credits(a: dict[str, str], b: dict[str, str]) -> bool:
    def positive(credits: dict[str, str]) -> dict[str, Decimal]:
        return {code: Decimal(v) for code, v in credits.items() if Decimal(v) > 0}

    return positive(a) == positive(b)


@workflow.defn(name=CERTIFICATE_REVIEW_WORKFLOW)
class CertificateReviewWorkflow:
    @workflow.init
    def __init__(self, input: CertificateReviewInput) -> None:
        self._submission_id = input.submission_id
        self._workflow_id = workflow.info().workflow_id
        self._plan: ReviewPlan | None = None
        self._phase = ReviewPhase.BUSY
        self._seq = 0
        self._pending: ReviewDecision | NewVersion | None = None
        self._answer: str | None = None
        self._waiting_for_answer = False
        self._outcome: str | None = None
        self._emails: list[workflow.ActivityHandle[None]] = []

    @workflow.run
    async def run(self, input: CertificateReviewInput) -> str:
        event = "submitted"
        while True:
            plan = await self._load_plan()
            due = add_business_days(workflow.now(), plan.escalation_business_days, plan.calendar)
            await self._step(event, plan.version, due=due)
            self._answered("new_version")  # a corrected upload's update answers once its task is open
            self._phase = ReviewPhase.AWAITING_REVIEW
            await self._notify(event, to_coordinators=True)
            decision = await self._await_decision(plan)
            if decision.action == ReviewAction.APPROVE:
                await self._approve(plan, decision)
                break
            await self._step("rejected", plan.version, actor=decision.actor_id, reason=decision.reason,
                             source=decision.source)
            self._phase = ReviewPhase.AWAITING_CORRECTION
            self._answered("rejected")
            await self._notify("rejected", to_officer=True, actor=decision.actor_id, reason=decision.reason)
            await workflow.wait_condition(lambda: isinstance(self._pending, NewVersion))
            self._pending, self._phase = None, ReviewPhase.BUSY
            event = "new_version"
        self._outcome = "approved"
        self._phase = ReviewPhase.CLOSED
        await asyncio.gather(*self._emails)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._outcome

    async def _load_plan(self) -> ReviewPlan:
        self._plan = await workflow.execute_activity_method(
            CertificateActivities.load_review_plan, self._submission_id,
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        return self._plan

    async def _await_decision(self, plan: ReviewPlan) -> ReviewDecision:
        start = workflow.now()
        if not await self._wait_until(add_business_days(start, plan.reminder_business_days, plan.calendar)):
            await self._step("reminded", plan.version)
            await self._notify("reminded", to_coordinators=True, waited=plan.reminder_business_days)
            if not await self._wait_until(add_business_days(start, plan.escalation_business_days, plan.calendar)):
                await self._step("escalated", plan.version)
                await self._notify("escalated", to_admins=True, waited=plan.escalation_business_days)
                # The coordinators' queue is the end of the line: it waits for as long as it takes.
                await workflow.wait_condition(lambda: self._pending is not None)
        decision = self._pending
        assert isinstance(decision, ReviewDecision)
        self._pending, self._phase = None, ReviewPhase.BUSY
        return decision

    async def _wait_until(self, deadline: datetime) -> bool:
        remaining = max(deadline - workflow.now(), timedelta(seconds=1))
        try:
            await workflow.wait_condition(lambda: self._pending is not None, timeout=remaining)
        except TimeoutError:
            return False
        return True

    async def _approve(self, plan: ReviewPlan, decision: ReviewDecision) -> None:
        await self._step("approved", plan.version, actor=decision.actor_id, reason=decision.reason,
                         source=decision.source, hours=decision.credited_hours, credits=decision.credited_credits)
        self._answered("approved")
        await self._notify("approved", to_officer=True, actor=decision.actor_id, reason=decision.reason)
        # A nudge only: returns False when the officer has no cycle workflow, and never fails the review.
        await workflow.execute_activity_method(
            CertificateActivities.tell_cycle, plan.officer_id,
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_SIGNAL_RETRY,
        )

    # -- projection and notifications (activities) -------------------------------------------

    async def _step(self, event: str, version: int, *, actor: int | None = None, reason: str | None = None,
                    source: str | None = None, hours: str | None = None, credits: dict[str, str] | None = None,
                    due: datetime | None = None) -> None:
        self._seq += 1
        await workflow.execute_activity_method(
            CertificateActivities.record_step,
            ReviewStep(submission_id=self._submission_id, workflow_id=self._workflow_id, seq=self._seq,
                       event=event, version=version, actor_id=actor, reason=reason or None, source=source,
                       credited_hours=hours, credited_credits=credits,
                       due_at_iso=due.isoformat() if due else None),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )

    async def _notify(self, event: str, *, to_officer: bool = False, to_coordinators: bool = False,
                      to_admins: bool = False, actor: int | None = None, reason: str | None = None,
                      waited: int | None = None) -> None:
        notification_ids = await workflow.execute_activity_method(
            CertificateActivities.notify,
            ReviewNotice(key=f"{self._workflow_id}:{self._seq}", submission_id=self._submission_id, event=event,
                         to_officer=to_officer, to_coordinators=to_coordinators, to_admins=to_admins,
                         actor_id=actor, reason=reason or None, waited_business_days=waited),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        self._emails += start_notification_emails(notification_ids)

    # -- inputs: updates with validators ------------------------------------------------------

    def _answered(self, result: str) -> None:
        if self._answer is None and self._waiting_for_answer:
            self._answer = result

    async def _submit(self, item: ReviewDecision | NewVersion) -> str:
        # Return only once the database shows the outcome, so the portal can re-render from it.
        self._pending, self._answer, self._waiting_for_answer = item, None, True
        await workflow.wait_condition(lambda: self._answer is not None)
        answer, self._answer, self._waiting_for_answer = self._answer, None, False
        assert answer is not None
        return answer

    def _refuse_while_busy(self) -> None:
        if self._phase == ReviewPhase.CLOSED:
            refuse("This certificate has already been decided.")
        if self._phase == ReviewPhase.BUSY or self._pending is not None or self._waiting_for_answer:
            refuse_busy("This certificate is being updated right now; please try again in a moment.")

    @workflow.update(name=UPDATE_DECIDE)
    async def decide(self, decision: ReviewDecision) -> str:
        return await self._submit(decision)

    @decide.validator
    def _validate_decide(self, decision: ReviewDecision) -> None:
        self._refuse_while_busy()
        assert self._plan is not None
        if self._phase != ReviewPhase.AWAITING_REVIEW:
            refuse("This certificate is not waiting for review.")
        if not decision.actor_is_coordinator:
            refuse("Only training coordinators review certificates.")
        if decision.actor_id == self._plan.officer_id:
            refuse("You cannot review your own certificate.")
        if decision.action == ReviewAction.REJECT and not decision.reason.strip():
            refuse("Please give a reason, so the officer knows what to correct.")
        if decision.action == ReviewAction.APPROVE and self._adjusted(decision) and not decision.reason.strip():
            refuse("Please give a reason for crediting different hours or credits than claimed.")

    def _adjusted(self, decision: ReviewDecision) -> bool:
        assert self._plan is not None
        if decision.credited_hours is not None:
            hours = _number(decision.credited_hours)
            if hours is None or hours <= 0:
                refuse("Enter the credited hours as a number more than 0.")
            if hours != Decimal(self._plan.claimed_hours):
                return True
        if decision.credited_credits is not None:
            if any(_number(v) is None for v in decision.credited_credits.values()):
                refuse("Enter topic credits as numbers of 0 or more.")
            return not _same_credits(decision.credited_credits, self._plan.claimed_credits)
        return False

    @workflow.update(name=UPDATE_NEW_VERSION)
    async def new_version(self, item: NewVersion) -> str:
        return await self._submit(item)

    @new_version.validator
    def _validate_new_version(self, item: NewVersion) -> None:
        self._refuse_while_busy()
        assert self._plan is not None
        if item.actor_id != self._plan.officer_id:
            refuse("Only the officer who uploaded the certificate can send a corrected version.")
        if self._phase != ReviewPhase.AWAITING_CORRECTION:
            refuse("This certificate is not waiting for a corrected version.")
        if item.version != self._plan.version + 1:
            refuse("This corrected version does not follow the last one; reload the page and try again.")

    @workflow.query(name=QUERY_STATE)
    def state(self) -> ReviewState:
        return ReviewState(phase=self._phase, version=self._plan.version if self._plan else 0,
                           outcome=self._outcome)

"""One durable process per training request: route it up the chain of command until decided.

The officer's nearest supervisor decides first; a request above the agency's cost threshold or
with overnight travel also needs the next level. An approver who does not act is reminded, then
bypassed for the next person up the chain; past the top it waits in the coordinators' queue.
Decisions arrive as Updates whose validators refuse anyone who may not act now, so a refused
click never reaches the history.

Once approved, the request is decided (Updates are refused) but the workflow stays open until the
course is over: it then asks the officer for the completion certificate, and once more two weeks
later, unless a certificate linked to the request has been uploaded by then.

An agency setting the plan cannot be read with (a time zone that is not one) puts the request on hold
in the coordinators' queue with the reason; it goes on by itself once an administrator corrects it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.refusals import refuse, refuse_busy
from workflows.training_request_steps import RequestSteps
from workflows.training_request_types import (
    AGENCY_CONFIGURATION_ERROR,
    CERTIFICATE_REMINDER_PATCH,
    QUERY_STATE,
    SECOND_CERTIFICATE_REMINDER_DAYS,
    SIGNAL_CERTIFICATE_UPLOADED,
    UPDATE_DECIDE,
    UPDATE_REASSIGN,
    UPDATE_RESUBMIT,
    UPDATE_WITHDRAW,
    WORKFLOW_NAME,
    ApprovalPlan,
    ApprovalState,
    CertificateUploaded,
    Decision,
    DecisionAction,
    Phase,
    Reassignment,
    Resubmission,
    TrainingRequestInput,
    Withdrawal,
)

with workflow.unsafe.imports_passed_through():
    # The real zoneinfo: the sandbox's ZoneInfo proxy is refused by datetime (see workflows/business_days.py).
    from workflows.business_days import add_business_days

_Input = Decision | Resubmission | Withdrawal | Reassignment
# How often a request on hold looks at the agency's settings again.
_SETTINGS_RECHECK = timedelta(hours=1)


def _settings_problem(error: ActivityError) -> str | None:
    """The reason, when the activity failed on an agency setting it cannot use."""
    cause = error.cause
    if isinstance(cause, ApplicationError) and cause.type == AGENCY_CONFIGURATION_ERROR:
        return cause.message
    return None


@workflow.defn(name=WORKFLOW_NAME)
class TrainingRequestWorkflow:
    @workflow.init
    def __init__(self, input: TrainingRequestInput) -> None:
        self._steps = RequestSteps(input.request_id, workflow.info().workflow_id)
        self._plan: ApprovalPlan | None = None
        self._phase = Phase.BUSY
        self._assignee: int | None = None
        self._settings_problem: str | None = None
        self._hold_task_open = False
        self._pending: _Input | None = None
        self._tickets_issued = 0
        self._tickets_done = 0
        self._results: dict[int, str] = {}
        self._outcome: str | None = None
        self._approvals: list[int] = []
        self._certificate_uploaded = False
        self._waiting_for_certificate = False

    @workflow.run
    async def run(self, input: TrainingRequestInput) -> str:
        plan = await self._load_plan()
        outcome = await self._route(plan)
        self._outcome = outcome
        self._phase = Phase.CLOSED
        await self._steps.emails_sent()
        if outcome == "approved" and workflow.patched(CERTIFICATE_REMINDER_PATCH):
            await self._ask_for_certificate()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    async def _load_plan(self) -> ApprovalPlan:
        while True:
            try:
                self._plan = await self._steps.load_plan()
                return self._plan
            except ActivityError as error:
                problem = _settings_problem(error)
                if problem is None:
                    raise
                if self._plan is not None:
                    # Re-read after approval for the reminder time only: the one read at the start still serves.
                    workflow.logger.warning("%s Keeping the certificate reminder time read at submission.", problem)
                    return self._plan
                await self._hold(problem)

    async def _hold(self, problem: str) -> None:
        """Show the coordinators why the request cannot be routed, then look again after a while."""
        if problem != self._settings_problem:
            self._settings_problem = problem
            await self._steps.transition("escalated", "escalated", None, problem, to_coordinators=True,
                                         close_task_as="cancelled")
            self._hold_task_open = True
            await self._steps.notify("settings_problem", [], coordinators=True, comment=problem)
        self._phase = Phase.ON_HOLD
        await workflow.sleep(_SETTINGS_RECHECK)
        self._phase = Phase.BUSY

    async def _route(self, plan: ApprovalPlan) -> str:
        needed_level = 0  # lowest chain level whose approval is still missing
        position = 0  # chain index of the current approver; past the end means coordinators
        reassigned_to: int | None = None
        event, actor, comment = "submitted", None, None
        # An update that leads to a new assignment answers once that assignment is recorded.
        answer_after_assign: str | None = None
        while True:
            if reassigned_to is not None:
                assignee: int | None = reassigned_to
            else:
                assignee = plan.chain[position] if position < len(plan.chain) else None
            await self._assign(assignee, event, actor, comment)
            if answer_after_assign is not None:
                self._finish_ticket(answer_after_assign)
                answer_after_assign = None
            if not await self._await_input(assignee):
                if reassigned_to is not None:
                    reassigned_to, position = None, len(plan.chain)
                else:
                    position += 1
                event, actor = "escalated", None
                comment = f"No decision within {plan.escalation_business_days} business days."
                continue
            item = self._take_pending()
            if isinstance(item, Withdrawal):
                return await self._close_as_withdrawn(item, assignee, coordinators=assignee is None)
            if isinstance(item, Reassignment):
                reassigned_to = item.new_approver_id
                event, actor, comment = "reassigned", item.actor_id, item.comment
                answer_after_assign = "reassigned"
                continue
            if not isinstance(item, Decision):
                raise ApplicationError(f"unexpected input {item!r}", non_retryable=True)
            if item.action == DecisionAction.DENY:
                await self._steps.transition("denied", "denied", item.actor_id, item.comment, item.source)
                await self._steps.notify("denied", [plan.officer_id], actor_id=item.actor_id, comment=item.comment)
                self._finish_ticket("denied")
                return "denied"
            if item.action == DecisionAction.REQUEST_CHANGES:
                resubmission = await self._await_changes(item)
                if isinstance(resubmission, Withdrawal):
                    return await self._close_as_withdrawn(resubmission, None, coordinators=False)
                event, actor, comment = "resubmitted", resubmission.actor_id, resubmission.comment
                answer_after_assign = "resubmitted"
                continue
            # Approval: by a coordinator it is final; up the chain it covers every level below.
            self._approvals.append(item.actor_id)
            if item.actor_is_coordinator and assignee is None:
                covered = plan.required_level
            elif reassigned_to is not None:
                covered = needed_level
            else:
                covered = position
            if covered >= plan.required_level:
                await self._steps.transition("approved", "approved", item.actor_id, item.comment, item.source)
                await self._steps.notify("approved", [plan.officer_id], actor_id=item.actor_id, comment=item.comment)
                self._finish_ticket("approved")
                return "approved"
            await self._steps.transition("approved", "in_review", item.actor_id, item.comment, item.source)
            needed_level = position = covered + 1
            reassigned_to = None
            event, actor, comment = "forwarded", None, None
            answer_after_assign = "forwarded"

    async def _assign(self, assignee: int | None, event: str, actor: int | None, comment: str | None) -> None:
        """Open the task for whoever must act now and tell the people concerned."""
        assert self._plan is not None
        to_coordinators = assignee is None
        previous = self._assignee
        due = None
        if not to_coordinators:
            due = add_business_days(workflow.now(), self._plan.escalation_business_days, self._plan.calendar)
        closes = "cancelled" if event in {"escalated", "reassigned"} else None
        if self._hold_task_open:  # the settings are corrected: the hold's queue entry is dealt with
            closes, self._hold_task_open = "done", False
        await self._steps.transition(
            "assigned" if event == "forwarded" else event,
            "escalated" if to_coordinators else "in_review",
            actor,
            comment,
            assignee_id=assignee,
            to_coordinators=to_coordinators,
            due_at_iso=due.isoformat() if due else None,
            close_task_as=closes,
        )
        # Open for decisions as soon as the task is visible in the inbox, not after the mail.
        self._assignee = assignee
        self._phase = Phase.AWAITING_COORDINATORS if to_coordinators else Phase.AWAITING_APPROVER
        recipients = [self._plan.officer_id]
        if assignee is not None:
            recipients.append(assignee)
        if event == "escalated" and previous is not None:
            recipients.append(previous)
        await self._steps.notify(event, recipients, coordinators=to_coordinators, actor_id=actor, comment=comment,
                           assignee_id=assignee)

    async def _await_input(self, assignee: int | None) -> bool:
        """Wait for the approver; False when the escalation deadline passed without a decision."""
        assert self._plan is not None
        if assignee is None:
            # The coordinators' queue is the end of the line: it waits for as long as it takes.
            await workflow.wait_condition(lambda: self._pending is not None)
            return True
        start = workflow.now()
        remind_at = add_business_days(start, self._plan.reminder_business_days, self._plan.calendar)
        escalate_at = add_business_days(start, self._plan.escalation_business_days, self._plan.calendar)
        if self._plan.reminder_business_days < self._plan.escalation_business_days:
            if await self._wait_for_input_until(remind_at):
                return True
            await self._steps.transition("reminded", None, None, None, keep_task=True)
            await self._steps.notify("reminded", [assignee], assignee_id=assignee)
        return await self._wait_for_input_until(escalate_at)

    async def _wait_for_input_until(self, deadline: datetime) -> bool:
        remaining = deadline - workflow.now()
        try:
            await workflow.wait_condition(
                lambda: self._pending is not None, timeout=max(remaining, timedelta(seconds=1))
            )
        except TimeoutError:
            return False
        return True

    async def _await_changes(self, decision: Decision) -> Resubmission | Withdrawal:
        assert self._plan is not None
        await self._steps.transition(
            "changes_requested", "changes_requested", decision.actor_id, decision.comment, decision.source
        )
        self._assignee = None
        self._phase = Phase.CHANGES_REQUESTED
        await self._steps.notify("changes_requested", [self._plan.officer_id], actor_id=decision.actor_id,
                           comment=decision.comment)
        self._finish_ticket("changes_requested")
        await workflow.wait_condition(lambda: self._pending is not None)
        item = self._take_pending()
        assert isinstance(item, Resubmission | Withdrawal)
        return item

    async def _close_as_withdrawn(self, item: Withdrawal, waiting_on: int | None, coordinators: bool) -> str:
        await self._steps.transition("withdrawn", "withdrawn", item.actor_id, item.comment, item.source,
                               close_task_as="cancelled")
        recipients = [waiting_on] if waiting_on is not None else []
        await self._steps.notify("withdrawn", recipients, coordinators=coordinators, actor_id=item.actor_id,
                           comment=item.comment)
        self._finish_ticket("withdrawn")
        return "withdrawn"

    async def _ask_for_certificate(self) -> None:
        """After the course, remind the officer to upload the certificate: twice at most, none once uploaded."""
        # Read again: an edit before approval may have moved the course's dates since the start.
        plan = await self._load_plan()
        if plan.certificate_reminder_at_iso is None:
            return
        self._waiting_for_certificate = True
        due = datetime.fromisoformat(plan.certificate_reminder_at_iso)
        for number in (1, 2):
            if await self._certificate_uploaded_by(due):
                break
            if not await self._steps.remind_to_upload_certificate(number):  # a linked certificate is there
                break
            due = workflow.now() + timedelta(days=SECOND_CERTIFICATE_REMINDER_DAYS)
        self._waiting_for_certificate = False
        await self._steps.emails_sent()

    async def _certificate_uploaded_by(self, deadline: datetime) -> bool:
        remaining = deadline - workflow.now()
        try:
            await workflow.wait_condition(lambda: self._certificate_uploaded,
                                          timeout=max(remaining, timedelta(seconds=1)))
        except TimeoutError:
            return False
        return True

    # -- inputs: updates with validators ------------------------------------------------------

    def _take_pending(self) -> _Input:
        item = self._pending
        assert item is not None
        self._pending = None
        self._phase = Phase.BUSY
        return item

    def _finish_ticket(self, result: str) -> None:
        self._tickets_done += 1
        self._results[self._tickets_done] = result

    async def _submit(self, item: _Input) -> str:
        self._pending = item
        self._tickets_issued += 1
        ticket = self._tickets_issued
        # Return only once the database shows the outcome, so the portal can re-render from it.
        await workflow.wait_condition(lambda: self._tickets_done >= ticket)
        return self._results[ticket]

    def _refuse_unless_open(self) -> None:
        if self._phase == Phase.ON_HOLD:
            refuse(f"This request is on hold. {self._settings_problem} An administrator must correct it first.")
        if self._phase == Phase.CLOSED:
            refuse("This request is no longer pending.")
        if self._phase == Phase.BUSY or self._pending is not None:
            refuse_busy("This request is being updated right now; please try again in a moment.")

    @workflow.update(name=UPDATE_DECIDE)
    async def decide(self, decision: Decision) -> str:
        return await self._submit(decision)

    @decide.validator
    def _validate_decide(self, decision: Decision) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        if decision.actor_id == self._plan.officer_id:
            refuse("You cannot decide on your own request.")
        is_approver = self._phase == Phase.AWAITING_APPROVER and decision.actor_id == self._assignee
        is_coordinator = self._phase == Phase.AWAITING_COORDINATORS and decision.actor_is_coordinator
        if not (is_approver or is_coordinator):
            refuse("This request is not waiting for your decision.")
        if decision.action != DecisionAction.APPROVE and not decision.comment.strip():
            refuse("Please give a reason, so the officer knows what to do.")

    @workflow.update(name=UPDATE_RESUBMIT)
    async def resubmit(self, resubmission: Resubmission) -> str:
        return await self._submit(resubmission)

    @resubmit.validator
    def _validate_resubmit(self, resubmission: Resubmission) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        if resubmission.actor_id != self._plan.officer_id:
            refuse("Only the requesting officer can resubmit.")
        if self._phase != Phase.CHANGES_REQUESTED:
            refuse("This request is not waiting for changes.")

    @workflow.update(name=UPDATE_WITHDRAW)
    async def withdraw(self, withdrawal: Withdrawal) -> str:
        return await self._submit(withdrawal)

    @withdraw.validator
    def _validate_withdraw(self, withdrawal: Withdrawal) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        if withdrawal.actor_id != self._plan.officer_id:
            refuse("Only the requesting officer can withdraw.")

    @workflow.update(name=UPDATE_REASSIGN)
    async def reassign(self, reassignment: Reassignment) -> str:
        return await self._submit(reassignment)

    @reassign.validator
    def _validate_reassign(self, reassignment: Reassignment) -> None:
        self._refuse_unless_open()
        assert self._plan is not None
        # A roster transfer moves the task its former supervisor holds; nothing else a coordinator may
        # reassign before it escalates. Validators write no history, so this needs no patch marker.
        moved_by_transfer = (reassignment.transfer_from_id is not None and self._phase == Phase.AWAITING_APPROVER
                             and self._assignee == reassignment.transfer_from_id)
        if not moved_by_transfer and (not reassignment.actor_is_coordinator
                                      or self._phase != Phase.AWAITING_COORDINATORS):
            refuse("Only a coordinator can reassign an escalated request.")
        if reassignment.new_approver_id == self._plan.officer_id:
            refuse("A request cannot be assigned to the officer who made it.")

    @workflow.signal(name=SIGNAL_CERTIFICATE_UPLOADED)
    def certificate_uploaded(self, upload: CertificateUploaded) -> None:
        self._certificate_uploaded = True

    @workflow.query(name=QUERY_STATE)
    def state(self) -> ApprovalState:
        return ApprovalState(
            phase=self._phase,
            assignee_id=self._assignee,
            step=self._steps.seq,
            outcome=self._outcome,
            approvals=list(self._approvals),
            waiting_for_certificate=self._waiting_for_certificate,
        )

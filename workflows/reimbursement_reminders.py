"""From 1 June until the claim is marked submitted: remind each Minnesota agency's coordinators and chief to
prepare and sign the POST reimbursement application due 31 July, weekly, then tell the coordinators once
when 31 July has passed. A Temporal Schedule starts one run per year on 1 June.

Timers are durable: the run sleeps between rounds. Each round is one activity that reads every agency's
claim status and writes the round's notifications keyed by agency, year, round and person (a retried round
writes nothing new); agencies that marked their claim submitted get nothing more. The run ends early when
no agency's claim is open. A run started late (a worker down on 1 June) sends only the latest round due.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.notification_mail import start_notification_emails
from workflows.reimbursement_reminders_types import (
    REIMBURSEMENT_REMINDERS_WORKFLOW,
    ReimbursementRemindersInput,
    ReminderRound,
    reminder_rounds,
)

with workflow.unsafe.imports_passed_through():
    from activities.reimbursement_reminders import ReimbursementReminderActivities

_ROUND_TIMEOUT = timedelta(minutes=10)
_ROUND_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))


@workflow.defn(name=REIMBURSEMENT_REMINDERS_WORKFLOW)
class ReimbursementRemindersWorkflow:
    @workflow.run
    async def run(self, job: ReimbursementRemindersInput) -> int:
        """Returns the number of reminders written (in-app, and mailed where people take mail)."""
        started = workflow.now()
        year = job.fiscal_year or started.year
        rounds = reminder_rounds(year)
        past = [index for index, (moment, _) in enumerate(rounds) if moment <= started]
        written = 0
        for moment, overdue in rounds[past[-1] if past else 0:]:
            if moment > workflow.now():
                await workflow.sleep(moment - workflow.now())
            result = await workflow.execute_activity_method(
                ReimbursementReminderActivities.send_reminders,
                ReminderRound(fiscal_year=year, day=moment.date().isoformat(), overdue=overdue),
                start_to_close_timeout=_ROUND_TIMEOUT, retry_policy=_ROUND_RETRY,
            )
            await asyncio.gather(*start_notification_emails(result.notification_ids))
            written += result.written
            if result.open_claims == 0:
                break
        return written

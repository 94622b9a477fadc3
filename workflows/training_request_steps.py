"""What the training-request workflow asks its activities to do: read the plan, record each step, notify.

Every step is numbered (`seq`); the activities key their writes on (workflow id, step), so an
activity retried after a crash or a lost response writes nothing twice. Only deterministic code
here: it runs inside the workflow.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from workflows.notification_mail import start_notification_emails
from workflows.training_request_types import ApprovalPlan

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities, NotifyInput
    from activities.training_requests import CertificateReminder, TrainingRequestActivities, Transition

_DB_TIMEOUT = timedelta(seconds=30)
_DB_RETRY = RetryPolicy(maximum_interval=timedelta(seconds=30))


class RequestSteps:
    """One request's database projection and notifications, written in step order."""

    def __init__(self, request_id: int, workflow_id: str) -> None:
        self.request_id = request_id
        self.workflow_id = workflow_id
        self.seq = 0
        self._emails: list[workflow.ActivityHandle[None]] = []

    async def load_plan(self) -> ApprovalPlan:
        return await workflow.execute_activity_method(
            TrainingRequestActivities.load_approval_plan,
            self.request_id,
            start_to_close_timeout=_DB_TIMEOUT,
            retry_policy=_DB_RETRY,
        )

    async def transition(
        self,
        event: str,
        status: str | None,
        actor_id: int | None,
        comment: str | None,
        source: str | None = None,
        *,
        assignee_id: int | None = None,
        to_coordinators: bool = False,
        due_at_iso: str | None = None,
        close_task_as: str | None = None,
        keep_task: bool = False,
    ) -> None:
        self.seq += 1
        if close_task_as is None and not keep_task and event not in {"submitted", "resubmitted", "assigned"}:
            close_task_as = "done"
        await workflow.execute_activity_method(
            TrainingRequestActivities.record_transition,
            Transition(
                request_id=self.request_id,
                workflow_id=self.workflow_id,
                seq=self.seq,
                event=event,
                status=status,
                actor_id=actor_id,
                comment=comment or None,
                source=source,
                close_task_as=close_task_as,
                assignee_id=assignee_id,
                to_coordinators=to_coordinators,
                due_at_iso=due_at_iso,
            ),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )

    async def notify(
        self,
        event: str,
        person_ids: list[int],
        *,
        coordinators: bool = False,
        actor_id: int | None = None,
        comment: str | None = None,
        assignee_id: int | None = None,
    ) -> None:
        notification_ids = await workflow.execute_activity_method(
            NotificationActivities.create_request_notifications,
            NotifyInput(
                key=f"{self.workflow_id}:{self.seq}",
                request_id=self.request_id,
                event=event,
                person_ids=sorted(set(person_ids)),
                coordinators=coordinators,
                actor_id=actor_id,
                assignee_id=assignee_id,
                comment=comment or None,
            ),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        self._send_emails(notification_ids)

    async def remind_to_upload_certificate(self, number: int) -> bool:
        """Ask the officer for the certificate; False (nothing sent) when one is linked already."""
        self.seq += 1
        # The activity checks the database too, so a lost signal only costs this one check.
        email_ids = await workflow.execute_activity_method(
            TrainingRequestActivities.remind_to_upload_certificate,
            CertificateReminder(request_id=self.request_id, workflow_id=self.workflow_id, seq=self.seq,
                                number=number),
            start_to_close_timeout=_DB_TIMEOUT, retry_policy=_DB_RETRY,
        )
        if email_ids is None:
            return False
        self._send_emails(email_ids)
        return True

    async def emails_sent(self) -> None:
        await asyncio.gather(*self._emails)

    def _send_emails(self, notification_ids: list[int]) -> None:
        self._emails += start_notification_emails(notification_ids)

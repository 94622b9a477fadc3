"""Mailing a workflow's notifications: started after the step they describe, retried while mail is down.

Every workflow that tells people something writes the notifications in an activity first, then
starts one `send_notification_email` per notification here and awaits the handles before it ends.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities

EMAIL_TIMEOUT = timedelta(seconds=60)
# Mail may be down for hours; keep trying without holding up the decision itself.
EMAIL_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=10))


def start_notification_emails(notification_ids: list[int]) -> list[workflow.ActivityHandle[None]]:
    return [
        workflow.start_activity_method(
            NotificationActivities.send_notification_email, notification_id,
            start_to_close_timeout=EMAIL_TIMEOUT, retry_policy=EMAIL_RETRY,
        )
        for notification_id in notification_ids
    ]

"""What an approver's decision needs before it is sent to the request's workflow."""

from __future__ import annotations

from workflows.training_request_types import DecisionAction

# The workflow's validator says the same; checked here first so that a decision it would refuse is never sent.
COMMENT_NEEDED = {
    DecisionAction.DENY: "Say why you deny it in the comment, so the officer knows.",
    DecisionAction.REQUEST_CHANGES: "Say what to change in the comment, so the officer knows what to do.",
}


def comment_problem(action: DecisionAction, comment: str) -> str | None:
    """Why the comment will not do for this action (deny and request changes need one), or None."""
    return COMMENT_NEEDED.get(action) if not comment.strip() else None

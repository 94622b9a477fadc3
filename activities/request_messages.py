"""Wording of the notifications a training request sends, one entry per event."""

from __future__ import annotations

from dataclasses import dataclass

from models.notifications import first_sentence


@dataclass(frozen=True)
class RequestMessageContext:
    request_id: int
    title: str
    officer_name: str
    recipient_is_officer: bool
    actor_name: str | None
    assignee_name: str | None
    comment: str | None
    link: str


# The workflow names an approval that moves on to the next level "forwarded"; its timeline event
# (and so its wording) is "assigned".
_EVENT_ALIASES = {"forwarded": "assigned"}


def compose(event: str, ctx: RequestMessageContext) -> tuple[str, str]:
    """Subject and plain-text body for one recipient of one event."""
    subject, lead = _lines(_EVENT_ALIASES.get(event, event), ctx)
    body = [lead, "", f"Training: {ctx.title}", f"Officer: {ctx.officer_name}"]
    if ctx.comment:
        body.append(f"Comment: {ctx.comment}")
    body += ["", f"Open the request: {ctx.link}", "", "-- Muster training compliance"]
    return f"[Muster] {subject}", "\n".join(body)


def summarise(event: str, ctx: RequestMessageContext) -> tuple[str, str]:
    """Title and one sentence for the in-app list (the mail's subject and lead, without details or signature)."""
    event = _EVENT_ALIASES.get(event, event)
    subject, lead = _lines(event, ctx)
    if event == "settings_problem":  # the mail's lead points at the reason below it; the list has no "below"
        return subject, (f"{ctx.officer_name}'s request waits until an administrator corrects the agency "
                         "settings.")
    return subject, first_sentence(lead)


def _lines(event: str, ctx: RequestMessageContext) -> tuple[str, str]:
    who = ctx.actor_name or "Muster"
    waiting_on = ctx.assignee_name or "the training coordinators"
    title = ctx.title
    if event in {"submitted", "resubmitted", "assigned", "reassigned", "escalated"} and not ctx.recipient_is_officer:
        verbs = {
            "submitted": "A training request needs your decision",
            "resubmitted": "A revised training request needs your decision",
            "assigned": "A training request was forwarded to you",
            "reassigned": "A training request was reassigned to you",
            "escalated": "An overdue training request was escalated",
        }
        return f"{verbs[event]}: {title}", f"{verbs[event]} ({ctx.officer_name}: {title})."
    officer_lines = {
        "submitted": (f"Request submitted: {title}", f"Your request was submitted and is with {waiting_on}."),
        "resubmitted": (f"Request resubmitted: {title}", f"Your revised request is back with {waiting_on}."),
        "assigned": (f"Request approved and forwarded: {title}",
                     f"Your request was approved at the first level and is now with {waiting_on}."),
        "reassigned": (f"Request reassigned: {title}", f"{who} reassigned your request to {waiting_on}."),
        "escalated": (f"Request escalated: {title}",
                      f"Your request had no decision in time and is now with {waiting_on}."),
        "approved": (f"Request approved: {title}", f"{who} approved your training request."),
        "denied": (f"Request denied: {title}", f"{who} denied your training request."),
        "changes_requested": (f"Changes requested: {title}",
                              f"{who} asked for changes to your request. Edit and resubmit it, or withdraw it."),
    }
    if event in officer_lines and ctx.recipient_is_officer:
        return officer_lines[event]
    if event == "reminded":
        return f"Reminder: a training request awaits your decision: {title}", (
            f"{ctx.officer_name}'s request is still waiting for your decision. "
            "Without a decision it will be escalated."
        )
    if event == "escalated":
        return f"Request escalated past you: {title}", (
            f"{ctx.officer_name}'s request had no decision in time and is now with {waiting_on}."
        )
    if event == "settings_problem":  # only coordinators are told; the reason is the comment
        return f"A training request is on hold until the agency settings are corrected: {title}", (
            f"Muster cannot send {ctx.officer_name}'s request to an approver: an agency setting is not usable "
            "(the reason is below). Ask an administrator to correct it on the agency settings page; the "
            "request then goes on by itself within an hour."
        )
    if event == "withdrawn":
        return f"Request withdrawn: {title}", f"{ctx.officer_name} withdrew this training request."
    return f"Training request update: {title}", f"The request's status changed ({event})."

"""The one pipeline every person's action on a workflow goes through.

look up within the agency -> check permission -> read the input -> send the Update -> audit, commit,
and hand back only what the caller may see. A caller refused at the first two steps gets the
reason and nothing of the object (`ActionResult.subject` stays None), so no route can render a
refused caller someone else's task card. Every refusal is audited, bad input included.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models import AuditOutcome
from services.access import CurrentUser
from services.audit import record_audit
from services.workflow_updates import WorkflowRefusal

Subject = TypeVar("Subject")
Command = TypeVar("Command")

NOT_FOUND = "There is nothing here, or you do not have access to it."


class ActionStatus(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"  # no such object in the caller's agency, or one the caller may not see
    REFUSED = "refused"  # the caller may see it but not do this
    INVALID = "invalid"  # the caller may act, but the input is wrong
    DECLINED = "declined"  # the workflow (or Temporal) refused the Update


@dataclass(frozen=True)
class Denied:
    """A permission refusal: `hidden` ones answer as if the object did not exist."""

    reason: str
    hidden: bool = False


@dataclass(frozen=True)
class Invalid:
    """Input the workflow would not take: a message, and whatever the form needs to show it again."""

    message: str
    form: Any = None


@dataclass(frozen=True)
class Actor:
    user: CurrentUser
    source: str | None


@dataclass(frozen=True)
class ActionResult(Generic[Subject]):
    status: ActionStatus
    message: str | None = None
    # Only ever set once the caller passed the permission check.
    subject: Subject | None = None
    answer: str | None = None
    form: Any = None

    @property
    def refused(self) -> bool:
        return self.status in (ActionStatus.NOT_FOUND, ActionStatus.REFUSED)


@dataclass(frozen=True)
class WorkflowAction(Generic[Subject, Command]):
    """One kind of action: how to find its object, who may do it, how to send it, what to audit."""

    audit_action: str
    object_type: str
    key_name: str  # what the key is, in the audit detail ("task_id", "report_id")
    # (session, agency_id, key) -> the object, looked up only within that agency
    load: Callable[[AsyncSession, int, int], Awaitable[Subject | None]]
    audited_id: Callable[[Subject], int]
    permission: Callable[[AsyncSession, CurrentUser, Subject], Awaitable[Denied | None]]
    send: Callable[[Client, Subject, Command], Awaitable[str]]
    describe: Callable[[Command], dict[str, Any]] = field(default=lambda _command: {})


async def perform(
    db: AsyncSession,
    temporal: Client,
    actor: Actor,
    action: WorkflowAction[Subject, Command],
    key: int,
    read_input: Callable[[Subject], Awaitable[Command | Invalid]],
) -> ActionResult[Subject]:
    """Run `action` on the object `key` for `actor`; see the module docstring for the steps."""
    user = actor.user

    async def audit(outcome: AuditOutcome, object_id: int | None, detail: dict[str, Any]) -> None:
        record_audit(db, user.id, user.audit_label, action.audit_action, action.object_type, object_id, outcome,
                     actor.source, user.agency_id, detail)
        await db.commit()

    async def reloaded(subject: Subject) -> Subject:
        db.expire_all()
        return await action.load(db, user.agency_id, key) or subject

    subject = await action.load(db, user.agency_id, key)
    if subject is None:
        await audit(AuditOutcome.DENIED, None, {action.key_name: key, "reason": "not found"})
        return ActionResult(ActionStatus.NOT_FOUND, NOT_FOUND)
    object_id = action.audited_id(subject)
    denied = await action.permission(db, user, subject)
    if denied is not None:
        await audit(AuditOutcome.DENIED, object_id, {action.key_name: key, "reason": denied.reason})
        if denied.hidden:
            return ActionResult(ActionStatus.NOT_FOUND, NOT_FOUND)
        return ActionResult(ActionStatus.REFUSED, denied.reason)
    command = await read_input(subject)
    if isinstance(command, Invalid):
        await audit(AuditOutcome.FAILURE, object_id, {action.key_name: key, "reason": command.message})
        return ActionResult(ActionStatus.INVALID, command.message, subject, form=command.form)
    detail = {action.key_name: key, **action.describe(command)}
    try:
        answer = await action.send(temporal, subject, command)
    except WorkflowRefusal as refusal:
        await audit(AuditOutcome.FAILURE, object_id, {**detail, "reason": str(refusal)})
        return ActionResult(ActionStatus.DECLINED, str(refusal), await reloaded(subject),
                            form=command)
    await audit(AuditOutcome.SUCCESS, object_id, {**detail, "answer": answer})
    # The Update returns once the workflow's activities wrote their projection: show that.
    return ActionResult(ActionStatus.DONE, None, await reloaded(subject), answer, command)


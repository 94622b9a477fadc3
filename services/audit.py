"""The one way to write the audit trail. Never pass credentials, tokens or session ids in `detail`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEvent, AuditOutcome


def record_audit(
    session: AsyncSession,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str | None,
    object_id: str | int | None,
    outcome: AuditOutcome | str,
    source: str | None,
    agency_id: int | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the caller's transaction (the caller commits)."""
    event = AuditEvent(
        actor_user_id=actor_user_id,
        actor_label=actor_label[:200],
        action=action[:60],
        object_type=object_type,
        object_id=None if object_id is None else str(object_id)[:60],
        outcome=str(outcome),
        source=source,
        agency_id=agency_id,
        detail=detail or {},
    )
    session.add(event)
    return event

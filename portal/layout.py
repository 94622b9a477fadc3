"""What every page needs: the signed-in user, nav counts, the client address for audit rows."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Notification, Role
from portal.navigation import current_href, navigation
from services.access import (
    CurrentUser,
    can_view_agency_compliance,
    can_view_reimbursement,
    has_role,
    is_supervisor_role,
)
from services.reimbursement_claims import reimbursement_applies
from services.training_requests import inbox_count

NOTICES = {
    "queued": ("Your request is saved and queued; it will be routed as soon as the workflow service is reachable."),
    "submitted": "Your request has been submitted.",
    "withdrawn": "Your request has been withdrawn.",
    "resubmitted": "Your request has been resubmitted.",
    "resubmit_queued": ("Your changes are saved and queued; they will be sent for review as soon as the workflow "
                        "service is reachable."),
    "saved": "Settings saved.",
    "password_changed": "Your password has been changed. Your other sessions have been signed out.",
    "unlocked": "The account has been unlocked.",
    "session_ended": "That session has been signed out.",
    "sessions_ended": "Every session of the account has been signed out.",
    "mfa_reset": "Two-step sign-in has been reset and the account signed out everywhere. "
                 "It must set up a new authenticator app at its next sign-in.",
}


def current_user(request: Request) -> CurrentUser:
    user = request.user
    assert isinstance(user, CurrentUser)
    return user


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def unread_count(db: AsyncSession, person_id: int | None) -> int:
    if person_id is None:
        return 0
    count = await db.scalar(
        select(func.count(Notification.id)).where(
            Notification.person_id == person_id, Notification.in_app, Notification.read_at.is_(None)
        )
    )
    return count or 0


async def page(
    request: Request, db: AsyncSession, template_name: str, *, status_code: int = 200, **context: Any
) -> Template:
    user = current_user(request)
    notice = request.query_params.get("notice")
    waiting = await inbox_count(db, user.person_id)
    # Minnesota agencies only: the POST reimbursement claim does not exist elsewhere.
    reimbursement = can_view_reimbursement(user) and await reimbursement_applies(db, user.agency_id)
    groups = navigation(user, inbox_waiting=waiting, reimbursement=reimbursement)
    context.update(
        user=user,
        nav_groups=groups,
        nav_current=current_href(groups, request.url.path),
        nav_inbox_count=waiting,
        nav_unread_count=await unread_count(db, user.person_id),
        is_coordinator=has_role(user, Role.COORDINATOR),
        is_admin=has_role(user, Role.ADMIN),
        is_supervisor=is_supervisor_role(user),
        can_view_agency=can_view_agency_compliance(user),
        nav_reimbursement=reimbursement,
        notice=NOTICES.get(notice or ""),
    )
    return Template(template_name=template_name, context=context, status_code=status_code)

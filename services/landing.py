"""Where "/" takes someone: to the page where their work is.

Someone with several roles lands on the most senior work: command staff on the agency view, then
coordinators on their work queues, then sergeants and lieutenants on their inbox (their team when it is
empty), then administrators on the accounts, then everyone on their own dashboard.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import Role
from services.access import (
    CurrentUser,
    can_manage_accounts,
    can_view_agency_compliance,
    can_view_team,
    can_view_work_queues,
    has_role,
)
from services.training_requests import inbox_count


async def landing_path(session: AsyncSession, user: CurrentUser) -> str:
    """The path "/" redirects this user to."""
    if has_role(user, Role.COMMAND) and can_view_agency_compliance(user):
        return "/agency"
    if can_view_work_queues(user):
        return "/queues"
    waiting = await inbox_count(session, user.person_id)
    if has_role(user, Role.SERGEANT, Role.LIEUTENANT) and can_view_team(user):
        return "/inbox" if waiting else "/team"
    if can_manage_accounts(user):
        return "/admin/accounts"
    # An officer who was made someone's approver (a reassignment) still sees the decision first.
    return "/inbox" if waiting else "/dashboard"

"""The main navigation: links grouped by what a person does, only those the user's roles open.

Each link is shown by the same permission rule (services/access.py) the page it leads to checks, so the
navigation never offers a page that would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.access import (
    CurrentUser,
    can_change_agency_settings,
    can_create_accounts,
    can_enter_records_in_bulk,
    can_handle_escalations,
    can_manage_accounts,
    can_manage_roster,
    can_resolve_record_reports,
    can_review_certificates,
    can_view_agency_compliance,
    can_view_audit_log,
    can_view_requirements,
    can_view_roster,
    can_view_team,
    can_view_work_queues,
)


@dataclass(frozen=True)
class NavLink:
    """One link; `badge` names the live count shown after it ("inbox" or "unread")."""

    label: str
    href: str
    badge: str = ""


@dataclass(frozen=True)
class NavGroup:
    """A heading and its links; `key` is the group's stable id in the page."""

    key: str
    title: str
    links: tuple[NavLink, ...]


def _links(*pairs: tuple[bool, NavLink]) -> tuple[NavLink, ...]:
    return tuple(link for shown, link in pairs if shown)


def navigation(user: CurrentUser, *, inbox_waiting: int, reimbursement: bool) -> list[NavGroup]:
    """The groups this user has, each with only the links it may open; empty groups are left out."""
    own = user.person_id is not None
    approver = can_view_team(user) or inbox_waiting > 0
    groups = [
        NavGroup("training", "My training", _links(
            (own, NavLink("My dashboard", "/dashboard")),
            (own, NavLink("Training history", "/records")),
            (own, NavLink("Certificates", "/certificates")),
            (own, NavLink("My record reports", "/records/reports")),
            (True, NavLink("My requests", "/requests")),
            (True, NavLink("Request training", "/requests/new")),
            (True, NavLink("Notifications", "/notifications", "unread")),
        )),
        NavGroup("approvals", "Approvals", _links(
            (can_view_work_queues(user), NavLink("Work queues", "/queues")),
            (approver, NavLink("Approval inbox", "/inbox", "inbox")),
            (can_handle_escalations(user), NavLink("Escalations", "/escalations")),
        )),
        NavGroup("team", "Team", _links(
            (can_view_team(user), NavLink("My team", "/team")),
            (can_view_agency_compliance(user), NavLink("Agency", "/agency")),
            (can_view_roster(user), NavLink("Officers", "/officers")),
            (can_view_agency_compliance(user), NavLink("Agency reports", "/reports/agency")),
            (can_view_team(user), NavLink("Team reports", "/reports/team")),
        )),
        NavGroup("admin", "Administration", _links(
            (can_manage_roster(user), NavLink("Roster", "/roster")),
            (can_manage_accounts(user), NavLink("Accounts", "/admin/accounts")),
            (can_create_accounts(user) and not can_manage_accounts(user),
             NavLink("New account", "/admin/accounts/new")),
            (can_view_requirements(user), NavLink("Requirements", "/requirements")),
            (can_enter_records_in_bulk(user), NavLink("Imports", "/records/imports")),
            (can_enter_records_in_bulk(user), NavLink("Bulk entry", "/records/bulk")),
            (can_review_certificates(user), NavLink("Certificate reviews", "/certificates/review")),
            (can_resolve_record_reports(user), NavLink("Record reports", "/records/reports/review")),
            (reimbursement, NavLink("POST reimbursement", "/reimbursement")),
            (can_view_audit_log(user), NavLink("Audit log", "/audit")),
            (can_change_agency_settings(user), NavLink("Agency settings", "/admin/settings")),
            (can_change_agency_settings(user), NavLink("Locked accounts", "/admin/locked-accounts")),
        )),
    ]
    return [group for group in groups if group.links]


def current_href(groups: list[NavGroup], path: str) -> str | None:
    """The link for the page at `path`: an exact match, else the longest link that is a folder of it
    (/records/imports/7 belongs to Imports), so each page marks one link."""
    hrefs = [link.href for group in groups for link in group.links]
    if path in hrefs:
        return path
    folders = [href for href in hrefs if path.startswith(href.rstrip("/") + "/")]
    return max(folders, key=len, default=None)

"""The main navigation's groups and links per role, and which link a page marks (portal/navigation.py)."""

from __future__ import annotations

from portal.navigation import NavGroup, current_href, navigation
from services.access import CurrentUser


def _user(*roles: str, person_id: int | None = 1) -> CurrentUser:
    return CurrentUser(id=1, agency_id=1, person_id=person_id, username="u", display_name="U",
                       roles=frozenset(roles))


def _shown(groups: list[NavGroup]) -> dict[str, list[str]]:
    return {group.title: [link.label for link in group.links] for group in groups}


def test_an_officer_has_only_their_own_training():
    shown = _shown(navigation(_user("officer"), inbox_waiting=0, reimbursement=False))
    assert shown == {"My training": ["My dashboard", "Training history", "Certificates", "My record reports",
                                     "My requests", "Request training", "Notifications"]}


def test_an_officer_made_someones_approver_gets_the_inbox():
    shown = _shown(navigation(_user("officer"), inbox_waiting=1, reimbursement=False))
    assert shown["Approvals"] == ["Approval inbox"]


def test_a_sergeant_has_approvals_and_team_but_no_administration():
    shown = _shown(navigation(_user("officer", "sergeant"), inbox_waiting=0, reimbursement=False))
    assert shown["Approvals"] == ["Approval inbox"]
    assert shown["Team"] == ["My team", "Team reports"]
    assert "Administration" not in shown


def test_a_coordinator_without_a_profile_has_no_own_training_pages_but_every_queue():
    shown = _shown(navigation(_user("coordinator", person_id=None), inbox_waiting=0, reimbursement=True))
    assert shown["My training"] == ["My requests", "Request training", "Notifications"]
    assert shown["Approvals"] == ["Work queues", "Escalations"]
    assert shown["Administration"] == ["Roster", "New account", "Requirements", "Imports", "Bulk entry",
                                       "Certificate reviews", "Record reports", "POST reimbursement", "Audit log"]


def test_an_administrator_keeps_accounts_settings_and_locked_accounts():
    shown = _shown(navigation(_user("admin"), inbox_waiting=0, reimbursement=False))
    assert shown["Administration"] == ["Roster", "Accounts", "Audit log", "Agency settings", "Locked accounts"]
    assert "Approvals" not in shown


def test_a_page_marks_its_own_link_or_the_folder_it_is_in():
    groups = navigation(_user("coordinator"), inbox_waiting=0, reimbursement=False)
    assert current_href(groups, "/records/reports/review") == "/records/reports/review"
    assert current_href(groups, "/records/reports/12") == "/records/reports"
    assert current_href(groups, "/records/imports/7") == "/records/imports"
    assert current_href(groups, "/recordsx") is None
    assert current_href(groups, "/account/password") is None

"""Every permission rule of the portal, in one place. Fail closed: anything not allowed is refused."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ExportKind, Person, ReportExport, Role, Task, TaskKind, TaskQueue, TaskStatus, TrainingRequest

MAX_CHAIN_DEPTH = 10


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as the portal sees it: plain values, safe to use after the DB session ends."""

    id: int
    agency_id: int
    person_id: int | None
    username: str
    display_name: str
    roles: frozenset[str]

    @property
    def audit_label(self) -> str:
        return f"{self.username} ({self.display_name})"


def has_role(user: CurrentUser, *roles: Role) -> bool:
    return any(role in user.roles for role in roles)


def is_supervisor_role(user: CurrentUser) -> bool:
    return has_role(user, Role.SERGEANT, Role.LIEUTENANT, Role.COMMAND)


async def supervisor_chain(session: AsyncSession, person_id: int) -> list[int]:
    """The person's supervisors, nearest first, bounded so a cycle in the data cannot loop forever."""
    chain: list[int] = []
    current: int | None = person_id
    for _ in range(MAX_CHAIN_DEPTH):
        current = await session.scalar(select(Person.supervisor_id).where(Person.id == current))
        if current is None or current in chain or current == person_id:
            break
        chain.append(current)
    return chain


async def can_view_request(session: AsyncSession, user: CurrentUser, request: TrainingRequest) -> bool:
    if user.agency_id != request.agency_id:
        return False
    if user.person_id is not None and request.officer_id == user.person_id:
        return True
    if has_role(user, Role.COORDINATOR, Role.COMMAND, Role.ADMIN):
        return True
    if user.person_id is None:
        return False
    if user.person_id in await supervisor_chain(session, request.officer_id):
        return True
    if not request.workflow_id:
        return False
    had_task = await session.scalar(
        select(Task.id)
        .where(
            Task.workflow_id == request.workflow_id,
            (Task.assignee_id == user.person_id) | (Task.closed_by_id == user.person_id),
        )
        .limit(1)
    )
    return had_task is not None


def can_decide_task(user: CurrentUser, task: Task, request: TrainingRequest) -> str | None:
    """None when the user may decide this task now, else the reason shown to them."""
    # Whether the task is still open is said only to those it is for: others learn nothing of it.
    if task.kind != TaskKind.APPROVE_TRAINING_REQUEST or task.agency_id != user.agency_id or user.person_id is None:
        return "You cannot act on this task."
    if request.officer_id == user.person_id:
        return "You cannot decide your own request."
    assigned = task.assignee_id == user.person_id
    queued_for = task.queue == TaskQueue.COORDINATORS and has_role(user, Role.COORDINATOR)
    if not (assigned or queued_for):
        return "This task is not assigned to you."
    if task.status != TaskStatus.OPEN:
        return "This request is no longer pending."
    return None


def can_reassign_task(user: CurrentUser, task: Task, request: TrainingRequest) -> str | None:
    if not has_role(user, Role.COORDINATOR) or task.agency_id != user.agency_id or user.person_id is None:
        return "Only training coordinators can reassign."
    if request.officer_id == user.person_id:
        return "You cannot act on your own request."
    if task.status != TaskStatus.OPEN:
        return "This request is no longer pending."
    return None


def can_change_own_request(user: CurrentUser, request: TrainingRequest) -> bool:
    return user.person_id is not None and request.officer_id == user.person_id


async def can_view_officer_records(session: AsyncSession, user: CurrentUser, person: Person) -> bool:
    """An officer's dashboard, history and transcript: the officer, the agency's coordinators, command
    staff and administrators, and the supervisors in the officer's chain of command."""
    if user.agency_id != person.agency_id:
        return False
    if user.person_id is not None and user.person_id == person.id:
        return True
    if has_role(user, Role.COORDINATOR, Role.COMMAND, Role.ADMIN):
        return True
    return user.person_id is not None and user.person_id in await supervisor_chain(session, person.id)


def can_edit_officer_records(user: CurrentUser, person: Person) -> bool:
    """Only the agency's training coordinators enter or correct records, and never their own."""
    return (
        has_role(user, Role.COORDINATOR)
        and user.agency_id == person.agency_id
        and (user.person_id is None or user.person_id != person.id)
    )


def can_view_roster(user: CurrentUser) -> bool:
    return has_role(user, Role.COORDINATOR, Role.COMMAND, Role.ADMIN)


def can_view_requirements(user: CurrentUser) -> bool:
    """The requirements page: coordinators, and command staff read-only."""
    return has_role(user, Role.COORDINATOR, Role.COMMAND)


def can_manage_requirements(user: CurrentUser) -> bool:
    """Adding and retiring the agency's own requirements: training coordinators only."""
    return has_role(user, Role.COORDINATOR)


def can_review_certificates(user: CurrentUser) -> bool:
    """The certificate review queue: the agency's training coordinators."""
    return has_role(user, Role.COORDINATOR)


def can_review_certificate(user: CurrentUser, agency_id: int, officer_id: int) -> str | None:
    """None when the user may approve or reject this officer's certificate, else the reason shown."""
    if not can_review_certificates(user) or user.agency_id != agency_id or user.person_id is None:
        return "Only training coordinators review certificates."
    if user.person_id is not None and user.person_id == officer_id:
        return "You cannot review your own certificate."
    return None


async def can_view_certificate(session: AsyncSession, user: CurrentUser, agency_id: int, officer_id: int) -> bool:
    """A certificate's file and details: its officer, the agency's coordinators, and the supervisors
    in the officer's chain of command. Nobody else, not even other officers of the agency."""
    if user.agency_id != agency_id:
        return False
    if user.person_id is not None and user.person_id == officer_id:
        return True
    if can_review_certificates(user):
        return True
    return user.person_id is not None and user.person_id in await supervisor_chain(session, officer_id)


def can_resolve_record_reports(user: CurrentUser) -> bool:
    """The record reports queue: the agency's training coordinators."""
    return has_role(user, Role.COORDINATOR)


def can_resolve_record_report(user: CurrentUser, agency_id: int, officer_id: int) -> str | None:
    """None when the user may correct or decline this officer's report, else the reason shown."""
    if not can_resolve_record_reports(user) or user.person_id is None or user.agency_id != agency_id:
        return "Only training coordinators resolve record reports."
    if user.person_id == officer_id:
        return "You cannot resolve your own report."
    return None


async def can_view_record_report(session: AsyncSession, user: CurrentUser, officer: Person) -> bool:
    """A report, its timeline and attachment: whoever may view the officer's records (the officer, the
    agency's coordinators, command staff, administrators, and the officer's chain of command)."""
    return await can_view_officer_records(session, user, officer)


def can_withdraw_record_report(user: CurrentUser, officer_id: int) -> bool:
    """Only the officer who reported it."""
    return user.person_id is not None and user.person_id == officer_id


def can_enter_records_in_bulk(user: CurrentUser) -> bool:
    """Bulk entry and CSV imports of training records: the agency's training coordinators only
    (each officer's record still passes can_edit_officer_records)."""
    return has_role(user, Role.COORDINATOR)


def can_manage_record_import(user: CurrentUser, import_agency_id: int) -> bool:
    """An import's preview, start and cancel: the coordinators of the agency it belongs to."""
    return can_enter_records_in_bulk(user) and user.agency_id == import_agency_id


def can_manage_accounts(user: CurrentUser) -> bool:
    """The accounts pages (two-step sign-in, sessions): administrators, for accounts of their own agency only
    (the pages look accounts up within it)."""
    return has_role(user, Role.ADMIN)


def can_reset_two_step_sign_in(user: CurrentUser, account_id: int) -> str | None:
    """None when the user may reset this account's two-step sign-in, else the reason shown.

    Never one's own: a stolen administrator session must not be able to take the second factor off it.
    """
    if not can_manage_accounts(user):
        return "Only administrators reset two-step sign-in."
    if user.id == account_id:
        return "Another administrator must reset your own two-step sign-in."
    return None


def can_view_team(user: CurrentUser) -> bool:
    """The team pages (everyone under the user in the chain of command, their compliance, early warnings and
    pending items): sergeants, lieutenants and command staff with a profile. Coordinators and administrators
    without one of those roles are refused: they reach officers through the roster. Officers see no team data."""
    return user.person_id is not None and is_supervisor_role(user)


def can_view_agency_compliance(user: CurrentUser) -> bool:
    """The agency dashboard (every unit's and rank's compliance, the trend, the work queues) and the officers
    behind its numbers: command staff, training coordinators and administrators. Sergeants and lieutenants
    see their chain on the team pages; officers see no agency data."""
    return has_role(user, Role.COMMAND, Role.COORDINATOR, Role.ADMIN)


def can_see_report_export(user: CurrentUser, export: ReportExport) -> bool:
    """A compliance report made in the background (its progress and its file): only the account that asked for
    it, and only while it may still see what the report holds. Nobody else, whatever their role: the file lists
    every officer of its scope, and anyone allowed can make their own."""
    if user.agency_id != export.agency_id or user.id != export.requested_by_id:
        return False
    if export.kind == ExportKind.TEAM:
        return can_view_team(user) and user.person_id == export.supervisor_id
    return can_view_agency_compliance(user)


# Accounts for people (create, disable, roles) ------------------------------------------------------
# Administrators manage every account of their agency. Training coordinators may create officer-only
# accounts for the people they hire (so hiring does not wait for an administrator) and send such an
# account's set-password link again; every other role, and every other change, is for administrators.


def can_create_accounts(user: CurrentUser) -> bool:
    return has_role(user, Role.ADMIN, Role.COORDINATOR)


def can_grant_roles(user: CurrentUser, roles: frozenset[str]) -> str | None:
    """None when the user may create an account with these roles, else the reason shown."""
    if has_role(user, Role.ADMIN):
        return None
    if has_role(user, Role.COORDINATOR) and roles <= {Role.OFFICER}:
        return None
    if has_role(user, Role.COORDINATOR):
        return "Training coordinators create officer accounts only; an administrator grants other roles."
    return "Only administrators and training coordinators create accounts."


def can_send_set_password_link(user: CurrentUser, account_roles: frozenset[str]) -> str | None:
    """Sending an account's set-password link again: administrators, or coordinators for officer-only accounts."""
    if has_role(user, Role.ADMIN) or (has_role(user, Role.COORDINATOR) and account_roles <= {Role.OFFICER}):
        return None
    return "Only an administrator can send this account's link."


def can_disable_account(user: CurrentUser, account_id: int) -> str | None:
    """Administrators, never their own account (they would lock themselves out)."""
    if not has_role(user, Role.ADMIN):
        return "Only administrators disable accounts."
    if user.id == account_id:
        return "You cannot disable your own account. Ask another administrator."
    return None


def can_enable_account(user: CurrentUser) -> bool:
    return has_role(user, Role.ADMIN)


def can_change_roles(user: CurrentUser, account_id: int, new_roles: frozenset[str]) -> str | None:
    """Administrators only; never taking their own administrator role away."""
    if not has_role(user, Role.ADMIN):
        return "Only administrators change roles."
    if user.id == account_id and Role.ADMIN not in new_roles:
        return "You cannot remove your own administrator role. Ask another administrator."
    return None


def can_manage_roster(user: CurrentUser) -> bool:
    """Units, ranks and people (hire, transfer, leave, separation, re-hire): training coordinators and
    administrators, for their own agency only (the roster pages look everything up within it)."""
    return has_role(user, Role.COORDINATOR, Role.ADMIN)


def can_prepare_reimbursement(user: CurrentUser) -> bool:
    """Minnesota POST reimbursement claims (costs, part-time marks, export, marking submitted): the agency's
    training coordinators and administrators. Whether the agency claims at all is the route's first check."""
    return has_role(user, Role.COORDINATOR, Role.ADMIN)


def can_sign_reimbursement(user: CurrentUser) -> bool:
    """Signing the claim off as chief law enforcement officer: command staff with a profile on the roster."""
    return has_role(user, Role.COMMAND) and user.person_id is not None


def can_view_reimbursement(user: CurrentUser) -> bool:
    """The claim's page and exports: those who prepare it and the command staff who sign it."""
    return can_prepare_reimbursement(user) or has_role(user, Role.COMMAND)


def can_manage_roster_import(user: CurrentUser, import_agency_id: int) -> bool:
    """A roster CSV import's preview, start and cancel: whoever keeps the roster, in the agency it belongs to."""
    return can_manage_roster(user) and user.agency_id == import_agency_id


def can_handle_escalations(user: CurrentUser) -> bool:
    """The escalation queue (requests escalated past their approvers, end-of-cycle cases): coordinators."""
    return has_role(user, Role.COORDINATOR)


def can_view_audit_log(user: CurrentUser) -> bool:
    """The audit log and its CSV export: coordinators and administrators."""
    return has_role(user, Role.COORDINATOR, Role.ADMIN)


def can_change_agency_settings(user: CurrentUser) -> bool:
    """The agency's settings and its locked accounts: administrators."""
    return has_role(user, Role.ADMIN)


def can_view_work_queues(user: CurrentUser) -> bool:
    """The work queue summary (certificates, record reports, escalations, imports waiting): the coordinators
    who work those queues."""
    return has_role(user, Role.COORDINATOR)


async def officers_with_viewable_records(session: AsyncSession, user: CurrentUser, officers: list[Person]
                                         ) -> set[int]:
    """can_view_officer_records for many officers at once (a page of approval cards): one query at most."""
    mine = {person.id for person in officers if person.agency_id == user.agency_id}
    if has_role(user, Role.COORDINATOR, Role.COMMAND, Role.ADMIN) or not mine:
        return mine
    if user.person_id is None:
        return set()
    # Imported here: services.team_compliance reads MAX_CHAIN_DEPTH from this module.
    from services.team_compliance import Team

    team = Team(user.agency_id, user.person_id)
    below = set(await session.scalars(select(Person.id).where(Person.id.in_(mine), team.has_member(Person.id))))
    return below | ({user.person_id} & mine)


def can_manage_holidays(user: CurrentUser) -> bool:
    """The agency's holiday calendar moves every business-day deadline: administrators keep it."""
    return has_role(user, Role.ADMIN)

"""CSV imports of the roster, the workflow's side: apply the next batch of rows, then complete the import.

A batch is one transaction: its hires, updates and transfers, each row's applied_at and the progress
count commit together or not at all, so a retried or crashed batch continues with the rows not yet
applied and never hires anyone twice. The changes themselves are the roster's own (services.roster_people:
`hire`, `update_details`, `transfer`), audited as the coordinator who confirmed the import. A row the
roster refuses now (a badge taken meanwhile, a unit retired since the preview) becomes a problem row,
so bad data never wedges a run. Every check that can refuse runs before the row changes anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import (
    EmploymentStatus,
    ImportStatus,
    Person,
    RosterImport,
    RosterImportRow,
    RosterRowKind,
    UserAccount,
    utcnow,
)
from services.access import CurrentUser
from services.audit import record_workflow_audit
from services.roster_people import (
    PersonDetails,
    RosterChoices,
    RosterRefusal,
    check_supervisor,
    hire,
    roster_choices,
    transfer,
    update_details,
    validate_person_details,
)
from services.training_records import agency_today

AUDIT_SOURCE = "roster import"
CHANGED_MEANWHILE = "The roster changed since the preview"


class ImportMissing(LookupError):
    """The import does not exist (deleted, or a wrong id): nothing to retry."""


@dataclass
class BatchOutcome:
    applied: int
    dropped: int
    more: bool
    changed_people: list[int] = field(default_factory=list)  # whose licensing cycles to tell, after commit
    outbox_ids: list[int] = field(default_factory=list)  # task moves queued by transfers, to send after commit


async def _locked_import(db: AsyncSession, import_id: int) -> RosterImport:
    # FOR UPDATE (PostgreSQL) serialises two runs of the same batch; SQLite has one writer anyway.
    roster_import = await db.get(RosterImport, import_id, with_for_update=True)
    if roster_import is None:
        raise ImportMissing(f"roster import {import_id} does not exist")
    return roster_import


async def _actor(db: AsyncSession, roster_import: RosterImport) -> CurrentUser:
    """The coordinator who confirmed the import, as the roster's services audit them."""
    account = await db.scalar(select(UserAccount).where(UserAccount.id == roster_import.uploaded_by_account_id)
                              .options(selectinload(UserAccount.person)))
    assert account is not None  # a foreign key; accounts are disabled, never deleted
    return CurrentUser(id=account.id, agency_id=account.agency_id, person_id=account.person_id,
                       username=account.username,
                       display_name=account.person.display_name if account.person else account.username,
                       roles=account.role_names)


def _drop(roster_import: RosterImport, row: RosterImportRow, message: str) -> None:
    if row.kind == RosterRowKind.NEW:
        roster_import.new_rows -= 1
    else:
        roster_import.update_rows -= 1
    roster_import.error_rows += 1
    row.kind = RosterRowKind.PROBLEM
    row.errors = [message]


def _details(values: dict[str, Any], choices: RosterChoices) -> PersonDetails | str:
    details, errors = validate_person_details({k: str(v) for k, v in values.items()}, choices)
    if details is None:
        return f"{CHANGED_MEANWHILE}: {' '.join(errors.values())}"
    return details


async def _supervisor_id(db: AsyncSession, agency_id: int, values: dict[str, Any]) -> int | None | str:
    badge = str(values.get("supervisor_badge") or "")
    if not badge:
        return None
    found = await db.scalar(select(Person.id).where(
        Person.agency_id == agency_id, Person.employment_status != EmploymentStatus.SEPARATED,
        func.lower(Person.badge_number) == badge.strip().lower()).order_by(Person.id).limit(1))
    return found if found is not None else f"{CHANGED_MEANWHILE}: nobody active has supervisor badge number {badge}."


@dataclass
class _Context:
    db: AsyncSession
    actor: CurrentUser
    choices: RosterChoices
    today: date
    workflow_id_prefix: str
    outcome: BatchOutcome


async def _apply_row(ctx: _Context, roster_import: RosterImport, row: RosterImportRow) -> str | None:
    """Make the row's change; or why the roster refuses it now (nothing changed then)."""
    values = dict(row.values or {})
    details = _details(values, ctx.choices)
    if isinstance(details, str):
        return details
    keep_supervisor = bool(values.get("keep_supervisor"))
    supervisor_id = None if keep_supervisor else await _supervisor_id(ctx.db, roster_import.agency_id, values)
    if isinstance(supervisor_id, str):
        return supervisor_id
    if row.kind == RosterRowKind.NEW:
        person = await hire(ctx.db, ctx.actor, AUDIT_SOURCE, replace(details, supervisor_id=supervisor_id),
                            workflow_id_prefix=ctx.workflow_id_prefix)
        row.person_id = person.id
    else:
        person = await ctx.db.get_one(Person, row.person_id)
        if person.employment_status == EmploymentStatus.SEPARATED:
            return f"{CHANGED_MEANWHILE}: {person.full_name} has separated."
        if keep_supervisor:
            supervisor_id = person.supervisor_id
        await check_supervisor(ctx.db, person, supervisor_id)  # before any change: transfer would refuse after
        await update_details(ctx.db, ctx.actor, AUDIT_SOURCE, person, details,
                             workflow_id_prefix=ctx.workflow_id_prefix)
        moved = await transfer(ctx.db, ctx.actor, AUDIT_SOURCE, person, details.unit_id, supervisor_id, ctx.today)
        ctx.outcome.outbox_ids += moved.outbox_ids
    ctx.outcome.changed_people.append(person.id)
    return None


async def apply_batch(db: AsyncSession, import_id: int, limit: int, workflow_id_prefix: str) -> BatchOutcome:
    """Apply the next `limit` new and update rows not yet applied, in file order (in the caller's transaction)."""
    roster_import = await _locked_import(db, import_id)
    outcome = BatchOutcome(0, 0, more=False)
    if roster_import.status != ImportStatus.IMPORTING:
        return outcome
    rows = list(await db.scalars(
        select(RosterImportRow)
        .where(RosterImportRow.import_id == import_id, RosterImportRow.applied_at.is_(None),
               RosterImportRow.kind.in_([RosterRowKind.NEW, RosterRowKind.UPDATE]))
        .order_by(RosterImportRow.row_number).limit(limit)))
    ctx = _Context(db, await _actor(db, roster_import), await roster_choices(db, roster_import.agency_id),
                   await agency_today(db, roster_import.agency_id), workflow_id_prefix, outcome)
    for row in rows:
        try:
            refusal = await _apply_row(ctx, roster_import, row)
        except RosterRefusal as error:
            refusal = f"{CHANGED_MEANWHILE}: {error}"
        if refusal is not None:
            _drop(roster_import, row, refusal)
            outcome.dropped += 1
            continue
        row.applied_at = utcnow()
        roster_import.applied_rows += 1
        outcome.applied += 1
    outcome.more = len(rows) == limit
    if rows:
        await record_workflow_audit(
            db, roster_import.uploaded_by_id, "roster_import.batch", "roster_import", import_id, "workflow",
            roster_import.agency_id,
            {"lines": [rows[0].row_number, rows[-1].row_number], "applied": outcome.applied,
             "dropped": outcome.dropped, "person_ids": outcome.changed_people})
    return outcome


async def complete_import(db: AsyncSession, import_id: int) -> RosterImport:
    """Mark the import completed and audit it, unless it no longer is importing (a retried call)."""
    roster_import = await _locked_import(db, import_id)
    if roster_import.status != ImportStatus.IMPORTING:
        return roster_import
    roster_import.status = ImportStatus.COMPLETED
    roster_import.finished_at = utcnow()
    await record_workflow_audit(
        db, roster_import.uploaded_by_id, "roster_import.complete", "roster_import", import_id, "workflow",
        roster_import.agency_id,
        {"file_name": roster_import.file_name, "sha256": roster_import.sha256,
         "total_rows": roster_import.total_rows, "applied_rows": roster_import.applied_rows,
         "error_rows": roster_import.error_rows, "workflow_id": roster_import.workflow_id})
    return roster_import

"""Administrators see the agency's locked accounts and unlock them (CJIS AC-7)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from models import AuditOutcome, UserAccount
from portal.layout import client_ip, current_user, page
from services.access import can_change_agency_settings
from services.audit import record_audit
from services.sign_in import clear_failures


async def _require_admin(request: Request, db: AsyncSession, object_id: int | None = None) -> None:
    user = current_user(request)
    if can_change_agency_settings(user):
        return
    record_audit(db, user.id, user.audit_label, "account.unlock" if object_id else "account.locked_list",
                 "user_account", object_id, AuditOutcome.DENIED, client_ip(request), user.agency_id)
    await db.commit()
    raise PermissionDeniedException()


@get("/admin/locked-accounts")
async def locked_accounts(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    await _require_admin(request, db)
    accounts = await db.scalars(
        select(UserAccount)
        .where(UserAccount.agency_id == current_user(request).agency_id, UserAccount.locked_at.is_not(None))
        .options(selectinload(UserAccount.person))
        .order_by(UserAccount.locked_at.desc())
    )
    return await page(request, db, "admin/locked_accounts.html", accounts=list(accounts))


@post("/admin/locked-accounts/{user_id:int}/unlock", status_code=303)
async def unlock_account(user_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession]) -> Redirect:
    await _require_admin(request, db, user_id)
    user = current_user(request)
    account = await db.get(UserAccount, user_id)
    if account is None or account.agency_id != user.agency_id:
        raise NotFoundException()
    was_locked_at = account.locked_at
    await clear_failures(db, account, unlock=True)
    record_audit(db, user.id, user.audit_label, "account.unlock", "user_account", account.id, AuditOutcome.SUCCESS,
                 client_ip(request), user.agency_id,
                 {"username": account.username, "locked_at": was_locked_at.isoformat() if was_locked_at else None})
    await db.commit()
    return Redirect("/admin/locked-accounts?notice=unlocked", status_code=303)


ROUTES = [locked_accounts, unlock_account]

"""Small helpers shared by the security tests."""

from __future__ import annotations

import re

import pyotp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import AuditEvent, UserAccount
from tests.portal.conftest import Browser
from tests.support import MFA_SECRET, PASSWORD


async def audit_rows(factory: async_sessionmaker[AsyncSession], action: str | None = None) -> list[AuditEvent]:
    async with factory() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(await session.scalars(query))


async def account(factory: async_sessionmaker[AsyncSession], username: str) -> UserAccount:
    async with factory() as session:
        found = await session.scalar(select(UserAccount).where(UserAccount.username == username))
        assert found is not None
        return found


async def change_account(factory: async_sessionmaker[AsyncSession], username: str, **values: object) -> None:
    async with factory() as session, session.begin():
        await session.execute(update(UserAccount).where(UserAccount.username == username).values(**values))


async def password_step(browser: Browser, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    await browser.client.get("/login")
    return await browser.post("/login", {"username": username, "password": password})


def current_code(secret: str = MFA_SECRET) -> str:
    return pyotp.TOTP(secret).now()


def secret_from(html: str) -> str:
    match = re.search(r"otpauth://totp/[^\s<\"]*secret=([A-Z2-7]+)", html)
    assert match, "page shows no otpauth URI"
    return match.group(1)


def recovery_codes_from(html: str) -> list[str]:
    return re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5}-[0-9a-f]{5})</code>", html)

"""Server-side login sessions on the web_session table, and the middleware that enforces them.

The cookie holds a random token; the table holds only its SHA-256. Idle and absolute timeouts,
the account's `is_active` flag and its MFA duty are checked on every request, on the server: an
account that must use MFA but has not enrolled has no usable session (it signs in again and is
sent to enrolment). Between password and code a browser holds only a "pending" cookie, which this
middleware never accepts.
"""

from __future__ import annotations

import secrets
from datetime import timedelta, tzinfo

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from models import UserAccount, WebSession, utcnow
from models.accounts import USER_AGENT_LENGTH
from portal.local_time import set_reader_zone
from services.access import CurrentUser
from services.mfa import account_needs_mfa
from services.sign_in import PENDING_TTL, is_locked, token_digest
from services.time_zones import agency_time_zone
from settings import Settings

# Only update last_seen_at when it is this stale: one write per minute, not per request.
_TOUCH_AFTER = timedelta(seconds=60)


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix pins the cookie to this host and path "/" and requires Secure.
    return "__Host-muster_session" if settings.secure_cookies else "muster_session"


def pending_cookie_name(settings: Settings) -> str:
    return "__Host-muster_pending" if settings.secure_cookies else "muster_pending"


def hash_token(token: str) -> str:
    return token_digest(token)


def _cookie(settings: Settings, name: str, token: str | None, max_age: int) -> Cookie:
    """HttpOnly, SameSite=Lax, Secure behind HTTPS; a None token deletes the cookie."""
    return Cookie(
        key=name,
        value=token or "",
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        max_age=max_age if token else 0,
    )


def session_cookie(settings: Settings, token: str | None) -> Cookie:
    """The session cookie to set (token) or to delete (None)."""
    return _cookie(settings, cookie_name(settings), token, settings.session_absolute_hours * 3600)


def pending_cookie(settings: Settings, token: str | None) -> Cookie:
    """The cookie of a sign-in waiting for its second factor (or None to delete it)."""
    return _cookie(settings, pending_cookie_name(settings), token, int(PENDING_TTL["enrol"].total_seconds()))


def start_session(session: AsyncSession, user_id: int, source_ip: str | None, user_agent: str | None = None) -> str:
    """Add a new session row to the caller's transaction; returns the cookie token.

    The address and user agent are kept so the person can tell their sessions apart (/account/sessions).
    """
    token = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=hash_token(token), user_id=user_id, source_ip=source_ip,
                           user_agent=user_agent[:USER_AGENT_LENGTH] if user_agent else None))
    return token


async def revoke_session(session: AsyncSession, token: str) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.token_hash == hash_token(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def current_user_from(account: UserAccount) -> CurrentUser:
    person = account.person
    return CurrentUser(
        id=account.id,
        agency_id=account.agency_id,
        person_id=account.person_id,
        username=account.username,
        display_name=person.display_name if person else account.username,
        roles=account.role_names,
    )


async def load_session_user(
    factory: async_sessionmaker[AsyncSession], settings: Settings, token: str
) -> tuple[CurrentUser, tzinfo] | None:
    """The user of a live session and their agency's time zone, or None (revoking a timed-out session)."""
    now = utcnow()
    async with factory() as session, session.begin():
        web_session = await session.scalar(select(WebSession).where(WebSession.token_hash == hash_token(token)))
        if web_session is None or web_session.revoked_at is not None:
            return None
        idle_limit = web_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
        absolute_limit = web_session.created_at + timedelta(hours=settings.session_absolute_hours)
        account = await session.scalar(
            select(UserAccount)
            .where(UserAccount.id == web_session.user_id)
            .options(selectinload(UserAccount.person), selectinload(UserAccount.roles))
        )
        if (
            now >= idle_limit
            or now >= absolute_limit
            or account is None
            or not account.is_active
            # A locked account (wrong passwords or codes, even from inside a session) signs in nowhere.
            or is_locked(account, settings, now)
            or (account.mfa_enabled_at is None and await account_needs_mfa(session, account))
        ):
            web_session.revoked_at = now
            return None
        if now - web_session.last_seen_at >= _TOUCH_AFTER:
            web_session.last_seen_at = now
        return current_user_from(account), await agency_time_zone(session, account.agency_id)


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        state = connection.app.state
        settings: Settings = state.settings
        token = connection.cookies.get(cookie_name(settings))
        if token:
            loaded = await load_session_user(state.session_factory, settings, token)
            if loaded is not None:
                user, zone = loaded
                # The one place a page learns the reader's time zone (portal/local_time.py shows dates in it).
                set_reader_zone(connection, zone)
                return AuthenticationResult(user=user, auth=token)
        raise NotAuthorizedException("Sign in to continue.")

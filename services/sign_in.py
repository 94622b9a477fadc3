"""The rules around signing in that do not depend on the web framework.

- Lockout (CJIS AC-7): 5 consecutive failed sign-ins (wrong password or wrong code) within 15
  minutes lock the account. An administrator unlocks it, or, when MUSTER_LOCKOUT_RELEASE_MINUTES
  is above 0, it unlocks itself after that long (ASVS warns lockout can be used for denial of service).
- Pending logins: a right password for an account with MFA gives a short-lived, single-use record
  that only the code step accepts. Only hashes of its token are stored.
- Password reset tokens: emailed, single use, 30 minutes, stored as hashes.
- Changing a password revokes the account's other sessions, pending logins and reset links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import PasswordResetToken, PendingLogin, UserAccount, WebSession, utcnow
from services.passwords import hash_password
from settings import Settings

LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
PENDING_TTL = {"mfa": timedelta(minutes=5), "enrol": timedelta(minutes=15)}
RESET_TTL = timedelta(minutes=30)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Lockout ---------------------------------------------------------------------------------------


def is_locked(account: UserAccount, settings: Settings, now: datetime | None = None) -> bool:
    if account.locked_at is None:
        return False
    if settings.lockout_release_minutes > 0:
        return (now or utcnow()) < account.locked_at + timedelta(minutes=settings.lockout_release_minutes)
    return True


def lock_has_expired(account: UserAccount, settings: Settings, now: datetime | None = None) -> bool:
    """Locked, but the automatic release period has passed."""
    return account.locked_at is not None and not is_locked(account, settings, now)


async def record_failed_sign_in(session: AsyncSession, account: UserAccount) -> bool:
    """Count one failure (atomically, so parallel guesses cannot slip past); True if it locked the account."""
    now = utcnow()
    new_streak = or_(
        UserAccount.failed_logins_since.is_(None), UserAccount.failed_logins_since < now - LOCKOUT_WINDOW
    )
    result = await session.execute(
        update(UserAccount)
        .where(UserAccount.id == account.id)
        .values(
            failed_logins=case((new_streak, 1), else_=UserAccount.failed_logins + 1),
            failed_logins_since=case((new_streak, now), else_=UserAccount.failed_logins_since),
            last_failed_login_at=now,
        )
        .returning(UserAccount.failed_logins)
        .execution_options(synchronize_session=False)
    )
    if result.scalar_one() < LOCKOUT_THRESHOLD:
        return False
    locked = await session.execute(
        update(UserAccount)
        .where(UserAccount.id == account.id, UserAccount.locked_at.is_(None))
        .values(locked_at=now)
        .execution_options(synchronize_session=False)
    )
    return getattr(locked, "rowcount", 0) == 1


async def clear_failures(session: AsyncSession, account: UserAccount, *, unlock: bool = False) -> None:
    """Reset the failure streak (SQL, since failures are counted in SQL too); optionally unlock."""
    values: dict[str, object] = {"failed_logins": 0, "failed_logins_since": None}
    if unlock:
        values["locked_at"] = None
    await session.execute(update(UserAccount).where(UserAccount.id == account.id).values(**values))


# Pending logins (between the password and the second factor) ----------------------------------


def start_pending_login(session: AsyncSession, user_id: int, purpose: str, source_ip: str | None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        PendingLogin(
            token_hash=token_digest(token),
            user_id=user_id,
            purpose=purpose,
            expires_at=utcnow() + PENDING_TTL[purpose],
            source_ip=source_ip,
        )
    )
    return token


async def load_pending_login(session: AsyncSession, token: str | None, purpose: str) -> PendingLogin | None:
    if not token:
        return None
    pending = await session.get(PendingLogin, token_digest(token))
    if pending is None or pending.purpose != purpose or pending.expires_at <= utcnow():
        return None
    return pending


async def consume_pending_login(session: AsyncSession, token: str) -> bool:
    """Single use: only one request can delete the row."""
    result = await session.execute(
        delete(PendingLogin)
        .where(PendingLogin.token_hash == token_digest(token))
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


# Password reset links ----------------------------------------------------------------------------


async def issue_reset_token(session: AsyncSession, user_id: int, source_ip: str | None) -> str:
    """A new reset token; earlier unused links of the account stop working."""
    now = utcnow()
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordResetToken(
            token_hash=token_digest(token), user_id=user_id, expires_at=now + RESET_TTL, source_ip=source_ip
        )
    )
    return token


async def valid_reset_token(session: AsyncSession, token: str) -> PasswordResetToken | None:
    reset = await session.get(PasswordResetToken, token_digest(token))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


async def consume_reset_token(session: AsyncSession, token: str) -> int | None:
    """The account id, when this request is the one that uses the (valid) token up."""
    now = utcnow()
    result = await session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.token_hash == token_digest(token),
            PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(PasswordResetToken.user_id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


# Changing the password -----------------------------------------------------------------------------


async def revoke_user_sessions(session: AsyncSession, user_id: int, *, keep_token_hash: str | None = None) -> None:
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if keep_token_hash is not None:
        query = query.where(WebSession.token_hash != keep_token_hash)
    await session.execute(query.values(revoked_at=utcnow()).execution_options(synchronize_session=False))


async def set_password(
    session: AsyncSession, account: UserAccount, password: str, *, keep_token_hash: str | None = None
) -> None:
    """Store a new password (the caller has checked the policy) and end every other way in."""
    account.password_hash = hash_password(password)
    account.password_changed_at = utcnow()
    await revoke_user_sessions(session, account.id, keep_token_hash=keep_token_hash)
    await session.execute(delete(PendingLogin).where(PendingLogin.user_id == account.id))
    await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == account.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )

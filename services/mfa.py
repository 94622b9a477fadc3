"""TOTP multi-factor sign-in and one-time recovery codes (CJIS IA-2(1)/(2), ASVS 6.5).

Codes use a 30-second step and are accepted one step either side of now (clock drift). Each
code is accepted once: the account keeps the last accepted step, and a conditional UPDATE moves
it forward, so two requests racing with the same code cannot both win.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency, MfaRecoveryCode, Role, UserAccount, utcnow

ISSUER = "Muster"
RECOVERY_CODE_COUNT = 10
_DRIFT_STEPS = 1
_ALWAYS_REQUIRED = frozenset({Role.COORDINATOR, Role.COMMAND, Role.ADMIN})


def mfa_required(roles: frozenset[str], require_for_officers: bool) -> bool:
    """Coordinators, command staff and administrators always; everyone else when the agency says so."""
    return require_for_officers or any(role in roles for role in _ALWAYS_REQUIRED)


async def account_needs_mfa(session: AsyncSession, account: UserAccount) -> bool:
    """Whether the account must use MFA: by role, by an administrator's reset, or by the agency's policy."""
    if mfa_required(account.role_names, False) or account.mfa_reset_at is not None:
        return True
    return bool(await session.scalar(select(Agency.require_mfa_for_officers).where(Agency.id == account.agency_id)))


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The time step (within the drift window) whose code equals `code`, else None."""
    code = code.replace(" ", "")
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or utcnow())
    for step in range(current - _DRIFT_STEPS, current + _DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def accept_totp(session: AsyncSession, account: UserAccount, code: str, *, secret: str | None = None) -> bool:
    """True when the code is right and has not been used; records its step so it is not used again."""
    secret = secret or account.mfa_secret
    if not secret:
        return False
    step = matching_step(secret, code)
    if step is None:
        return False
    result = await session.execute(
        update(UserAccount)
        .where(
            UserAccount.id == account.id,
            or_(UserAccount.mfa_last_step.is_(None), UserAccount.mfa_last_step < step),
        )
        .values(mfa_last_step=step)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalise_recovery_code(code).encode()).hexdigest()


async def replace_recovery_codes(session: AsyncSession, user_id: int) -> list[str]:
    """Ten new codes (shown once; only their hashes are kept); earlier codes stop working."""
    await session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id))
    raw = [secrets.token_hex(10) for _ in range(RECOVERY_CODE_COUNT)]  # 80 bits each
    codes = ["-".join(code[i : i + 5] for i in range(0, 20, 5)) for code in raw]
    session.add_all(MfaRecoveryCode(user_id=user_id, code_hash=_hash_recovery_code(code)) for code in codes)
    return codes


async def unused_recovery_codes(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count(MfaRecoveryCode.id)).where(
            MfaRecoveryCode.user_id == user_id, MfaRecoveryCode.used_at.is_(None)
        )
    )
    return count or 0


async def renew_recovery_codes(session: AsyncSession, account: UserAccount, code: str) -> list[str] | None:
    """New recovery codes for someone who proves they hold the device (the current app code); else None.

    A session alone is not enough: codes shown to whoever holds a stolen session would outlive it.
    """
    if account.mfa_enabled_at is None or not await accept_totp(session, account, code):
        return None
    return await replace_recovery_codes(session, account.id)


async def use_recovery_code(session: AsyncSession, user_id: int, code: str) -> bool:
    """True when the code is one of the user's unused codes; it is then used up."""
    if len(_normalise_recovery_code(code)) != 20:
        return False
    result = await session.execute(
        update(MfaRecoveryCode)
        .where(
            MfaRecoveryCode.user_id == user_id,
            MfaRecoveryCode.code_hash == _hash_recovery_code(code),
            MfaRecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def confirm_enrolment(session: AsyncSession, account: UserAccount, code: str) -> list[str] | None:
    """Turn MFA on when the code matches the pending secret; returns the new recovery codes."""
    if account.mfa_secret is None or not await accept_totp(session, account, code):
        return None
    account.mfa_enabled_at = utcnow()
    account.mfa_reset_at = None
    return await replace_recovery_codes(session, account.id)


def start_enrolment(account: UserAccount) -> str:
    """The secret to show: the pending one, or a new one. Never replaces a confirmed secret."""
    if account.mfa_enabled_at is None and account.mfa_secret is None:
        account.mfa_secret = new_secret()
    assert account.mfa_secret is not None
    return account.mfa_secret


async def reset_mfa(session: AsyncSession, account: UserAccount) -> None:
    """Forget the account's authenticator and recovery codes; its next sign-in enrols a new device.

    The caller ends the account's sessions: whoever held the lost device may hold one of them too.
    """
    account.mfa_secret = None
    account.mfa_enabled_at = None
    account.mfa_last_step = None
    account.mfa_reset_at = utcnow()
    await session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == account.id))

"""User accounts, their roles, server-side login sessions and the records behind sign-in security.

MFA secrets are stored as given: production databases must be encrypted at rest (see README).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow
from models.organisation import Person

USER_AGENT_LENGTH = 300  # longer user-agent strings are cut: the start names the browser and system


class Role(StrEnum):
    OFFICER = "officer"
    SERGEANT = "sergeant"
    LIEUTENANT = "lieutenant"
    COORDINATOR = "coordinator"
    COMMAND = "command"
    ADMIN = "admin"


class UserAccount(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Consecutive failed sign-ins (password or code) since failed_logins_since; reset on success.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins_since: Mapped[datetime | None]
    last_failed_login_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # TOTP: the base32 secret (set at enrolment start), when enrolment was confirmed, and the
    # last accepted time step, so each code is accepted once.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Set when an administrator reset two-step sign-in: until the person enrols a new device, signing
    # in leads to enrolment whatever the agency's policy (a reset must never quietly switch MFA off).
    mfa_reset_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class WebSession(Base):
    """A login session. Only a SHA-256 of the cookie token is stored, so a leaked table grants nothing.

    Pages and URLs name a session by its `id`, never by its token hash.
    """

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_ip: Mapped[str | None] = mapped_column(String(64))
    # As the browser sent it at sign-in (cut to the column's length), to name the device to its owner.
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_LENGTH))
    revoked_at: Mapped[datetime | None]


class MfaRecoveryCode(Base):
    """A one-time recovery code. Only a SHA-256 is stored: the codes are random, 80 bits each."""

    __tablename__ = "mfa_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class PendingLogin(Base):
    """A password that was right, waiting for the second factor (or for MFA enrolment).

    Grants nothing by itself: the session middleware never reads it. Single use, short-lived.
    """

    __tablename__ = "pending_login"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # "mfa" or "enrol"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    source_ip: Mapped[str | None] = mapped_column(String(64))


class PasswordResetToken(Base):
    """An emailed reset link. Only a SHA-256 of the token is stored; single use; expires."""

    __tablename__ = "password_reset_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    source_ip: Mapped[str | None] = mapped_column(String(64))

"""Passwords: the one policy every new password meets, and argon2id hashing.

Policy (ASVS 6.2, CJIS IA-5): 12 to 128 characters (counted as Unicode characters, never
truncated), any printable character including spaces, no composition rules, not one of the
10,000 most common passwords, and not containing the username. The upper bound only caps the
cost of hashing. Hashes use argon2-cffi's argon2id defaults and are rehashed when those change.
"""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128
BANNED_LIST_SIZE = 10_000

_hasher = PasswordHasher()

# Verified against when the username is unknown, so a miss takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("muster-dummy-password-for-timing")


@lru_cache(maxsize=1)
def banned_passwords() -> frozenset[str]:
    """The most common passwords, lower-cased, from the list zxcvbn ships (frequency order)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"][:BANNED_LIST_SIZE])


def password_problem(password: str, username: str) -> str | None:
    """None when the password may be used, else the reason, worded for the person choosing it."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. A few unrelated words make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if not password.isprintable():
        return "Use printable characters only (letters, digits, spaces, punctuation, any language)."
    if password.lower() in banned_passwords():
        return "That password is one of the most common passwords. Choose another."
    if username and username.lower() in password.lower():
        return "The password must not contain your username."
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)

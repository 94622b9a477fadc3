"""The small interface every certificate store offers, its errors, and how object keys are made.

Keys are generated here and never derived from what the officer called the file: a user-chosen name
could traverse folders, collide with another officer's file or leak personal details into logs.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Protocol

# Lowercase segments of letters, digits, `-` and `_`, joined by `/`. No dots at all, so neither
# `..` nor hidden or temporary file names can ever be a key, on disk or in a bucket.
_KEY_PATTERN = re.compile(r"[a-z0-9_-]{1,64}(?:/[a-z0-9_-]{1,64}){0,7}")


class StorageError(Exception):
    """Base class: anything a store raises is one of these."""


class ObjectNotFound(StorageError):
    def __init__(self, key: str) -> None:
        super().__init__(f"no stored object with key {key!r}")
        self.key = key


class InvalidObjectKey(StorageError, ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"not a valid object key: {key!r}")
        self.key = key


class StorageUnavailable(StorageError):
    """The store could not be reached or refused the operation; the officer should try again later."""


class CertificateStore(Protocol):
    """Where certificate files live. Implementations: `LocalFolderStore` and `S3Store`.

    `put` is all-or-nothing (a reader never sees half a file) and overwrites; `delete` of a missing
    key is not an error, so clean-up after a failed upload can always be retried.
    """

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def get(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...


def new_object_key(now: datetime | None = None) -> str:
    """A fresh key such as `certificates/2026/11/<32 hex digits>`; the month prefix only eases operations."""
    moment = now or datetime.now(UTC)
    return f"certificates/{moment:%Y}/{moment:%m}/{uuid.uuid4().hex}"


def check_key(key: str) -> str:
    """Return `key` if it matches the strict key pattern, else raise `InvalidObjectKey`."""
    if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key):
        raise InvalidObjectKey(key)
    return key

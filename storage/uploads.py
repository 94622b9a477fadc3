"""Storing an accepted upload so that a failure at any step leaves nothing behind.

The order is what keeps records sound: the file is stored first, the database row that points at it
is written second. If storing fails, no row is written; if the row fails, the file is deleted again.
So no row ever points at a missing file. A crash between the two steps can leave an orphan file
that nothing points at; it is harmless and a sweep can remove it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.objects import CertificateStore, StorageError, new_object_key
from storage.validation import InspectedFile

log = logging.getLogger(__name__)

TRY_AGAIN = "The file could not be saved. Nothing was kept; please try again in a few minutes."


@asynccontextmanager
async def stored_upload(store: CertificateStore, upload: InspectedFile, data: bytes) -> AsyncIterator[str]:
    """Store `data` under a new generated key and yield the key; delete the object if the block raises.

        async with stored_upload(store, upload, data) as key:
            session.add(Certificate(object_key=key, sha256=upload.sha256, ...))
            await session.commit()

    `StorageUnavailable` from the store itself propagates before the block runs: show `TRY_AGAIN`.
    """
    key = new_object_key()
    await store.put(key, data, upload.content_type)
    try:
        yield key
    except BaseException:
        try:
            await store.delete(key)
        except StorageError:
            log.warning("could not remove object %s after a failed upload; it is an orphan", key)
        raise

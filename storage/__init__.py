"""Certificate file storage and upload checks: where files live, what may be stored, what a PDF says.

`store_from_settings` picks the store: S3 (MinIO in production) when `MUSTER_S3_ENDPOINT` is set,
otherwise a private folder under `MUSTER_STORAGE_DIR`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.local_folder import LocalFolderStore
from storage.objects import (
    CertificateStore,
    InvalidObjectKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    new_object_key,
)
from storage.s3 import S3Store

if TYPE_CHECKING:
    from settings import Settings

__all__ = [
    "CertificateStore",
    "InvalidObjectKey",
    "LocalFolderStore",
    "ObjectNotFound",
    "S3Store",
    "StorageError",
    "StorageUnavailable",
    "new_object_key",
    "store_from_settings",
]


def store_from_settings(settings: Settings) -> CertificateStore:
    if settings.s3_endpoint:
        return S3Store(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket,
                       sse=settings.s3_server_side_encryption)
    return LocalFolderStore(settings.storage_dir)

"""Certificate files in an S3 bucket (MinIO in production) through the sync `minio` client.

Every call runs in a worker thread (`asyncio.to_thread`) so the event loop never blocks on the network.
The HTTP pool has short timeouts and one retry: an officer waiting on an upload should hear
"try again" within seconds, not after minio's default five retries of five minutes each.
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar
from urllib.parse import urlsplit

import certifi
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from minio.helpers import MAX_PART_SIZE, MIN_PART_SIZE
from minio.sse import SseS3

from storage.objects import ObjectNotFound, StorageUnavailable, check_key
from storage.serving import content_disposition

_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "NotFound", "ResourceNotFound"}
_BUCKET_EXISTS_CODES = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}
_Result = TypeVar("_Result")
_P = ParamSpec("_P")


class S3Store:
    """Objects in `bucket` at `endpoint_url` (`http://host:port` or `https://host`).

    The bucket is created on first use if missing. `sse=True` (MUSTER_S3_SERVER_SIDE_ENCRYPTION) asks
    the server to encrypt each object at rest (SSE-S3); MinIO accepts it only when a KMS is configured
    (`MINIO_KMS_*`), so it is off by default and production turns it on together with MinIO's KMS.
    """

    def __init__(
        self,
        endpoint_url: str,
        access_key: str | None,
        secret_key: str | None,
        bucket: str,
        region: str = "us-east-1",
        *,
        sse: bool = False,
        timeout_seconds: float = 10.0,
    ) -> None:
        parts = urlsplit(endpoint_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
            raise ValueError(f"S3 endpoint must look like http(s)://host[:port], got {endpoint_url!r}")
        secure = parts.scheme == "https"
        pool = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout_seconds, read=timeout_seconds),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(total=1, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
        )
        self.bucket = bucket
        self.region = region
        self._sse = SseS3() if sse else None
        self._client = Minio(
            parts.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=pool,
        )
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        await self._call(self._put, key, data, content_type)

    async def get(self, key: str) -> bytes:
        check_key(key)
        return await self._call(self._get, key)

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call(self._delete, key)

    async def exists(self, key: str) -> bool:
        check_key(key)
        return await self._call(self._exists, key)

    def presigned_download_url(
        self, key: str, download_name: str, content_type: str, expires: timedelta = timedelta(minutes=5)
    ) -> str:
        """A short-lived GET link that makes the object download as an attachment under `download_name`.

        Only hand it to a user already checked as allowed to see the file; anyone holding it can use it.
        Signing is local and does no network call.
        """
        check_key(key)
        disposition = content_disposition(download_name)
        return self._client.presigned_get_object(
            self.bucket,
            key,
            expires=expires,
            response_headers={"response-content-disposition": disposition, "response-content-type": content_type},
        )

    async def _call(self, operation: Callable[_P, _Result], *args: _P.args, **kwargs: _P.kwargs) -> _Result:
        try:
            return await asyncio.to_thread(operation, *args, **kwargs)
        except S3Error as error:
            raise StorageUnavailable(f"object storage refused the request ({error.code})") from error
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as error:
            raise StorageUnavailable(f"object storage is not reachable ({type(error).__name__})") from error

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        with self._bucket_lock:
            if self._bucket_ready:
                return
            if not self._client.bucket_exists(self.bucket):
                try:
                    self._client.make_bucket(self.bucket, location=self.region)
                except S3Error as error:
                    if error.code not in _BUCKET_EXISTS_CODES:
                        raise
            self._bucket_ready = True

    def _put(self, key: str, data: bytes, content_type: str) -> None:
        self._ensure_bucket()
        # One PUT request, never a multipart upload: a failure then leaves no half-written parts behind.
        part_size = min(max(len(data), MIN_PART_SIZE), MAX_PART_SIZE)
        self._client.put_object(
            self.bucket, key, io.BytesIO(data), len(data),
            content_type=content_type, sse=self._sse, part_size=part_size,
        )

    def _get(self, key: str) -> bytes:
        self._ensure_bucket()
        try:
            response = self._client.get_object(self.bucket, key)
        except S3Error as error:
            if error.code in _MISSING_CODES:
                raise ObjectNotFound(key) from None
            raise
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def _delete(self, key: str) -> None:
        self._ensure_bucket()
        self._client.remove_object(self.bucket, key)

    def _exists(self, key: str) -> bool:
        self._ensure_bucket()
        try:
            self._client.stat_object(self.bucket, key)
        except S3Error as error:
            if error.code in _MISSING_CODES:
                return False
            raise
        return True

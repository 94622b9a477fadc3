"""The contract every certificate store keeps, run against the local folder and real S3 (moto_server)."""

from __future__ import annotations

import asyncio
import stat
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from minio import Minio

from settings import Settings, load_settings
from storage import (
    CertificateStore,
    InvalidObjectKey,
    LocalFolderStore,
    ObjectNotFound,
    S3Store,
    StorageUnavailable,
    new_object_key,
    store_from_settings,
)
from tests.storage.conftest import S3_ACCESS_KEY, S3_SECRET_KEY, free_port
from tests.storage.files import pdf_with_text


def _everything_under(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


def _download(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own http test endpoint
        return response.read(), response.headers["Content-Disposition"]


HOSTILE_KEYS = [
    "../outside",
    "certificates/../../etc/passwd",
    "/etc/passwd",
    "certificates/2026/11/.hidden",
    "certificates//double",
    "certificates/name with spaces.pdf",
    "Certificates/Upper",
    "certificates\\windows",
    "",
    "a" * 65,
]


async def test_stored_file_reads_back_exactly_and_can_be_deleted(store: CertificateStore) -> None:
    key = new_object_key()
    data = pdf_with_text(["Certificate of Completion"])
    assert not await store.exists(key)

    await store.put(key, data, "application/pdf")

    assert await store.exists(key)
    assert await store.get(key) == data
    await store.delete(key)
    assert not await store.exists(key)


async def test_putting_a_key_again_replaces_the_file(store: CertificateStore) -> None:
    key = new_object_key()
    await store.put(key, b"first version", "application/pdf")
    await store.put(key, b"second", "application/pdf")
    assert await store.get(key) == b"second"


async def test_reading_a_missing_key_raises_object_not_found(store: CertificateStore) -> None:
    key = new_object_key()
    with pytest.raises(ObjectNotFound) as raised:
        await store.get(key)
    assert raised.value.key == key


async def test_deleting_a_missing_key_is_not_an_error(store: CertificateStore) -> None:
    await store.delete(new_object_key())


@pytest.mark.parametrize("key", HOSTILE_KEYS)
async def test_keys_outside_the_strict_pattern_are_refused(store: CertificateStore, key: str) -> None:
    with pytest.raises(InvalidObjectKey):
        await store.put(key, b"data", "application/pdf")
    with pytest.raises(InvalidObjectKey):
        await store.get(key)


def test_generated_keys_are_dated_and_unique() -> None:
    moment = datetime(2026, 11, 3, tzinfo=UTC)
    first, second = new_object_key(moment), new_object_key(moment)
    assert first.startswith("certificates/2026/11/")
    assert len(first.rsplit("/", 1)[1]) == 32
    assert first != second


async def test_local_store_writes_private_files_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    root = tmp_path / "store"
    store = LocalFolderStore(root)
    key = new_object_key()

    await store.put(key, b"certificate", "application/pdf")

    stored = [path for path in root.rglob("*") if path.is_file()]
    assert [path.relative_to(root).as_posix() for path in stored] == [key]
    assert stat.S_IMODE(stored[0].stat().st_mode) == 0o600
    for folder in [root, *(path for path in root.rglob("*") if path.is_dir())]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_traversal_key_writes_nothing_outside_the_local_folder(tmp_path: Path) -> None:
    store = LocalFolderStore(tmp_path / "store")
    with pytest.raises(InvalidObjectKey):
        await store.put("../escaped", b"x", "application/pdf")
    assert _everything_under(tmp_path) == []


async def test_local_store_that_cannot_write_reports_unavailable_and_keeps_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "store"
    blocker.write_bytes(b"a file where the folder should be")
    store = LocalFolderStore(blocker)
    with pytest.raises(StorageUnavailable):
        await store.put(new_object_key(), b"certificate", "application/pdf")
    assert _everything_under(tmp_path) == ["store"]


async def test_s3_store_creates_its_bucket_on_first_use(s3_endpoint: str, bucket: str) -> None:
    client = Minio(s3_endpoint.removeprefix("http://"), S3_ACCESS_KEY, S3_SECRET_KEY, secure=False)
    assert not client.bucket_exists(bucket)

    await S3Store(s3_endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, bucket).put(new_object_key(), b"x", "image/png")

    assert client.bucket_exists(bucket)


async def test_s3_store_keeps_the_content_type(s3_endpoint: str, bucket: str) -> None:
    key = new_object_key()
    await S3Store(s3_endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, bucket).put(key, b"x", "image/png")
    client = Minio(s3_endpoint.removeprefix("http://"), S3_ACCESS_KEY, S3_SECRET_KEY, secure=False)
    assert client.stat_object(bucket, key).content_type == "image/png"


def _s3_settings(tmp_path: Path, s3_endpoint: str, bucket: str, **more: str) -> Settings:
    return load_settings({"MUSTER_VAR_DIR": str(tmp_path / "var"), "MUSTER_S3_ENDPOINT": s3_endpoint,
                          "MUSTER_S3_ACCESS_KEY": S3_ACCESS_KEY, "MUSTER_S3_SECRET_KEY": S3_SECRET_KEY,
                          "MUSTER_S3_BUCKET": bucket, **more})


@pytest.mark.parametrize(("setting", "stored_header"), [("true", "AES256"), ("false", None)])
async def test_server_side_encryption_setting_makes_the_server_encrypt_each_object(
    tmp_path: Path, s3_endpoint: str, bucket: str, setting: str, stored_header: str | None
) -> None:
    settings = _s3_settings(tmp_path, s3_endpoint, bucket, MUSTER_S3_SERVER_SIDE_ENCRYPTION=setting)
    store = store_from_settings(settings)
    key = new_object_key()

    await store.put(key, b"encrypted at rest", "application/pdf")

    assert await store.get(key) == b"encrypted at rest"
    # What the server says it did with the stored object (HEAD), not what the client meant to ask.
    client = Minio(s3_endpoint.removeprefix("http://"), S3_ACCESS_KEY, S3_SECRET_KEY, secure=False)
    assert client.stat_object(bucket, key).metadata.get("x-amz-server-side-encryption") == stored_header


async def test_presigned_link_downloads_the_file_as_an_attachment(s3_endpoint: str, bucket: str) -> None:
    store = S3Store(s3_endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, bucket)
    key = new_object_key()
    await store.put(key, b"%PDF-certificate", "application/pdf")

    url = store.presigned_download_url(key, "Crisis Training.pdf", "application/pdf")

    body, disposition = await asyncio.to_thread(_download, url)
    assert body == b"%PDF-certificate"
    assert disposition.startswith("attachment;")
    assert "Crisis%20Training.pdf" in disposition


async def test_s3_endpoint_that_is_down_reports_unavailable_quickly() -> None:
    store = S3Store(f"http://127.0.0.1:{free_port()}", S3_ACCESS_KEY, S3_SECRET_KEY, "muster", timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        await store.put(new_object_key(), b"certificate", "application/pdf")
    with pytest.raises(StorageUnavailable):
        await store.exists(new_object_key())
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("endpoint", ["s3.example.org:9000", "ftp://s3.example.org", "https://s3.example.org/bucket"])
def test_s3_endpoint_must_be_a_plain_http_or_https_url(endpoint: str) -> None:
    with pytest.raises(ValueError, match="http"):
        S3Store(endpoint, S3_ACCESS_KEY, S3_SECRET_KEY, "muster")


def test_settings_choose_the_local_folder_unless_an_s3_endpoint_is_set(tmp_path: Path) -> None:
    base = replace(load_settings({"MUSTER_VAR_DIR": str(tmp_path / "var")}), storage_dir=tmp_path / "files")
    local = store_from_settings(base)
    assert isinstance(local, LocalFolderStore) and local.root == tmp_path / "files"

    remote = store_from_settings(replace(base, s3_endpoint="https://minio.example.org", s3_bucket="certs"))
    assert isinstance(remote, S3Store) and remote.bucket == "certs"

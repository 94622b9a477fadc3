"""An upload that fails halfway leaves nothing behind, so no record ever points at a missing file."""

from __future__ import annotations

import pytest

from storage import CertificateStore, S3Store, StorageUnavailable
from storage.serving import download_headers
from storage.uploads import stored_upload
from storage.validation import InspectedFile, inspect_upload
from tests.storage.conftest import free_port
from tests.storage.files import pdf_with_text

CERTIFICATE = pdf_with_text(["Certificate of Completion"])


def _accepted(name: str = "../../cert\x00.pdf") -> InspectedFile:
    result = inspect_upload(CERTIFICATE, name, 10 * 1024 * 1024)
    assert isinstance(result, InspectedFile)
    return result


async def test_a_committed_upload_keeps_the_file_under_a_generated_key(store: CertificateStore) -> None:
    async with stored_upload(store, _accepted(), CERTIFICATE) as key:
        pass
    assert key.startswith("certificates/") and "cert" not in key.removeprefix("certificates/")
    assert await store.get(key) == CERTIFICATE


async def test_a_database_error_after_storing_removes_the_file(store: CertificateStore) -> None:
    with pytest.raises(RuntimeError, match="database is locked"):
        async with stored_upload(store, _accepted(), CERTIFICATE) as key:
            assert await store.exists(key)
            raise RuntimeError("database is locked")
    assert not await store.exists(key)


async def test_a_store_that_is_down_fails_before_any_record_is_written() -> None:
    store = S3Store(f"http://127.0.0.1:{free_port()}", "key", "secret", "muster", timeout_seconds=1)
    reached_database = False
    with pytest.raises(StorageUnavailable):
        async with stored_upload(store, _accepted(), CERTIFICATE):
            reached_database = True
    assert not reached_database


def test_downloads_are_attachments_that_browsers_must_not_sniff() -> None:
    headers = download_headers("Gewaltprävention \"final\".pdf", "application/pdf")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Gewaltpr_vention _final_.pdf\"; "
        "filename*=UTF-8''Gewaltpr%C3%A4vention%20%22final%22.pdf"
    )
    assert headers["Cache-Control"] == "no-store"

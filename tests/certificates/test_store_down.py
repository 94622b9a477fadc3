"""The object store is down during an upload: a clear message, nothing half-stored, nothing pointing nowhere."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import CertificateSubmission, CertificateVersion, OutboxMessage
from settings import Settings
from storage.uploads import TRY_AGAIN
from tests.certificates.support import certificate_pdf, upload


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """A store that cannot write: its folder is a plain file, as unusable as an unreachable bucket."""
    blocked = tmp_path / "store-is-down"
    blocked.write_text("not a folder")
    return replace(settings, storage_dir=blocked)


async def test_an_upload_while_the_store_is_down_says_try_again_and_keeps_nothing(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    response = await upload(officer, certificate_pdf())

    assert response.status_code == 503
    assert TRY_AGAIN.replace("'", "&#39;") in response.text or TRY_AGAIN in response.text
    async with session_factory() as session:
        for table in (CertificateSubmission, CertificateVersion, OutboxMessage):
            assert await session.scalar(select(func.count()).select_from(table)) == 0, table.__name__
    assert settings.storage_dir.read_text() == "not a folder"

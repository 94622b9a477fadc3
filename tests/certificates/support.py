"""Uploading certificates through the portal as an officer's browser does, and reading the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CertificateSubmission, OutboxMessage, Task, TaskKind, TaskStatus
from tests.portal.conftest import Browser
from tests.storage.files import pdf_with_text

FIELDS = {
    "course_title": "Crisis Intervention Team",
    "provider": "Regional Academy",
    "course_number": "CIT-2026",
    "started_on": "2026-10-05",
    "completed_on": "2026-10-09",
    "hours": "40",
    "credit_crisis_intervention": "8",
}


def certificate_pdf(title: str = "Crisis Intervention Team") -> bytes:
    return pdf_with_text(["Certificate of Completion", "This certifies that Olly Officer",
                          f"has successfully completed {title}", "Provider: Regional Academy",
                          "Course number: CIT-2026", "Completed on October 9, 2026", "40 contact hours"])


async def upload(browser: Browser, data: bytes, name: str = "certificate.pdf", url: str = "/certificates/new",
                 content_type: str = "application/pdf", **changes: str) -> Any:
    fields = {**FIELDS, **changes}
    return await browser.post(url, {k: v for k, v in fields.items()}, files={"certificate": (name, data, content_type)})


def stored_files(storage_dir: Path) -> list[Path]:
    if not storage_dir.exists():
        return []
    return [path for path in storage_dir.rglob("*") if path.is_file()]


async def submissions(factory: async_sessionmaker[AsyncSession]) -> list[CertificateSubmission]:
    async with factory() as session:
        return list(await session.scalars(select(CertificateSubmission).order_by(CertificateSubmission.id)))


async def outbox_for(factory: async_sessionmaker[AsyncSession], workflow_id: str) -> OutboxMessage | None:
    async with factory() as session:
        return await session.scalar(select(OutboxMessage).where(OutboxMessage.workflow_id == workflow_id))


async def open_review_task(factory: async_sessionmaker[AsyncSession], submission_id: int) -> Task | None:
    async with factory() as session:
        return await session.scalar(
            select(Task).where(Task.kind == TaskKind.REVIEW_CERTIFICATE, Task.subject_id == submission_id,
                               Task.status == TaskStatus.OPEN)
        )

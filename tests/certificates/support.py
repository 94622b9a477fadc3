"""Uploading certificates through the portal as an officer's browser does, and reading the result."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import CertificateSubmission, OutboxMessage, Person, Task, TaskKind, TaskStatus
from services.certificates import submit_certificate
from services.training_records import RECORD_FIELDS, RecordForm, validate_record_form
from settings import Settings
from storage import store_from_settings
from storage.validation import InspectedFile, inspect_upload
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
                 content_type: str = "application/pdf", htmx: bool = False, **changes: str) -> Any:
    fields = {**FIELDS, **changes}
    return await browser.post(url, {k: v for k, v in fields.items()}, htmx=htmx,
                              files={"certificate": (name, data, content_type)})


async def submit_directly(factory: async_sessionmaker[AsyncSession], settings: Settings, officer_id: int,
                          data: bytes, *, training_request_id: int | None = None,
                          **changes: str) -> CertificateSubmission:
    """Store a certificate with its outbox row as the upload page does, without the portal."""
    upload = inspect_upload(data, "certificate.pdf", settings.max_upload_bytes)
    assert isinstance(upload, InspectedFile), upload
    async with factory() as session:
        officer = await session.get_one(Person, officer_id)
        return await submit_certificate(session, store_from_settings(settings), officer, upload, data,
                                        record_form(**changes), settings.workflow_id_prefix,
                                        training_request_id=training_request_id)


def record_form(**changes: str) -> RecordForm:
    fields = {**FIELDS, **changes}
    values = {name: fields.get(name, "") for name in RECORD_FIELDS}
    credits = {name.removeprefix("credit_"): value for name, value in fields.items() if name.startswith("credit_")}
    form = validate_record_form(values, credits, date.today())
    assert isinstance(form, RecordForm), form
    return form


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

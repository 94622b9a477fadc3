"""An officer's polyglot or PDF bomb, through the portal: refused with a plain message, nothing stored,
and the certificate form still there to use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEvent
from tests.certificates.support import certificate_pdf, stored_files, submissions, upload
from tests.record_reports.support import add_record, file_report, reports
from tests.storage import hostile_files as made

HIDDEN = "This file has another file (an archive, a program or a document) hidden inside it."
TOO_COMPLEX = "This PDF is too large or complex for us to read its details. Please fill them in yourself."
BOMB = made.content_stream_bomb(b" " * 8_000_000)


def _jpeg_with_zip_before_its_end() -> bytes:
    jpeg = made.pillow_jpeg()
    return jpeg[:-2] + made.HIDDEN_ZIP + jpeg[-2:]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("certificate.pdf", certificate_pdf() + made.HIDDEN_ZIP, "application/pdf"),
        ("certificate.jpg", _jpeg_with_zip_before_its_end(), "image/jpeg"),
    ],
    ids=["pdf-with-zip-appended", "jpeg-with-zip-before-its-end"],
)
async def test_a_polyglot_certificate_is_refused_with_the_message_and_nothing_is_stored(
    browsers, demo_org, session_factory, settings, name, data, content_type
):
    officer = await browsers("officer1")
    response = await upload(officer, data, name=name, content_type=content_type)

    assert response.status_code == 422
    assert HIDDEN in response.text
    assert 'name="course_title"' in response.text  # the form again, to choose another file
    assert await submissions(session_factory) == []
    assert stored_files(settings.storage_dir) == []
    async with session_factory() as session:
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.upload"))
    assert audit is not None and audit.outcome == "denied" and audit.detail == {"reason": "hidden_file"}


async def test_reading_details_from_a_pdf_bomb_says_so_and_leaves_the_form_usable(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    response = await upload(officer, BOMB, url="/certificates/read-details", htmx=True,
                            course_title="My own title", provider="", hours="", completed_on="", course_number="")

    assert response.status_code == 200
    assert TOO_COMPLEX in response.text
    assert 'id="certificate-details"' in response.text and 'value="My own title"' in response.text
    assert await submissions(session_factory) == [] and stored_files(settings.storage_dir) == []


async def test_uploading_a_pdf_bomb_with_details_missing_says_so_instead_of_reading_it(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    response = await upload(officer, BOMB, course_title="", provider="", hours="", completed_on="")

    assert response.status_code == 200
    assert TOO_COMPLEX in response.text
    assert "Choose the certificate file again." in response.text
    assert await submissions(session_factory) == [] and stored_files(settings.storage_dir) == []


async def test_a_polyglot_record_report_attachment_is_refused_the_same_way(
    browsers, demo_org, session_factory, settings
):
    # Record-report attachments go through the same upload check (services.certificates.inspect).
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    officer = await browsers("officer1")
    response = await file_report(officer, record=str(record_id), files={
        "attachment": ("roster.png", made.pillow_png() + made.HIDDEN_ZIP, "image/png")})

    assert response.status_code == 422
    assert HIDDEN in response.text
    assert await reports(session_factory) == [] and stored_files(settings.storage_dir) == []

"""Uploading a certificate through the portal: what is accepted, refused, stored and shown."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from compliance.wording import format_date
from models import AuditEvent, CertificateVersion
from tests.certificates.support import (
    certificate_pdf,
    outbox_for,
    stored_files,
    submissions,
    upload,
)
from tests.storage.files import jpeg, png, zip_of


async def test_officer_uploads_a_pdf_and_it_is_stored_with_its_review_queued(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    response = await upload(officer, certificate_pdf(), name="../../My CIT certificate.pdf")

    assert response.status_code == 303, response.text
    [submission] = await submissions(session_factory)
    assert response.headers["location"] == f"/certificates?uploaded={submission.id}"
    assert submission.officer_id == demo_org.officer1 and submission.status == "awaiting_review"
    assert submission.workflow_id == f"{settings.workflow_id_prefix}certificate-review-{submission.id}"
    message = await outbox_for(session_factory, submission.workflow_id)
    assert message is not None and message.payload == {"submission_id": submission.id}
    async with session_factory() as session:
        version = await session.scalar(select(CertificateVersion))
        assert version is not None
        assert version.display_name == "My CIT certificate.pdf"
        assert re.fullmatch(r"certificates/\d{4}/\d{2}/[0-9a-f]{32}", version.object_key)
        assert len(version.sha256) == 64 and version.content_type == "application/pdf"
        audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.upload"))
        assert audit is not None and audit.outcome == "success"
    [stored] = stored_files(settings.storage_dir)
    assert stored.read_bytes() == certificate_pdf()

    page = await officer.get("/certificates")
    assert "Crisis Intervention Team" in page.text and "Waiting for review" in page.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("certificate.pdf", b"MZ\x90\x00" + b"\x00" * 200, "Programs and scripts are not accepted"),
        ("certificate.pdf", certificate_pdf()[:-40], "The PDF is damaged"),
        ("certificate.pdf", zip_of("certificate.pdf", certificate_pdf()), "Archives (ZIP, RAR, 7z and similar)"),
        ("certificate.pdf", b"", "The file is empty"),
    ],
    ids=["exe-renamed-pdf", "truncated-pdf", "zip", "empty"],
)
async def test_hostile_or_broken_files_are_refused_and_nothing_is_stored(
    browsers, demo_org, session_factory, settings, name, data, message
):
    officer = await browsers("officer1")
    response = await upload(officer, data, name=name)

    assert response.status_code == 422
    assert message in response.text
    assert await submissions(session_factory) == []
    assert stored_files(settings.storage_dir) == []


async def test_an_upload_declared_larger_than_the_cap_is_refused_with_413_before_reading(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    too_big = str(settings.max_upload_bytes + 200 * 1024)
    response = await officer.client.post(
        "/certificates/new", content=b"x" * 10, headers={
            "x-csrftoken": officer.csrf(), "content-type": "multipart/form-data; boundary=xyz",
            "content-length": too_big,
        },
    )
    assert response.status_code == 413
    assert "The file is larger than 10 MB" in response.text
    assert stored_files(settings.storage_dir) == []


async def test_a_file_over_the_cap_is_refused_with_413(browsers, demo_org, session_factory, settings):
    officer = await browsers("officer1")
    data = certificate_pdf()
    padded = data[:-6] + b" " * (settings.max_upload_bytes - len(data) + 10) + data[-6:]
    response = await upload(officer, padded)
    assert response.status_code == 413
    assert "larger than 10 MB" in response.text
    assert stored_files(settings.storage_dir) == []


async def test_the_same_file_uploaded_twice_is_flagged_not_blocked(browsers, demo_org, session_factory, settings):
    officer = await browsers("officer1")
    assert (await upload(officer, png(), name="scan.png", content_type="image/png")).status_code == 303
    assert (await upload(officer, png(), name="scan again.png", content_type="image/png")).status_code == 303

    first, second = await submissions(session_factory)
    async with session_factory() as session:
        versions = list(await session.scalars(select(CertificateVersion).order_by(CertificateVersion.id)))
    assert versions[0].duplicate_of_id is None
    assert versions[1].duplicate_of_id == versions[0].id
    page = await officer.get("/certificates")
    # The day it was uploaded on the demo agency's calendar (Minnesota), in words.
    uploaded_on = format_date(versions[0].uploaded_at.astimezone(ZoneInfo("America/Chicago")).date())
    assert f"You uploaded this file before on {uploaded_on}" in page.text


async def test_missing_details_are_prefilled_from_the_pdf_text(browsers, demo_org, session_factory):
    officer = await browsers("officer1")
    response = await upload(officer, certificate_pdf(), course_title="", provider="", hours="", completed_on="",
                            course_number="")
    assert response.status_code == 200
    assert "We filled in the details we could read from your PDF" in response.text
    assert 'value="Regional Academy"' in response.text
    assert 'value="2026-10-09"' in response.text
    assert "Choose the certificate file again." in response.text
    assert await submissions(session_factory) == []


async def test_choosing_a_pdf_fills_the_empty_details_in_place_and_keeps_what_was_typed(
    browsers, demo_org, session_factory, settings
):
    officer = await browsers("officer1")
    response = await upload(officer, certificate_pdf(), url="/certificates/read-details", htmx=True,
                            course_title="My own title", provider="", hours="", completed_on="", course_number="")
    assert response.status_code == 200
    assert 'id="certificate-details"' in response.text
    assert "<html" not in response.text  # a fragment for htmx to swap, not a page
    assert "We filled in the details we could read from your PDF" in response.text
    assert 'value="My own title"' in response.text  # typed by the officer: kept
    assert 'value="Regional Academy"' in response.text and 'value="2026-10-09"' in response.text
    assert await submissions(session_factory) == [] and stored_files(settings.storage_dir) == []


async def test_reading_details_from_a_hostile_file_says_why_and_stores_nothing(browsers, demo_org, session_factory,
                                                                                settings):
    officer = await browsers("officer1")
    response = await upload(officer, b"MZ\x90\x00" + b"\x00" * 200, url="/certificates/read-details", htmx=True)
    assert response.status_code == 200
    assert "Programs and scripts are not accepted" in response.text
    assert await submissions(session_factory) == [] and stored_files(settings.storage_dir) == []


async def test_files_are_served_to_the_owner_inline_or_as_download_and_hidden_from_other_officers(
    browsers, demo_org, session_factory
):
    officer = await browsers("officer1")
    await upload(officer, jpeg(), name="photo.jpg", content_type="image/jpeg")
    [submission] = await submissions(session_factory)

    inline = await officer.get(f"/certificates/{submission.id}/file?version=1")
    assert inline.status_code == 200 and inline.content == jpeg()
    assert inline.headers["content-disposition"].startswith("inline;")
    assert inline.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in inline.headers["content-security-policy"]
    download = await officer.get(f"/certificates/{submission.id}/file?version=1&download=1")
    assert download.headers["content-disposition"].startswith("attachment;")

    other = await browsers("officer2")
    assert (await other.get(f"/certificates/{submission.id}/file?version=1")).status_code == 404
    supervisor = await browsers("sgt1")
    assert (await supervisor.get(f"/certificates/{submission.id}/file?version=1")).status_code == 200
    async with session_factory() as session:
        outcomes = list(await session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "certificate.download").order_by(AuditEvent.id)
        ))
    assert outcomes == ["success", "success", "denied", "success"]

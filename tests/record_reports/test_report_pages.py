"""Filing and reading record error reports through the portal: what is accepted, refused, stored and shown."""

from __future__ import annotations

import re

from sqlalchemy import select

from models import OutboxMessage
from tests.certificates.support import certificate_pdf, stored_files
from tests.record_reports.support import add_record, audit_rows, file_report, report_id_from, reports
from tests.storage.files import png


async def test_officer_reports_an_error_from_the_history_with_proof_attached(
    browsers, demo_org, session_factory, settings
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    officer = await browsers("officer1")
    history = await officer.get("/records")
    assert f'href="/records/reports/new?record={record_id}"' in history.text
    assert "My record reports" in history.text
    form = await officer.get(f"/records/reports/new?record={record_id}")
    assert f'<option value="{record_id}" selected>' in form.text

    response = await file_report(officer, record=str(record_id),
                                 files={"attachment": ("../roster scan.png", png(), "image/png")})
    report_id = report_id_from(response)

    [report] = await reports(session_factory)
    assert (report.id, report.officer_id, report.record_id, report.kind) == (
        report_id, demo_org.officer1, record_id, "hours_wrong")
    assert report.status == "open" and report.workflow_id == f"{settings.workflow_id_prefix}record-report-{report_id}"
    assert report.attachment_name == "roster scan.png" and report.attachment_content_type == "image/png"
    assert re.fullmatch(r"certificates/\d{4}/\d{2}/[0-9a-f]{32}", report.attachment_key or "")
    [stored] = stored_files(settings.storage_dir)
    assert stored.read_bytes() == png()
    async with session_factory() as session:
        message = await session.scalar(select(OutboxMessage).where(OutboxMessage.workflow_id == report.workflow_id))
    assert message is not None and message.payload == {"report_id": report_id}
    [audit] = await audit_rows(session_factory, "record_report.file")
    assert audit.outcome == "success" and audit.detail["attachment_sha256"] == report.attachment_sha256

    page = await officer.get(response.headers["location"])
    assert "Your report has been sent to the training coordinators." in page.text
    assert "Download roster scan.png" in page.text and "Withdraw this report" in page.text
    download = await officer.get(f"/records/reports/{report_id}/attachment")
    assert download.status_code == 200 and download.content == png()
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    mine = await officer.get("/records/reports")
    assert "Hours wrong: Firearms qualification" in mine.text and "Waiting for a training coordinator" in mine.text

    coordinator = await browsers("coord1")
    queue = await coordinator.get("/records/reports/review")
    assert "Olly Officer" in queue.text and f'href="/records/reports/{report_id}"' in queue.text


async def test_hostile_input_is_refused_with_messages_and_nothing_typed_is_lost(
    browsers, demo_org, session_factory, settings
):
    other_record = await add_record(session_factory, demo_org, demo_org.officer2, title="Someone else's course")
    officer = await browsers("officer1")
    response = await file_report(officer, record=str(other_record),
                                 description="The hours are wrong \x1b[2J and more")
    assert response.status_code == 200
    assert "Choose the record that is wrong." in response.text
    assert "Remove the control characters" in response.text
    assert "The hours are wrong" in response.text  # what was typed is shown again
    assert "Someone else&#39;s course" not in response.text and "Someone else's course" not in response.text

    missing = await file_report(officer, kind="missing_course", description="CIT is missing",
                                course_title="Crisis Intervention Team", hours="lots", completed_on="2999-01-01")
    assert missing.status_code == 200
    assert "Enter the hours as a number" in missing.text and "not in the future" in missing.text
    assert 'value="Crisis Intervention Team"' in missing.text and 'value="lots"' in missing.text

    too_long = await file_report(officer, kind="missing_course", description="x" * 2001)
    assert "Use at most 2000 characters." in too_long.text
    nothing = await file_report(officer, kind="bogus", description="")
    assert "Choose what is wrong." in nothing.text and "Describe what is wrong" in nothing.text
    assert await reports(session_factory) == [] and stored_files(settings.storage_dir) == []

    script = "<script>alert(1)</script> hours are wrong"
    own_record = await add_record(session_factory, demo_org, demo_org.officer1)
    report_id = report_id_from(await file_report(officer, record=str(own_record), description=script))
    page = await officer.get(f"/records/reports/{report_id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_an_attachment_refused_by_its_content_leaves_nothing_stored(browsers, demo_org, session_factory,
                                                                         settings):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    officer = await browsers("officer1")
    response = await file_report(officer, record=str(record_id), description="See the roster attached",
                                 files={"attachment": ("roster.pdf", b"MZ\x90\x00" + b"\x00" * 200,
                                                       "application/pdf")})
    assert response.status_code == 422
    assert "Programs and scripts are not accepted" in response.text
    assert "See the roster attached" in response.text
    assert await reports(session_factory) == [] and stored_files(settings.storage_dir) == []
    [audit] = await audit_rows(session_factory, "record_report.file")
    assert audit.outcome == "denied" and audit.detail == {"reason": "executable"}

    # A good file with a bad form is not kept either: the officer is asked to choose it again.
    again = await file_report(officer, record=str(record_id), description="",
                              files={"attachment": ("c.pdf", certificate_pdf(), "application/pdf")})
    assert again.status_code == 200 and "Choose the file again." in again.text
    assert stored_files(settings.storage_dir) == []


async def test_a_report_and_its_attachment_are_shown_only_to_those_who_may_see_the_officers_records(
    browsers, demo_org, session_factory, settings
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    officer = await browsers("officer1")
    report_id = report_id_from(await file_report(officer, record=str(record_id),
                                                 files={"attachment": ("scan.png", png(), "image/png")}))
    urls = [f"/records/reports/{report_id}", f"/records/reports/{report_id}/attachment"]
    for username in ("officer2", "sgt2"):
        stranger = await browsers(username)
        for url in urls:
            assert (await stranger.get(url)).status_code == 404, (username, url)
        assert (await stranger.post(f"/records/reports/{report_id}/withdraw")).status_code == 404
        assert "Firearms qualification" not in (await stranger.get("/records/reports")).text
    assert len(await audit_rows(session_factory, "record_report.view")) == 2

    sergeant = await browsers("sgt1")  # officer1's sergeant: may look, may not resolve or withdraw
    for url in urls:
        assert (await sergeant.get(url)).status_code == 200, url
    page = await sergeant.get(urls[0])
    assert "Decline the report" not in page.text and "Withdraw this report" not in page.text
    refused = await sergeant.post(f"/records/reports/{report_id}/resolve", {"action": "decline", "reason": "No"})
    assert refused.status_code == 403
    assert (await sergeant.post(f"/records/reports/{report_id}/withdraw")).status_code == 403
    assert (await sergeant.get("/records/reports/review")).status_code == 404
    [report] = await reports(session_factory)
    assert report.status == "open"

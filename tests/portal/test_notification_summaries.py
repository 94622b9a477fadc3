"""In-app notifications are a title, one sentence, when (agency time) and a link the reader can open."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from activities.certificates import CertificateActivities, ReviewNotice
from activities.licensing_cycles import LicensingCycleActivities
from activities.notifications import NotificationActivities, NotifyInput
from activities.record_import import RecordImportActivities
from activities.record_reports import RecordReportActivities, ReportNotice
from activities.reimbursement_reminders import reminder_text
from models import ImportStatus, Notification, RecordErrorReport, RecordImport, ReportKind
from tests.certificates.support import certificate_pdf, submit_directly
from tests.support import create_request
from workflows.licensing_cycle_types import ComplianceCaseInput, ReminderInput
from workflows.reimbursement_reminders_types import ReminderRound

MISSING = ["6 more crisis-intervention credits by 30 June 2027", "1 more autism credit by 30 June 2027"]


async def _write_one_of_each(session_factory, settings, demo_org, temporal) -> None:  # type: ignore[no-untyped-def]
    """Every kind of notification, written by the activity that writes it in production."""
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    requests = NotificationActivities(session_factory, settings)
    await requests.create_request_notifications(NotifyInput(
        key="t", request_id=request_id, event="submitted", person_ids=[demo_org.officer1, demo_org.sgt1]))
    await requests.create_request_notifications(NotifyInput(
        key="t", request_id=request_id, event="approved", person_ids=[demo_org.officer1], actor_id=demo_org.sgt1,
        comment="Go."))
    await requests.create_request_notifications(NotifyInput(
        key="t", request_id=request_id, event="settings_problem", person_ids=[], coordinators=True,
        comment="The approval chain names nobody."))
    cycles = LicensingCycleActivities(session_factory, settings)
    await cycles.send_compliance_reminder(ReminderInput(key="remind", officer_id=demo_org.officer1,
                                                        due_on="2027-06-30", days_before=30, missing=MISSING,
                                                        copy_supervisor=True))
    await cycles.open_compliance_case(ComplianceCaseInput(key="cycle-o1:case:2027-06-30", workflow_id="cycle-o1",
                                                          officer_id=demo_org.officer1, cycle_end="2027-06-30",
                                                          missing=MISSING))
    submission = await submit_directly(session_factory, settings, demo_org.officer1, certificate_pdf())
    certificates = CertificateActivities(session_factory, temporal, settings)
    await certificates.notify(ReviewNotice(key="cert", submission_id=submission.id, event="escalated",
                                           to_coordinators=True, to_admins=True, waited_business_days=5))
    await certificates.notify(ReviewNotice(key="cert", submission_id=submission.id, event="rejected",
                                           to_officer=True, actor_id=demo_org.coord1, reason="Unreadable."))
    async with session_factory() as session, session.begin():
        report = RecordErrorReport(agency_id=demo_org.agency_id, officer_id=demo_org.officer1,
                                   kind=ReportKind.MISSING_COURSE, description="Course title: Firearms day")
        record_import = RecordImport(agency_id=demo_org.agency_id, uploaded_by_id=demo_org.coord1,
                                     file_name="board.csv", sha256="0" * 64, status=ImportStatus.IMPORTING,
                                     total_rows=3, valid_rows=2, error_rows=1, imported_rows=2,
                                     workflow_id="import-t")
        session.add_all([report, record_import])
    reports = RecordReportActivities(session_factory, temporal, settings)
    await reports.notify(ReportNotice(key="report", report_id=report.id, event="reported", to_coordinators=True))
    await reports.notify(ReportNotice(key="report", report_id=report.id, event="escalated", to_admins=True,
                                      waited_business_days=5))
    await RecordImportActivities(session_factory, temporal, settings).complete_import(record_import.id)


def _one_sentence(text: str) -> bool:
    return (text.endswith(".") and "\n" not in text and "-- " not in text and "http" not in text
            and len(re.findall(r"[.!?](?:\s|$)", text)) == 1)


async def test_each_kind_of_notification_is_a_title_a_sentence_and_a_link_its_reader_opens(
        browsers, session_factory, settings, demo_org, unreachable_temporal):
    await _write_one_of_each(session_factory, settings, demo_org, unreachable_temporal)
    async with session_factory() as session:
        rows = list(await session.scalars(select(Notification).order_by(Notification.id)))
    usernames = {getattr(demo_org, name): name for name in ("officer1", "sgt1", "coord1", "admin1")}
    readers = {person_id: await browsers(name) for person_id, name in usernames.items()}
    # By hand: submitted (officer, sgt) 2, approved 1, settings problem (coord) 1, reminder (officer, sgt) 2,
    # case (officer, coord) 2, certificate escalated (coord, admin) 2 + rejected 1, report reported (coord) 1
    # + escalated (admin) 1, import 1.
    assert len(rows) == 14
    for row in rows:
        assert row.title and not row.title.startswith("[Muster]"), row.subject
        assert row.summary and _one_sentence(row.summary), row.summary
        assert row.body.endswith("Muster training compliance") or "-- " not in row.body  # the mail is untouched
        assert row.link and row.link.startswith("/"), row.subject
        opened = await readers[row.person_id].get(row.link)
        assert opened.status_code == 200, (row.subject, usernames[row.person_id], row.link)
    supervisor_copy = next(row for row in rows if row.key == f"remind:{demo_org.sgt1}")
    assert supervisor_copy.link == f"/officers/{demo_org.officer1}/dashboard"
    assert supervisor_copy.summary == ("Officer Olly Officer has 2 training requirements to complete by 30 June 2027, "
                                       "30 days from now.")
    imported = next(row for row in rows if row.key.startswith("import-t"))
    assert imported.summary == "2 training records imported from board.csv; 1 row was not imported because of errors."


async def test_the_list_shows_title_sentence_link_and_when_in_the_agency_zone_not_the_mail(
        browsers, session_factory, settings, demo_org):
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    await NotificationActivities(session_factory, settings).create_request_notifications(NotifyInput(
        key="t", request_id=request_id, event="approved", person_ids=[demo_org.officer1], actor_id=demo_org.sgt1,
        comment="Bring your vest."))
    async with session_factory() as session, session.begin():
        # 03:05 UTC on 4 December is 21:05 the evening before in Chicago (CST, UTC-6), the agency's zone.
        await session.execute(update(Notification).values(created_at=datetime(2026, 12, 4, 3, 5, tzinfo=UTC)))
    page = (await (await browsers("officer1")).get("/notifications")).text
    assert f'<a href="/requests/{request_id}">Request approved: Crisis Intervention Team course</a>' in page
    assert "<p>Sergeant Sam Sergeant approved your training request.</p>" in page
    assert "3 December 2026 at 21:05 (CST)" in page and "UTC" not in page
    assert "Bring your vest." not in page and "Muster training compliance" not in page  # those stay in the mail
    assert "Mark as read</button>" in page


async def test_a_notification_written_before_summaries_still_reads_as_a_title_and_a_sentence(
        browsers, session_factory, demo_org):
    async with session_factory() as session, session.begin():
        session.add(Notification(key="old", person_id=demo_org.officer1, link="/requests",
                                 subject="[Muster] Request denied: Firearms day",
                                 body="Sgt. Ramos denied your training request. Ask them why.\n\nTraining: Firearms "
                                      "day\nOfficer: Olly Officer\n\nOpen the request: http://x/requests/9\n\n"
                                      "-- Muster training compliance"))
    page = (await (await browsers("officer1")).get("/notifications")).text
    assert '<a href="/requests">Request denied: Firearms day</a>' in page
    assert "<p>Sgt. Ramos denied your training request.</p>" in page
    assert "Ask them why" not in page and "Training: Firearms" not in page and "-- Muster" not in page


def test_a_reimbursement_reminder_lists_without_its_greeting():
    subject, body = reminder_text(ReminderRound(fiscal_year=2027, day="06-01", overdue=False), "Cora", "Draft")
    from models.notifications import first_sentence

    sentence = first_sentence(body)
    assert not sentence.startswith("Hello") and _one_sentence(sentence), sentence
    assert sentence.startswith("The agency's Minnesota POST reimbursement application for")

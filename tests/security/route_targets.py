"""The objects the route walk (test_route_permissions.py) acts on: requests, tasks, records, reports,
imports and a notification of officer1 (in sgt1's chain) and of officer2 (outside it), inserted as
rows (no workflow runs). Text that belongs to officer2 carries a MARK-...-O2 marker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email.message import EmailMessage

from litestar import Litestar
from sqlalchemy import update

from models import (
    Notification,
    RecordErrorReport,
    RecordImport,
    RecordImportRow,
    RecordSource,
    ReportKind,
    RequestStatus,
    Task,
    TaskKind,
    TaskQueue,
    TrainingRecord,
    TrainingRequest,
    UserAccount,
    record_report_workflow_id,
    utcnow,
)
from portal.app import PORTAL_DIR
from tests.roster_import.support import walk_targets
from tests.support import Org, create_request


@dataclass
class Targets:
    org: Org
    req_o1: int  # officer1's, changes requested: he may edit and withdraw it
    req_o1_review: int  # officer1's, waiting for sgt1 (task_sgt1)
    req_o2: int  # officer2's, waiting for sgt2 (task_sgt2)
    req_o2_escalated: int  # officer2's, in the coordinators' queue (task_queue)
    task_sgt1: int
    task_sgt2: int
    task_queue: int
    case_task: int  # an end-of-cycle compliance case about officer2
    record_o1: int
    record_o2: int
    notification_o2: int
    officer2_user: int
    mail_name: str
    static_name: str
    # Open record error reports of officer1 and officer2 (their workflows are not running).
    report_o1: int = 0
    report_o2: int = 0
    # CSV imports in preview, each with one valid row of officer2: one to start, one to cancel.
    import_start: int = 0
    import_cancel: int = 0
    # Roster imports in preview (tests/roster_import/support.walk_targets): one to start, one to cancel.
    roster_import_start: int = 0
    roster_import_cancel: int = 0



async def _add_request(session_factory, org: Org, officer: int, title: str, status: RequestStatus,
                       prefix: str) -> tuple[int, str]:
    request_id, _ = await create_request(session_factory, org, officer, title=title, workflow_id_prefix=prefix)
    async with session_factory() as session, session.begin():
        request = await session.get_one(TrainingRequest, request_id)
        request.status = status
        return request_id, request.workflow_id or ""


async def build_targets(session_factory, org: Org, settings) -> Targets:
    prefix = settings.workflow_id_prefix
    req_o1, _ = await _add_request(session_factory, org, org.officer1, "MARK-REQ-O1", RequestStatus.CHANGES_REQUESTED,
                                   prefix)
    req_o1_review, wf_o1 = await _add_request(session_factory, org, org.officer1, "MARK-REQ-O1B",
                                              RequestStatus.IN_REVIEW, prefix)
    req_o2, wf_o2 = await _add_request(session_factory, org, org.officer2, "MARK-REQ-O2", RequestStatus.IN_REVIEW,
                                       prefix)
    req_o2_escalated, wf_o2e = await _add_request(session_factory, org, org.officer2, "MARK-REQ-O2 escalated",
                                                  RequestStatus.ESCALATED, prefix)
    async with session_factory() as session, session.begin():
        def task(key: str, subject: int, workflow_id: str, assignee: int | None, queue: str | None,
                 kind: str = TaskKind.APPROVE_TRAINING_REQUEST) -> Task:
            row = Task(key=key, agency_id=org.agency_id, kind=kind, subject_type="training_request" if
                       kind == TaskKind.APPROVE_TRAINING_REQUEST else "person", subject_id=subject,
                       workflow_id=workflow_id, assignee_id=assignee, queue=queue)
            session.add(row)
            return row

        tasks = [
            task(f"{wf_o1}:1", req_o1_review, wf_o1, org.sgt1, None),
            task(f"{wf_o2}:1", req_o2, wf_o2, org.sgt2, None),
            task(f"{wf_o2e}:2", req_o2_escalated, wf_o2e, None, TaskQueue.COORDINATORS),
            task(f"{prefix}licensing-cycle-{org.officer2}:case:2026-06-30", org.officer2,
                 f"{prefix}licensing-cycle-{org.officer2}", None, TaskQueue.COORDINATORS, TaskKind.COMPLIANCE_CASE),
        ]
        records = [
            TrainingRecord(agency_id=org.agency_id, officer_id=officer, course_title=title, provider="Academy",
                           completed_on=date(2024, 4, 1), hours=Decimal("8"), source=RecordSource.SEED, credits=[])
            for officer, title in ((org.officer1, "MARK-REC-O1"), (org.officer2, "MARK-REC-O2"))
        ]
        note = Notification(key="walk:o2", person_id=org.officer2, subject="MARK-NOTE-O2", body="MARK-NOTE-O2")
        session.add_all([*records, note])
        await session.flush()
        await session.execute(update(UserAccount).where(UserAccount.id == org.users["officer2"])
                              .values(locked_at=utcnow(), failed_logins=5))
        ids = [row.id for row in tasks], [row.id for row in records], note.id

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "muster@localhost", "sgt1@test.example", "Walk"
    mail.set_content("A message in the development mailbox.")
    (settings.dev_mailbox_dir / "0001-walk.eml").write_bytes(mail.as_bytes())
    static_name = sorted(p.name for p in (PORTAL_DIR / "static").iterdir() if p.is_file())[0]
    (task_sgt1, task_sgt2, task_queue, case_task), (record_o1, record_o2), notification_o2 = ids
    targets = Targets(org, req_o1, req_o1_review, req_o2, req_o2_escalated, task_sgt1, task_sgt2, task_queue,
                      case_task, record_o1, record_o2, notification_o2, org.users["officer2"], "0001-walk.eml",
                      static_name)
    targets.report_o1, targets.report_o2 = await _add_record_reports(session_factory, org, record_o1, record_o2,
                                                                     prefix)
    targets.import_start, targets.import_cancel = await _add_record_imports(session_factory, org)
    targets.roster_import_start, targets.roster_import_cancel = await walk_targets(session_factory, org)
    return targets


async def _add_record_reports(session_factory, org: Org, record_o1: int, record_o2: int, prefix: str
                              ) -> tuple[int, int]:
    async with session_factory() as session, session.begin():
        reports = [
            RecordErrorReport(agency_id=org.agency_id, officer_id=officer, record_id=record,
                              kind=ReportKind.HOURS_WRONG, description=f"{marker} hours are wrong")
            for officer, record, marker in ((org.officer1, record_o1, "MARK-REP-O1"),
                                            (org.officer2, record_o2, "MARK-REC-O2"))
        ]
        session.add_all(reports)
        await session.flush()
        for report in reports:
            report.workflow_id = record_report_workflow_id(report.id, prefix)
        return reports[0].id, reports[1].id


async def _add_record_imports(session_factory, org: Org) -> tuple[int, int]:
    async with session_factory() as session, session.begin():
        imports = [RecordImport(agency_id=org.agency_id, uploaded_by_id=org.coord1, file_name=f"walk-{n}.csv",
                                sha256=str(n) * 64, total_rows=1, valid_rows=1, error_rows=0, imported_rows=0)
                   for n in (1, 2)]
        session.add_all(imports)
        await session.flush()
        session.add_all(RecordImportRow(
            import_id=record_import.id, row_number=2, officer_id=org.officer2, raw={"course_title": "MARK-REC-O2"},
            parsed={"course_title": "MARK-REC-O2", "provider": "Academy", "course_number": None, "started_on": None,
                    "completed_on": "2024-05-01", "hours": "4", "credits": {}}, errors=[],
        ) for record_import in imports)
        return imports[0].id, imports[1].id


def served_routes(app: Litestar) -> set[tuple[str, str]]:
    """(method, path pattern) of every handler the app serves, OPTIONS and HEAD aside."""
    return {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in {"OPTIONS", "HEAD"}
    }

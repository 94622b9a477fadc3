"""Every route of the portal, walked as every role: who may use it, who is refused, and nobody sees a 500.

The routes come from the app itself (`app.routes`), so a route added anywhere is walked too. Each
(method, path pattern) must be classified in `expectations()`; an unclassified route fails the walk,
so nobody can ship a route without deciding who may use it. Concrete ids come from objects created
here: requests, records, tasks and notifications of officer1 (in sgt1's chain) and of officer2 (outside it).
"""

from __future__ import annotations

from models import (
    Notification,
)
from tests.portal.conftest import Browser
from tests.portal.helpers import FORM
from tests.security import (
    route_cases_accounts,
    route_cases_holidays,
    route_cases_navigation,
    route_cases_reimbursement,
    route_cases_roster,
    route_cases_roster_import,
)
from tests.security.route_rules import (
    ALLOW,
    DENY,
    LOGIN,
    LOGIN_FAILED,
    OFFICER1_READERS,
    OFFICER2_MARKERS,
    OFFICER2_READERS,
    PUBLIC,
    ROLES,
    TOKEN,
    UPLOAD_WITHOUT_FILE,
    Case,
    everyone,
    only,
)
from tests.security.route_targets import Targets, build_targets, served_routes
from tests.support import PASSWORD


def expectations(t: Targets) -> dict[tuple[str, str], list[Case]]:
    """Every route of the portal, keyed by (method, path pattern), with concrete cases per role."""
    o1, o2 = t.org.officer1, t.org.officer2
    record_form = {"course_title": "Refresher", "provider": "Academy", "course_number": "", "started_on": "",
                   "completed_on": "2024-05-01", "hours": "4", "reason": "Typo in hours"}
    reassign = {"new_approver_id": str(t.org.sgt1), "comment": "Please take this one"}
    table: dict[tuple[str, str], list[Case]] = {
        ("GET", "/healthz"): [Case("GET", "/healthz", everyone(PUBLIC, PUBLIC))],
        ("GET", "/static/{file_path:path}"): [Case("GET", f"/static/{t.static_name}", everyone(PUBLIC, PUBLIC))],
        ("GET", "/"): [Case("GET", "/", everyone(ALLOW))],
        # Signing in, second factor and password reset are open to all; without a pending sign-in
        # or a valid link they answer with the form, a redirect to /login or a refusal.
        ("GET", "/login"): [Case("GET", "/login", everyone(PUBLIC, PUBLIC))],
        ("POST", "/login"): [Case("POST", "/login", everyone(LOGIN_FAILED, LOGIN_FAILED),
                                  {"username": "nobody", "password": "wrong password"})],
        ("GET", "/login/mfa"): [Case("GET", "/login/mfa", everyone(PUBLIC, PUBLIC))],
        ("POST", "/login/mfa"): [Case("POST", "/login/mfa", everyone(PUBLIC, PUBLIC), {"code": "000000"})],
        ("GET", "/login/mfa/enrol"): [Case("GET", "/login/mfa/enrol", everyone(PUBLIC, PUBLIC))],
        ("POST", "/login/mfa/enrol"): [Case("POST", "/login/mfa/enrol", everyone(PUBLIC, PUBLIC), {"code": "0"})],
        ("GET", "/login/forgot"): [Case("GET", "/login/forgot", everyone(PUBLIC, PUBLIC))],
        ("POST", "/login/forgot"): [Case("POST", "/login/forgot", everyone(PUBLIC, PUBLIC),
                                         {"email": "nobody@test.example"})],
        ("GET", "/login/reset/{token:str}"): [Case("GET", "/login/reset/not-a-token",
                                                   everyone(TOKEN, TOKEN))],
        ("POST", "/login/reset/{token:str}"): [Case("POST", "/login/reset/not-a-token",
                                                    everyone(TOKEN, TOKEN),
                                                    {"new_password": "x", "confirm_password": "x"})],
        # Logout ends the session and sends everyone to /login; it is walked last for each role.
        ("POST", "/logout"): [Case("POST", "/logout", everyone(LOGIN))],
        # Own requests.
        ("GET", "/requests"): [Case("GET", "/requests", everyone(ALLOW))],
        ("POST", "/requests"): [Case("POST", "/requests", everyone(ALLOW), dict(FORM))],
        ("GET", "/requests/new"): [Case("GET", "/requests/new", everyone(ALLOW))],
        ("GET", "/requests/{request_id:int}"): [
            Case("GET", f"/requests/{t.req_o1}", OFFICER1_READERS),
            Case("GET", f"/requests/{t.req_o2}", OFFICER2_READERS),
            Case("GET", "/requests/999999", only()),
        ],
        ("GET", "/requests/{request_id:int}/timeline"): [
            Case("GET", f"/requests/{t.req_o1}/timeline", OFFICER1_READERS),
            Case("GET", f"/requests/{t.req_o2}/timeline", OFFICER2_READERS),
        ],
        ("GET", "/requests/{request_id:int}/edit"): [
            Case("GET", f"/requests/{t.req_o1}/edit", only("officer1")),
            Case("GET", f"/requests/{t.req_o2}/edit", only()),
        ],
        ("POST", "/requests/{request_id:int}/edit"): [
            Case("POST", f"/requests/{t.req_o1}/edit", only("officer1"), dict(FORM)),
            Case("POST", f"/requests/{t.req_o2}/edit", only(), dict(FORM)),
        ],
        ("POST", "/requests/{request_id:int}/withdraw"): [
            Case("POST", f"/requests/{t.req_o1}/withdraw", only("officer1"), {"comment": "No longer needed"}),
            Case("POST", f"/requests/{t.req_o2}/withdraw", only(), {"comment": "No longer needed"}),
        ],
        # Exemptions, waivers and leave: the agency's coordinators only.
        ("GET", "/officers/{officer_id:int}/waivers"): [Case("GET", f"/officers/{o2}/waivers", only("coord1"))],
        ("POST", "/officers/{officer_id:int}/waivers"): [
            Case("POST", f"/officers/{o2}/waivers", only("coord1"), {"kind": "leave", "reason": ""})],
        # Certificates: each officer's own list and upload form; the review queue is the coordinators'.
        # Ownership of a submission's file and versions is walked in tests/certificates (it needs stored files);
        # here an id that exists for no one must be refused to everyone.
        ("GET", "/certificates"): [Case("GET", "/certificates", everyone(ALLOW))],
        ("GET", "/certificates/new"): [Case("GET", "/certificates/new", everyone(ALLOW))],
        ("POST", "/certificates/new"): [Case("POST", "/certificates/new", everyone(UPLOAD_WITHOUT_FILE),
                                             {"course_title": "x"})],
        # Reads the chosen file back into the form (htmx); stores nothing, so anyone on the roster may.
        ("POST", "/certificates/read-details"): [Case("POST", "/certificates/read-details", everyone(ALLOW),
                                                      {"course_title": "x"})],
        ("GET", "/certificates/{submission_id:int}/versions/new"): [
            Case("GET", "/certificates/999999/versions/new", only())],
        ("POST", "/certificates/{submission_id:int}/versions/new"): [
            Case("POST", "/certificates/999999/versions/new", only(), {"course_title": "x"})],
        ("GET", "/certificates/{submission_id:int}/file"): [Case("GET", "/certificates/999999/file", only())],
        ("GET", "/certificates/review"): [Case("GET", "/certificates/review", only("coord1"))],
        ("POST", "/certificates/review/tasks/{task_id:int}/decision"): [
            Case("POST", "/certificates/review/tasks/999999/decision", only(), {"action": "approve"})],
        # Approvals: only the assignee (or a coordinator for the queue), never on one's own request.
        ("GET", "/inbox"): [Case("GET", "/inbox", everyone(ALLOW))],
        ("GET", "/inbox/count"): [Case("GET", "/inbox/count", everyone(ALLOW))],
        ("POST", "/inbox/tasks/{task_id:int}/decision"): [
            Case("POST", f"/inbox/tasks/{t.task_sgt1}/decision", only("sgt1"), {"action": "approve"}),
            Case("POST", f"/inbox/tasks/{t.task_sgt2}/decision", only(), {"action": "approve"}),
            Case("POST", f"/inbox/tasks/{t.task_queue}/decision", only("coord1"), {"action": "approve"}),
            Case("POST", f"/inbox/tasks/{t.case_task}/decision", only(), {"action": "approve"}),
            # A bad action is refused before it is read, to those the task is not for.
            Case("POST", f"/inbox/tasks/{t.task_sgt2}/decision", only(), {"action": "nonsense"}),
        ],
        ("GET", "/escalations"): [Case("GET", "/escalations", only("coord1"))],
        ("POST", "/escalations/tasks/{task_id:int}/reassign"): [
            Case("POST", f"/escalations/tasks/{t.task_queue}/reassign", only("coord1"), reassign),
            Case("POST", f"/escalations/tasks/{t.task_sgt2}/reassign", only("coord1"), reassign),
        ],
        ("POST", "/escalations/cases/{task_id:int}/resolve"): [
            Case("POST", f"/escalations/cases/{t.case_task}/resolve", only("coord1"), {"note": "Credits entered"}),
        ],
        # Notifications are scoped to the signed-in person: another's id silently matches nothing.
        ("GET", "/notifications"): [Case("GET", "/notifications", everyone(ALLOW))],
        ("GET", "/notifications/count"): [Case("GET", "/notifications/count", everyone(ALLOW))],
        ("POST", "/notifications/read-all"): [Case("POST", "/notifications/read-all", everyone(ALLOW))],
        ("POST", "/notifications/{notification_id:int}/read"): [
            Case("POST", f"/notifications/{t.notification_o2}/read", everyone(ALLOW)),
        ],
        # Administration.
        ("GET", "/admin/settings"): [Case("GET", "/admin/settings", only("admin1"))],
        ("POST", "/admin/settings"): [Case("POST", "/admin/settings", only("admin1"),
                                           {"threshold": "500", "reminder_days": "2", "escalation_days": "5"})],
        ("GET", "/admin/locked-accounts"): [Case("GET", "/admin/locked-accounts", only("admin1"))],
        ("POST", "/admin/locked-accounts/{user_id:int}/unlock"): [
            Case("POST", f"/admin/locked-accounts/{t.officer2_user}/unlock", only("admin1")),
        ],
        ("GET", "/admin/accounts"): [Case("GET", "/admin/accounts", only("admin1"))],
        ("GET", "/admin/accounts/{user_id:int}"): [
            Case("GET", f"/admin/accounts/{t.officer2_user}", only("admin1")),
            Case("GET", "/admin/accounts/999999", only()),
        ],
        ("POST", "/admin/accounts/{user_id:int}/mfa/reset"): [
            Case("POST", f"/admin/accounts/{t.officer2_user}/mfa/reset", only("admin1")),
            Case("POST", "/admin/accounts/999999/mfa/reset", only()),
        ],
        ("POST", "/admin/accounts/{user_id:int}/sessions/end"): [
            Case("POST", f"/admin/accounts/{t.officer2_user}/sessions/end", only("admin1")),
            Case("POST", "/admin/accounts/999999/sessions/end", only()),
        ],
        ("GET", "/audit"): [Case("GET", "/audit", only("coord1", "admin1"))],
        ("GET", "/audit/export.csv"): [Case("GET", "/audit/export.csv", only("coord1", "admin1"))],
        # Own account.
        ("GET", "/account/password"): [Case("GET", "/account/password", everyone(ALLOW))],
        # The right current password and a too-short new one: re-rendered with a message, nothing changes.
        ("POST", "/account/password"): [Case("POST", "/account/password", everyone(ALLOW), {
            "current_password": PASSWORD, "new_password": "short", "confirm_password": "short"})],
        ("GET", "/account/mfa"): [Case("GET", "/account/mfa", everyone(ALLOW))],
        ("POST", "/account/mfa"): [Case("POST", "/account/mfa", everyone(ALLOW), {"code": "000000"})],
        # Without two-step sign-in: a redirect to set it up; with it, a wrong code re-renders the form.
        ("GET", "/account/mfa/recovery-codes"): [Case("GET", "/account/mfa/recovery-codes", everyone(ALLOW))],
        ("POST", "/account/mfa/recovery-codes"): [Case("POST", "/account/mfa/recovery-codes", everyone(ALLOW),
                                                       {"code": "000000"})],
        # Own sessions only: an id that is nobody's (or someone else's) is not found.
        ("GET", "/account/sessions"): [Case("GET", "/account/sessions", everyone(ALLOW))],
        ("POST", "/account/sessions/{session_id:int}/end"): [
            Case("POST", "/account/sessions/999999/end", only())],
        ("GET", "/account/notifications"): [Case("GET", "/account/notifications", everyone(ALLOW))],
        ("POST", "/account/notifications"): [Case("POST", "/account/notifications", everyone(ALLOW),
                                                  {"email": "on", "in_app": "on", "delivery": "immediate"})],
        ("GET", "/account/calendar"): [Case("GET", "/account/calendar", everyone(ALLOW))],
        ("POST", "/account/calendar"): [Case("POST", "/account/calendar", everyone(ALLOW))],
        # The calendar feed is for calendar apps (no session): the secret in its URL is the credential.
        ("GET", "/calendar/{feed:str}"): [Case("GET", "/calendar/not-a-token.ics", everyone(TOKEN, TOKEN))],
        # Dashboards, histories, transcripts: the officer, the chain of command, agency-wide roles.
        ("GET", "/dashboard"): [Case("GET", "/dashboard", everyone(ALLOW))],
        ("GET", "/officers"): [Case("GET", "/officers", only("coord1", "chief1", "admin1"))],
        ("GET", "/records"): [Case("GET", "/records", everyone(ALLOW))],
        ("GET", "/records/transcript.pdf"): [Case("GET", "/records/transcript.pdf", everyone(ALLOW))],
        ("GET", "/officers/{officer_id:int}/dashboard"): [
            Case("GET", f"/officers/{o1}/dashboard", OFFICER1_READERS),
            Case("GET", f"/officers/{o2}/dashboard", OFFICER2_READERS),
            Case("GET", "/officers/999999/dashboard", only()),
        ],
        ("GET", "/officers/{officer_id:int}/records"): [
            Case("GET", f"/officers/{o1}/records", OFFICER1_READERS),
            Case("GET", f"/officers/{o2}/records", OFFICER2_READERS),
        ],
        ("GET", "/officers/{officer_id:int}/records/transcript.pdf"): [
            Case("GET", f"/officers/{o1}/records/transcript.pdf", OFFICER1_READERS),
            Case("GET", f"/officers/{o2}/records/transcript.pdf", OFFICER2_READERS),
        ],
        # Entering and correcting records: coordinators only (never their own).
        ("GET", "/officers/{officer_id:int}/records/new"): [
            Case("GET", f"/officers/{o1}/records/new", only("coord1")),
            Case("GET", f"/officers/{o2}/records/new", only("coord1")),
        ],
        ("POST", "/officers/{officer_id:int}/records/new"): [
            Case("POST", f"/officers/{o2}/records/new", only("coord1"), record_form),
        ],
        ("GET", "/records/{record_id:int}/edit"): [
            Case("GET", f"/records/{t.record_o1}/edit", only("coord1")),
            Case("GET", f"/records/{t.record_o2}/edit", only("coord1")),
        ],
        ("POST", "/records/{record_id:int}/edit"): [
            Case("POST", f"/records/{t.record_o2}/edit", only("coord1"), record_form),
        ],
        # Record error reports: each officer files and lists their own; a report is seen by whoever may
        # see the officer's records, resolved by coordinators only, withdrawn by its officer only. The
        # workflows are not running here, so allowed inputs re-render with the refusal (200).
        # Attachments are walked in tests/record_reports (they need stored files).
        ("GET", "/records/reports"): [Case("GET", "/records/reports", everyone(ALLOW))],
        ("GET", "/records/reports/new"): [Case("GET", "/records/reports/new", everyone(ALLOW))],
        ("POST", "/records/reports/new"): [Case("POST", "/records/reports/new", everyone(UPLOAD_WITHOUT_FILE),
                                                {"kind": "hours_wrong", "description": ""})],
        ("GET", "/records/reports/review"): [Case("GET", "/records/reports/review", only("coord1"))],
        ("GET", "/records/reports/{report_id:int}"): [
            Case("GET", f"/records/reports/{t.report_o1}", OFFICER1_READERS),
            Case("GET", f"/records/reports/{t.report_o2}", OFFICER2_READERS),
            Case("GET", "/records/reports/999999", only()),
        ],
        ("POST", "/records/reports/{report_id:int}/resolve"): [
            Case("POST", f"/records/reports/{t.report_o2}/resolve", only("coord1"),
                 {"action": "decline", "reason": "The record is right"}),
        ],
        ("POST", "/records/reports/{report_id:int}/withdraw"): [
            Case("POST", f"/records/reports/{t.report_o1}/withdraw", only("officer1")),
            Case("POST", f"/records/reports/{t.report_o2}/withdraw", only()),
        ],
        ("GET", "/records/reports/{report_id:int}/attachment"): [
            Case("GET", f"/records/reports/{t.report_o1}/attachment", only()),
            Case("GET", "/records/reports/999999/attachment", only()),
        ],
        # Bulk entry and CSV imports of records: the agency's coordinators only. Bad input re-renders (200);
        # the file-less upload is refused as unusable (422); unknown entries and imports are not found.
        ("GET", "/records/bulk"): [Case("GET", "/records/bulk", only("coord1"))],
        ("POST", "/records/bulk"): [Case("POST", "/records/bulk", only("coord1"), {"course_title": "",
                                                                                  "attendee": str(o2)})],
        ("GET", "/records/bulk/attendees"): [Case("GET", f"/records/bulk/attendees?roster_q=Other&attendee={o2}",
                                                  only("coord1"))],
        ("GET", "/records/bulk/{batch:str}"): [Case("GET", "/records/bulk/0123456789", only())],
        ("GET", "/records/imports"): [Case("GET", "/records/imports", only("coord1"))],
        ("GET", "/records/imports/new"): [Case("GET", "/records/imports/new", only("coord1"))],
        ("POST", "/records/imports/new"): [Case("POST", "/records/imports/new",
                                                {**only(), "coord1": UPLOAD_WITHOUT_FILE})],
        ("GET", "/records/imports/template.csv"): [Case("GET", "/records/imports/template.csv", only("coord1"))],
        ("GET", "/records/imports/{import_id:int}"): [
            Case("GET", f"/records/imports/{t.import_start}", only("coord1")),
            Case("GET", "/records/imports/999999", only()),
        ],
        ("GET", "/records/imports/{import_id:int}/progress"): [
            Case("GET", f"/records/imports/{t.import_start}/progress", only("coord1")),
        ],
        ("POST", "/records/imports/{import_id:int}/start"): [
            Case("POST", f"/records/imports/{t.import_start}/start", only("coord1")),
            Case("POST", "/records/imports/999999/start", only()),
        ],
        ("POST", "/records/imports/{import_id:int}/cancel"): [
            Case("POST", f"/records/imports/{t.import_cancel}/cancel", only("coord1")),
        ],
        # The agency's own requirements: coordinators change them (bad input re-renders), command staff read.
        ("GET", "/requirements"): [Case("GET", "/requirements", only("coord1", "chief1"))],
        ("POST", "/requirements"): [Case("POST", "/requirements", only("coord1"), {"title": ""})],
        ("POST", "/requirements/{requirement_id:int}/retire"): [
            Case("POST", "/requirements/999/retire", only("coord1"), {"reason": "walk"}),
        ],
        # A supervisor's team (everyone under them in the chain): sergeants, lieutenants, command staff.
        ("GET", "/team"): [Case("GET", "/team", only("sgt1", "chief1")),
                           Case("GET", "/team?unit=nonsense&state=x&sort=evil&dir=up&page=-1", only("sgt1", "chief1"))],
        ("GET", "/team/warnings"): [Case("GET", "/team/warnings?within=45&page=x", only("sgt1", "chief1"))],
        # The agency dashboard and the officers behind its numbers: command staff, coordinators, administrators.
        ("GET", "/agency"): [Case("GET", "/agency", only("coord1", "chief1", "admin1")),
                             Case("GET", "/agency?unit=999999", only())],
        ("GET", "/agency/officers"): [Case("GET", "/agency/officers?state=overdue&rank=Officer",
                                           only("coord1", "chief1", "admin1")),
                                      Case("GET", "/agency/officers?unit=999999", only())],
        # Reports to hand to others: the agency report as /agency; a supervisor's roster as /team. Background
        # exports are seen and downloaded by the account that asked only (walked in tests/reports).
        ("GET", "/reports/agency"): [Case("GET", "/reports/agency?unit=x", only("coord1", "chief1", "admin1"))],
        ("POST", "/reports/agency/export"): [
            Case("POST", "/reports/agency/export", only("coord1", "chief1", "admin1"), {"format": "summary_csv"}),
            Case("POST", "/reports/agency/export", only("coord1", "chief1", "admin1"), {"format": "nonsense"}),
            Case("POST", "/reports/agency/export", only(), {"format": "csv", "unit": "999999"})],
        ("GET", "/reports/team"): [Case("GET", "/reports/team", only("sgt1", "chief1"))],
        ("POST", "/reports/team/export"): [Case("POST", "/reports/team/export", only("sgt1", "chief1"),
                                                {"format": "csv"})],
        ("GET", "/reports/exports/{export_id:int}"): [Case("GET", "/reports/exports/999999", only())],
        ("GET", "/reports/exports/{export_id:int}/progress"): [
            Case("GET", "/reports/exports/999999/progress", only())],
        ("GET", "/reports/exports/{export_id:int}/download"): [
            Case("GET", "/reports/exports/999999/download", only())],
        # The development mailbox exists only with a mailbox folder (never in production). It holds
        # everyone's mail (password-reset links too): administrators only; to others it does not exist.
        ("GET", "/dev/mail"): [Case("GET", "/dev/mail", only("admin1"))],
        ("GET", "/dev/mail/{name:str}"): [Case("GET", f"/dev/mail/{t.mail_name}", only("admin1"))],
    }
    # Each area added since keeps its cases in its own module.
    for area in (route_cases_roster, route_cases_accounts, route_cases_roster_import, route_cases_reimbursement,
                 route_cases_navigation, route_cases_holidays):
        table |= area.cases(t)
    return table


def verdict(response, expected: frozenset) -> str | None:
    """None when the response is one of the expected outcomes, else what was wrong."""
    status = response.status_code
    body = response.text if "pdf" not in response.headers.get("content-type", "") else ""
    if status >= 500 or "Traceback" in body:
        return f"server error {status}"
    to_login = status == 303 and response.headers.get("location") == "/login"
    if expected == LOGIN:
        return None if to_login else f"{status}, expected a redirect to /login"
    if expected == ALLOW and to_login:
        return "sent to /login: the session was lost"
    if status not in expected:
        return f"{status}, expected {sorted(expected)}"
    return None


async def _walk_one(browser: Browser, role: str, case: Case) -> list[str]:
    # A refused caller is asked twice: as a page and as an htmx fragment (which once carried the object).
    refused = case.expect[role] == DENY
    problems = []
    for htmx in (False, True) if refused else (False,):
        headers = {"HX-Request": "true"} if htmx else {}
        if case.method == "GET":
            response = await browser.get(case.url, headers=headers)
        else:
            response = await browser.post(case.url, case.data, htmx=htmx)
        label = f"{role:9} {case.method:4} {case.url}{' (htmx)' if htmx else ''}"
        problem = verdict(response, case.expect[role])
        if problem:
            problems.append(f"{label}: {problem}")
        if "pdf" in response.headers.get("content-type", ""):
            continue
        if role in ("officer1", "sgt1"):
            leaked = [marker for marker in OFFICER2_MARKERS if marker in response.text]
            if leaked:
                problems.append(f"{label}: shows officer2's {leaked}")
        if refused and "MARK-" in response.text:
            problems.append(f"{label}: a refusal shows the object it refused")
    return problems


async def test_every_route_is_classified_and_each_role_gets_what_the_table_says(
    app, browsers, demo_org, session_factory, settings
):
    targets = await build_targets(session_factory, demo_org, settings)
    table = expectations(targets)

    served = served_routes(app)
    unclassified = sorted(served - table.keys())
    assert not unclassified, f"routes nobody has classified in expectations(): {unclassified}"
    assert not sorted(table.keys() - served), f"classified routes the app no longer serves: {table.keys() - served}"

    cases = [case for key in sorted(table) for case in table[key]]
    # Logout ends the session, so each role walks it last.
    cases.sort(key=lambda case: case.url == "/logout")
    problems: list[str] = []
    for role in ROLES:
        browser = await browsers(None if role == "anonymous" else role)
        for case in cases:
            problems += await _walk_one(browser, role, case)
    assert not problems, "\n" + "\n".join(problems)

    async with session_factory() as session:
        # Nobody but officer2 may mark officer2's notification read (the walk never signs him in).
        note = await session.get_one(Notification, targets.notification_o2)
        assert note.read_at is None

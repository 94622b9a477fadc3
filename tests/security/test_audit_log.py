"""The /audit page: coordinators and admins search and export; everyone else is refused; all audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from models import AuditOutcome, utcnow
from services.audit import record_audit
from tests.security.support import audit_rows


async def _seed_events(session_factory, demo_org) -> None:
    async with session_factory() as session, session.begin():
        for n in range(60):
            record_audit(session, demo_org.users["sgt1"], "sgt1 (Sam Sergeant)", "request.decide", "training_request",
                         n, AuditOutcome.SUCCESS, "10.1.1.1", demo_org.agency_id, {"n": n})
        record_audit(session, demo_org.users["officer1"], "=cmd|' /C calc'!A0", "request.submit", "training_request",
                     7, AuditOutcome.DENIED, "10.1.1.2", demo_org.agency_id)
        record_audit(session, None, "other agency", "request.submit", "training_request", 8,
                     AuditOutcome.SUCCESS, "10.1.1.3", None)


async def test_officer_and_sergeant_are_refused_and_it_is_audited(browsers, demo_org, session_factory):
    for username in ("officer1", "sgt1"):
        browser = await browsers(username)
        assert (await browser.get("/audit")).status_code == 403
        assert (await browser.get("/audit/export.csv")).status_code == 403
    rows = [r for r in await audit_rows(session_factory) if r.action.startswith("audit.")]
    assert [(r.action, r.outcome) for r in rows] == [("audit.search", "denied"), ("audit.export", "denied")] * 2


async def test_coordinator_searches_newest_first_with_pages(browsers, demo_org, session_factory):
    await _seed_events(session_factory, demo_org)
    coordinator = await browsers("coord1")
    first = await coordinator.get("/audit", params={"actor": "SGT1", "action": "request.decide"})
    assert first.status_code == 200
    assert first.text.count("request.decide</td>") == 50 and "training_request 59" in first.text
    assert "other agency" not in first.text
    assert "Older events" in first.text
    older = await coordinator.get("/audit", params={"actor": "sgt1", "action": "request.decide", "before": "11"})
    assert older.text.count("request.decide</td>") == 10 and "Older events" not in older.text
    denied = await coordinator.get("/audit", params={"outcome": "denied", "object_type": "training_request"})
    assert denied.text.count("request.submit</td>") == 1
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    future = await coordinator.get("/audit", params={"from": tomorrow})
    assert "No audit events match." in future.text
    bad = await coordinator.get("/audit", params={"from": "yesterday", "outcome": "maybe"})
    assert "YYYY-MM-DD" in bad.text and "Choose an outcome" in bad.text
    searches = await audit_rows(session_factory, "audit.search")
    assert searches[0].outcome == "success" and searches[0].detail == {"actor": "SGT1", "action": "request.decide"}


async def test_admin_exports_filtered_csv_and_it_is_audited(browsers, demo_org, session_factory):
    await _seed_events(session_factory, demo_org)
    admin = await browsers("admin1")
    response = await admin.get("/audit/export.csv", params={"object_type": "training_request", "object_id": "7"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["action"], r["outcome"]) for r in rows] == [("request.submit", "denied"), ("request.decide", "success")]
    assert rows[0]["actor"].startswith("'=")  # a spreadsheet will not run it as a formula
    assert all(len(r["row_hash"]) == 64 for r in rows)
    everything = list(csv.DictReader(io.StringIO((await admin.get("/audit/export.csv")).text)))
    assert len(everything) > 61 and all(r["actor"] != "other agency" for r in everything)
    exports = await audit_rows(session_factory, "audit.export")
    assert exports[0].detail == {"object_type": "training_request", "object_id": "7"}


async def test_failed_sign_ins_under_unknown_usernames_are_shown_to_administrators(browsers, demo_org,
                                                                                   session_factory):
    anonymous = await browsers(None)
    refused = await anonymous.post("/login", {"username": "no.such.user", "password": "guessing-1234"})
    assert refused.status_code == 401
    await _seed_events(session_factory, demo_org)  # a row of no agency that is not a sign-in stays hidden

    admin = await browsers("admin1")
    sign_ins = await admin.get("/audit", params={"action": "login"})
    assert "no.such.user" in sign_ins.text
    assert "other agency" not in (await admin.get("/audit", params={"action": "request.submit"})).text
    by_name = await admin.get("/audit", params={"actor": "No.Such.User"})
    assert "no.such.user" in by_name.text and "sgt1 (Sam Sergeant)" not in by_name.text
    exported = await admin.get("/audit/export.csv")
    assert "no.such.user" in exported.text
    # Coordinators search their agency's trail: attempts on no account are the administrators' concern.
    assert "no.such.user" not in (await (await browsers("coord1")).get("/audit", params={"action": "login"})).text


async def test_text_downloads_name_their_charset_once(browsers, demo_org):
    coordinator = await browsers("coord1")
    for url in ("/audit/export.csv", "/records/imports/template.csv"):
        assert (await coordinator.get(url)).headers["content-type"] == "text/csv; charset=utf-8", url

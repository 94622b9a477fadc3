"""Dates and times people see are in the agency's zone (never "UTC"), and topics are named, never coded.

The demo agency is in Minnesota (America/Chicago). MOMENT is 03:30 UTC on 5 December 2026, which is
still the evening of 4 December there: a page that shows it in UTC shows the wrong day as well.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from litestar import Litestar
from sqlalchemy import update

from compliance.packs import available_packs, load_pack_file
from models import (
    AuditOutcome,
    Notification,
    RecordImport,
    RequestEvent,
    Task,
    TaskKind,
    TrainingRequest,
    UserAccount,
)
from portal.app import PORTAL_DIR
from seed.topics import ensure_topics
from services.audit import record_audit
from tests.support import create_request

MOMENT = datetime(2026, 12, 5, 3, 30, tzinfo=UTC)
LOCAL_MOMENT = "4 December 2026 at 21:30 (CST)"
LOCAL_DAY = "4 December 2026"
UTC_DAY = "5 December 2026"


class VisibleText(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles; <code> holds names for files, not words."""

    HIDDEN = {"script", "style", "code"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def topic_codes() -> set[str]:
    """Every topic code the rule packs use that cannot be mistaken for a word (it has an underscore)."""
    packs = [load_pack_file(path) for path in available_packs().values()]
    return {topic for pack in packs for requirement in pack.requirements for topic in requirement.topics
            if "_" in topic}


async def seed_moments(session_factory, demo_org) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows stamped with MOMENT on each page that shows a time: returns the ids the pages need."""
    request_id, _ = await create_request(session_factory, demo_org, demo_org.officer1)
    async with session_factory() as session, session.begin():
        await session.execute(update(TrainingRequest).where(TrainingRequest.id == request_id)
                              .values(submitted_at=MOMENT))
        session.add(RequestEvent(key="local-time-submitted", request_id=request_id, kind="submitted",
                                 actor_id=demo_org.officer1, created_at=MOMENT))
        session.add(Task(key="local-time-task", agency_id=demo_org.agency_id, kind=TaskKind.APPROVE_TRAINING_REQUEST,
                         subject_type="training_request", subject_id=request_id, workflow_id="local-time-request",
                         assignee_id=demo_org.sgt1, due_at=MOMENT))
        session.add(Notification(key="local-time-note", person_id=demo_org.officer1, subject="A notice",
                                 body="Something happened.", link=None, created_at=MOMENT))
        record_import = RecordImport(agency_id=demo_org.agency_id, uploaded_by_id=demo_org.coord1,
                                     file_name="records.csv", sha256="0" * 64, created_at=MOMENT)
        session.add(record_import)
        event = record_audit(session, demo_org.users["coord1"], "coord1", "local_time.check", None, None,
                             AuditOutcome.SUCCESS, None, demo_org.agency_id)
        event.occurred_at = MOMENT  # before the insert: audit rows cannot change afterwards
        await session.execute(update(UserAccount).where(UserAccount.username.in_(["officer2"]))
                              .values(locked_at=MOMENT))
        await session.execute(update(UserAccount).where(UserAccount.username == "coord1")
                              .values(mfa_enabled_at=MOMENT))
        await session.flush()
        return {"request": request_id, "import": record_import.id}


def assert_local(html: str, expected: str = LOCAL_MOMENT) -> None:
    text = visible_text(html)
    assert expected in text, text
    assert "UTC" not in text


async def test_each_page_shows_a_stored_moment_in_the_agencys_zone(browsers, demo_org, session_factory):
    ids = await seed_moments(session_factory, demo_org)
    officer, sergeant = await browsers("officer1"), await browsers("sgt1")
    coordinator, admin = await browsers("coord1"), await browsers("admin1")

    assert_local((await coordinator.get("/audit")).text)
    assert_local((await admin.get("/admin/locked-accounts")).text)
    assert_local((await coordinator.get("/records/imports")).text)
    assert_local((await coordinator.get(f"/records/imports/{ids['import']}")).text)
    assert_local((await officer.get("/notifications")).text)
    detail = (await officer.get(f"/requests/{ids['request']}")).text
    assert_local(detail)
    assert visible_text(detail).count(LOCAL_MOMENT) == 2  # submitted, and the timeline's event
    timeline = await officer.get(f"/requests/{ids['request']}/timeline", headers={"HX-Request": "true"})
    assert_local(timeline.text)
    # The card says when it escalates in words ("Friday 4 December, 21:30"; the year only in another year).
    assert_local((await sergeant.get("/inbox")).text, "Friday 4 December")
    mfa = (await coordinator.get("/account/mfa")).text
    assert_local(mfa, f"since {LOCAL_DAY}")
    assert UTC_DAY not in visible_text(mfa)


async def test_the_audit_date_filter_means_the_agencys_calendar_days(browsers, demo_org, session_factory):
    await seed_moments(session_factory, demo_org)
    coordinator = await browsers("coord1")
    local_day = await coordinator.get("/audit", params={"action": "local_time.check", "from": "2026-12-04",
                                                       "to": "2026-12-04"})
    assert "local_time.check" in visible_text(local_day.text) and LOCAL_MOMENT in local_day.text
    utc_day = await coordinator.get("/audit", params={"action": "local_time.check", "from": "2026-12-05",
                                                     "to": "2026-12-05"})
    assert "No audit events match." in utc_day.text


def test_no_template_formats_a_time_itself_or_names_utc():
    offenders = []
    for path in sorted((PORTAL_DIR / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        offenders += [f"{path.relative_to(PORTAL_DIR)}: {what}" for what in ("strftime(", "UTC") if what in source]
    assert offenders == []


def get_pages(app: Litestar) -> list[str]:
    """Every page the portal serves at a fixed address (no path parameters, no downloads)."""
    paths = set()
    for route in app.routes:
        path = route.path
        if "{" in path or not path.startswith("/") or re.search(r"\.(csv|pdf|ics|xlsx|json)$", path):
            continue
        if path.startswith(("/static", "/healthz", "/logout", "/login", "/calendar", "/dev")):
            continue
        if "GET" in getattr(route, "methods", set()):
            paths.add(path)
    return sorted(paths)


async def test_no_page_of_the_walk_shows_a_topic_code_or_utc(app, browsers, demo_org, session_factory):
    ids = await seed_moments(session_factory, demo_org)
    async with session_factory() as session, session.begin():
        await ensure_topics(session)  # every topic the packs name, as `make run` seeds them
    codes = topic_codes()
    assert "crisis_intervention" in codes  # the Minnesota pack's, so the walk checks what it should
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, codes))) + r")\b")
    pages = [*get_pages(app), f"/requests/{ids['request']}", f"/records/imports/{ids['import']}"]
    seen = 0
    for username in ("officer1", "sgt1", "chief1", "coord1", "admin1"):
        browser = await browsers(username)
        for path in pages:
            response = await browser.get(path)
            if response.status_code != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            seen += 1
            text = visible_text(response.text)
            assert not pattern.search(text), f"{username} {path}: {pattern.search(text)}"
            assert "UTC" not in text, f"{username} {path}"
    assert seen > 40

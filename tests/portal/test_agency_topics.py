"""Every form offers the agency's rule-pack topics plus its own requirements' topics, and refuses others."""

from __future__ import annotations

import html
import re
import tomllib
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from models import (
    Agency,
    AgencyRequirement,
    CertificateSubmission,
    RecordImport,
    RecordSource,
    Topic,
    TrainingRecord,
    TrainingRecordCredit,
    TrainingRequest,
)
from seed.topics import ensure_topics
from settings import PROJECT_ROOT
from tests.certificates.support import certificate_pdf, upload
from tests.portal.helpers import FORM
from tests.services.import_support import csv_file, days_ago
from tests.services.records_support import license_officer

OWN_TOPIC = "leadership"  # no state pack names it: the agency's own requirement makes it theirs
ALERRT = "active_shooter"
REFUSAL = "Active shooter response (ALERRT) is not one of this agency's training topics: choose from the topics listed."
COURSE = {"course_title": "Range Day", "provider": "County Range", "course_number": "", "started_on": "",
          "completed_on": "2026-10-09", "hours": "4"}


def pack_topics(file_name: str) -> set[str]:
    """The topics a rule pack file names, read from the file itself."""
    with (PROJECT_ROOT / "rulepacks" / file_name).open("rb") as handle:
        pack = tomllib.load(handle)
    return {topic for requirement in pack["requirements"] for topic in requirement.get("topics", [])}


async def _agency(session_factory, demo_org, rule_pack: str = "MN-POST") -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session, session.begin():
        await ensure_topics(session)
        await session.execute(update(Agency).where(Agency.id == demo_org.agency_id).values(rule_pack=rule_pack))
        session.add(AgencyRequirement(agency_id=demo_org.agency_id, code="supervision", title="Supervision course",
                                      kind="topic_hours", hours=4, topics=[OWN_TOPIC], effective_from=date(2020, 1, 1),
                                      source="Test PD policy 1.1", created_by_id=demo_org.coord1))
    await license_officer(session_factory, demo_org.officer1, "MN-0001")


def _offered(html: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, html))


async def _form_topics(officer, coordinator, demo_org) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    history = (await officer.get("/records")).text
    topic_filter = history[history.index('<select id="topic"'):]
    topic_filter = topic_filter[:topic_filter.index("</select>")]
    return {
        "request": _offered((await officer.get("/requests/new")).text, r'name="topics" type="checkbox" value="(\w+)"'),
        "certificate": _offered((await officer.get("/certificates/new")).text, r'name="credit_(\w+)"'),
        "record": _offered((await coordinator.get(f"/officers/{demo_org.officer1}/records/new")).text,
                           r'name="credit_(\w+)"'),
        "bulk": _offered((await coordinator.get("/records/bulk")).text, r'name="credit_(\w+)"'),
        "import": _offered((await coordinator.get("/records/imports/new")).text, r"<li><code>(\w+)</code>"),
        "history filter": _offered(topic_filter, r'<option value="(\w+)"'),
    }


@pytest.mark.parametrize(("rule_pack", "pack_file"), [("MN-POST", "mn-post.toml"), ("TX-TCOLE", "tx-tcole.toml")])
async def test_every_form_lists_exactly_the_packs_topics_and_the_agencys_own(
        browsers, session_factory, demo_org, rule_pack, pack_file):
    await _agency(session_factory, demo_org, rule_pack)
    expected = pack_topics(pack_file) | {OWN_TOPIC}
    officer, coordinator = await browsers("officer1"), await browsers("coord1")

    offered = await _form_topics(officer, coordinator, demo_org)

    for form, codes in offered.items():
        assert codes == expected, form
    request_form = (await officer.get("/requests/new")).text
    async with session_factory() as session:
        names = {code: name for code, name in (await session.execute(select(Topic.code, Topic.name))).all()}
    for code in expected:  # labelled by name, never by code
        assert f'<label for="topic-{code}">{html.escape(names[code])}</label>' in request_form


async def test_a_minnesota_agency_sees_no_alerrt_box(browsers, session_factory, demo_org):
    await _agency(session_factory, demo_org)
    officer = await browsers("officer1")
    form = (await officer.get("/requests/new")).text
    assert ALERRT not in form and "ALERRT" not in form
    assert "Arrest and control" not in form  # a California topic


async def test_each_form_refuses_a_topic_outside_the_agencys_with_a_message(
        browsers, session_factory, settings, demo_org):
    await _agency(session_factory, demo_org)
    officer, coordinator = await browsers("officer1"), await browsers("coord1")

    request = await officer.post("/requests", {**FORM, "topics": ["crisis_intervention", ALERRT]})
    record = await coordinator.post(f"/officers/{demo_org.officer1}/records/new",
                                    {**COURSE, f"credit_{ALERRT}": "2"})
    bulk = await coordinator.post("/records/bulk", {**COURSE, f"credit_{ALERRT}": "2",
                                                     "attendee": [str(demo_org.officer1)]})
    certificate = await upload(officer, certificate_pdf(), **{f"credit_{ALERRT}": "2"})
    imported = await coordinator.post("/records/imports/new", files={"file": ("records.csv", csv_file(
        f"MN-0001,,Range Day,County Range,{days_ago(3)},4,{ALERRT}=2"), "text/csv")})

    for name, response in (("request", request), ("record", record), ("bulk", bulk), ("certificate", certificate)):
        assert response.status_code == 200, (name, response.status_code)
        assert REFUSAL in html.unescape(response.text), name
    assert 'value="Range Day"' in record.text  # what was typed is kept
    assert imported.status_code == 303
    preview = (await coordinator.get(imported.headers["location"])).text
    assert f"Unknown topic {ALERRT}: use one of this agency's topic codes" in html.unescape(preview)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(TrainingRequest.id))) == 0
        assert await session.scalar(select(func.count(TrainingRecord.id))) == 0
        assert await session.scalar(select(func.count(CertificateSubmission.id))) == 0
        assert (await session.scalar(select(RecordImport.valid_rows))) == 0


async def test_a_correction_keeps_a_topic_the_record_already_credits(browsers, session_factory, demo_org):
    """A record credited before the agency's topics narrowed keeps showing (and saving) that credit."""
    await _agency(session_factory, demo_org)
    async with session_factory() as session, session.begin():
        record = TrainingRecord(agency_id=demo_org.agency_id, officer_id=demo_org.officer1, course_title="ALERRT",
                                provider="ALERRT Center", completed_on=date(2025, 5, 1), hours=Decimal(8),
                                source=RecordSource.COORDINATOR_ENTRY,
                                credits=[TrainingRecordCredit(topic_code=ALERRT, credits=Decimal(8))])
        session.add(record)
    coordinator = await browsers("coord1")
    form = (await coordinator.get(f"/records/{record.id}/edit")).text
    assert f'name="credit_{ALERRT}"' in form and 'value="8"' in form

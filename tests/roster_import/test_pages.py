"""Coordinators import the roster on the portal: template, upload, a preview by kind with the people the file
leaves out, then the import behind a progress bar; bad files are refused with a message."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from models import OutboxMessage
from services.workflow_starts import START_ROSTER_IMPORT, dispatch_one
from tests.portal.helpers import portal
from tests.roster_import.files import MIXED
from tests.roster_import.support import count_people, csv_file, prepare_roster
from tests.security.route_rules import DENY


async def _upload(browser, data: bytes, name: str = "hr.csv"):  # type: ignore[no-untyped-def]
    return await browser.post("/roster/imports/new", files={"file": (name, data, "text/csv")})


async def test_upload_preview_apply_and_progress_to_completion(make_app, skipping_client, demo_org, session_factory):
    await prepare_roster(session_factory, demo_org)
    before = await count_people(session_factory, demo_org)
    async with portal(make_app, skipping_client) as sign_in:
        coordinator = await sign_in("coord1")
        template = await coordinator.get("/roster/imports/template.csv")
        assert template.headers["content-type"].startswith("text/csv")
        assert template.text.startswith("last_name,first_name,badge_number,license_number,license_date,rank,unit")

        uploaded = await _upload(coordinator, MIXED)
        assert uploaded.status_code == 303, uploaded.text
        location = uploaded.headers["location"]
        assert re.fullmatch(r"/roster/imports/\d+", location)
        preview = await coordinator.get(location)
        assert preview.status_code == 200
        assert "Problems (6)" in preview.text and "Unknown unit “Narcotics”" in preview.text
        assert "Hire 2 and update 1" in preview.text
        updates = await coordinator.get(f"{location}?show=update")
        assert "Hire date: — → <strong>2019-06-01</strong>" in updates.text
        missing = await coordinator.get(f"{location}?show=missing")
        assert "Not in the file (6)" in missing.text
        assert f'href="/roster/people/{demo_org.officer2}"' in missing.text
        assert await count_people(session_factory, demo_org) == before

        started = await coordinator.post(f"{location}/start")
        assert started.status_code == 303
        progress = None
        for _ in range(200):
            progress = await coordinator.get(f"{location}/progress", headers={"HX-Request": "true"})
            if "Import completed" in progress.text:
                break
            await asyncio.sleep(0.05)
        assert progress is not None and "Import completed" in progress.text, progress and progress.text
        assert "3 people hired or updated; 6 rows with problems were not applied" in progress.text
        assert "hx-trigger" not in progress.text
    assert await count_people(session_factory, demo_org) == before + 2


async def test_bad_files_are_refused_on_the_upload_page(make_app, skipping_client, demo_org, session_factory):
    await prepare_roster(session_factory, demo_org)
    line = "Doe,Jo,{n},,,Officer,Patrol A,,jo{n}@test.example,FT,2024-01-02"
    too_many = csv_file(*(line.format(n=n) for n in range(20_001)))
    async with portal(make_app, skipping_client) as sign_in:
        coordinator = await sign_in("coord1")
        for data, message in (
            (b"PK\x03\x04 workbook", "This is a ZIP archive or an Excel workbook."),
            (b"name,course\nA,B\n", "The first line must name the columns; missing: Last name"),
            (too_many, "The file has more than 20,000 people. Split it into smaller files."),
        ):
            refused = await _upload(coordinator, data)
            assert refused.status_code == 422 and message in refused.text, refused.text[:300]
            assert 'aria-invalid="true"' in refused.text

        officer = await sign_in("officer1")
        assert (await _upload(officer, MIXED)).status_code in DENY


async def test_an_import_confirmed_while_temporal_is_down_starts_from_the_outbox_when_it_is_back(
    browsers, skipping_client, demo_org, session_factory, settings
):
    await prepare_roster(session_factory, demo_org)
    coordinator = await browsers("coord1")  # this portal's Temporal is unreachable
    location = (await _upload(coordinator, MIXED)).headers["location"]

    assert (await coordinator.post(f"{location}/start")).status_code == 303
    page = await coordinator.get(location)
    assert "Importing: 0 of 3 people (it starts as soon as the workflow service answers)" in page.text
    async with session_factory() as session:
        message = await session.scalar(select(OutboxMessage).where(OutboxMessage.kind == START_ROSTER_IMPORT))
    assert message is not None and message.dispatched_at is None

    # The worker's relay, once Temporal answers again.
    assert await dispatch_one(session_factory, skipping_client, message.id, settings.task_queue)
    progress = ""
    for _ in range(200):
        progress = (await coordinator.get(f"{location}/progress", headers={"HX-Request": "true"})).text
        if "Import completed" in progress:
            break
        await asyncio.sleep(0.05)
    assert "3 people hired or updated" in progress

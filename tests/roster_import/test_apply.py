"""Applying a roster import hires the new people and updates the matched ones once, in batches; a re-import
updates by licence and by badge number and duplicates nobody; people missing from the file stay as they were."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from activities.roster_import import RosterImportActivities
from models import AuditEvent, EmploymentStatus, ImportStatus, Notification, Person, roster_import_workflow_id
from tests.roster_import.files import MIXED
from tests.roster_import.support import (
    confirm,
    count_people,
    csv_file,
    load,
    person_by_badge,
    prepare_roster,
    stage,
)
from workflows.roster_import_types import ROSTER_IMPORT_WORKFLOW, RosterBatch, RosterImportInput


async def _apply(factory, client, settings, org, data: bytes, batch_size: int = 2) -> int:  # type: ignore[no-untyped-def]
    import_id = await stage(factory, org, data)
    await confirm(factory, import_id, settings.workflow_id_prefix)
    await client.execute_workflow(
        ROSTER_IMPORT_WORKFLOW, RosterImportInput(import_id=import_id, batch_size=batch_size),
        id=roster_import_workflow_id(import_id, settings.workflow_id_prefix), task_queue=settings.task_queue,
        result_type=int)
    return import_id


async def test_apply_hires_new_people_updates_matched_ones_and_leaves_the_rest(
    session_factory, skipping_client, settings, demo_org
):
    await prepare_roster(session_factory, demo_org)
    before = await count_people(session_factory, demo_org)

    import_id = await _apply(session_factory, skipping_client, settings, demo_org, MIXED)

    done = await load(session_factory, import_id)
    assert done.status == ImportStatus.COMPLETED and (done.applied_rows, done.error_rows) == (3, 6)
    assert await count_people(session_factory, demo_org) == before + 2
    nina = await person_by_badge(session_factory, demo_org, "B200")
    ray = await person_by_badge(session_factory, demo_org, "B201")
    officer1 = await person_by_badge(session_factory, demo_org, "B104")
    assert nina is not None and ray is not None and officer1 is not None
    assert (nina.license_number, nina.license_date, nina.part_time, nina.supervisor_id, nina.rank) == (
        "MN-0200", date(2024, 7, 1), True, demo_org.sgt2, "Officer")
    assert ray.supervisor_id == nina.id and ray.part_time is False and ray.license_number is None
    assert officer1.hired_on == date(2019, 6, 1)
    async with session_factory() as session:
        untouched = list(await session.scalars(select(Person.employment_status).where(
            Person.id.in_([demo_org.chief1, demo_org.lt1, demo_org.sgt2, demo_org.officer2]))))
        hires = await session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "roster.hire"))
        notification = await session.scalar(select(Notification).where(Notification.person_id == demo_org.coord1))
    assert untouched == [EmploymentStatus.ACTIVE] * 4
    assert hires == 2
    assert notification is not None and notification.link == f"/roster/imports/{import_id}"

    # A retried batch after the run (a worker crash, say) applies nothing again.
    again = await RosterImportActivities(session_factory, skipping_client, settings).apply_batch(
        RosterBatch(import_id=import_id, limit=200))
    assert (again.applied, again.more) == (0, False)
    assert await count_people(session_factory, demo_org) == before + 2


async def test_reimporting_the_same_file_changes_nothing_and_duplicates_nobody(
    session_factory, skipping_client, settings, demo_org
):
    await prepare_roster(session_factory, demo_org)
    await _apply(session_factory, skipping_client, settings, demo_org, MIXED)
    after_first = await count_people(session_factory, demo_org)

    second = await load(session_factory, await stage(session_factory, demo_org, MIXED))

    assert (second.new_rows, second.update_rows, second.unchanged_rows, second.error_rows) == (0, 0, 4, 6)
    assert await count_people(session_factory, demo_org) == after_first


async def test_reimport_updates_by_licence_and_by_badge_and_transfers(
    session_factory, skipping_client, settings, demo_org
):
    await prepare_roster(session_factory, demo_org)
    before = await count_people(session_factory, demo_org)
    data = csv_file(
        # officer1 by licence: a new badge number; officer2 by badge: moves to Patrol A under sgt1.
        "Officer,Olly,B104-X,MN-0001,2020-01-15,Officer,Patrol A,B102,officer1@test.example,full-time,2019-06-01",
        "Other,Omar,B105,,,Officer,Patrol A,B102,omar@test.example,full-time,2018-04-01",
    )

    import_id = await _apply(session_factory, skipping_client, settings, demo_org, data)

    assert (await load(session_factory, import_id)).applied_rows == 2
    assert await count_people(session_factory, demo_org) == before
    async with session_factory() as session:
        officer1 = await session.get_one(Person, demo_org.officer1)
        officer2 = await session.get_one(Person, demo_org.officer2)
        sgt1 = await session.get_one(Person, demo_org.sgt1)
        transfers = await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "roster.transfer", AuditEvent.object_id == str(demo_org.officer2)))
    assert officer1.badge_number == "B104-X"
    assert (officer2.email, officer2.unit_id, officer2.supervisor_id) == ("omar@test.example", sgt1.unit_id,
                                                                           demo_org.sgt1)
    assert transfers == 1

"""Who is in a supervisor's team: everyone under them, direct and indirect, bounded and loop-safe,
the same people services.access lets them look at."""

from __future__ import annotations

from sqlalchemy import select, update

from models import Person
from services.access import MAX_CHAIN_DEPTH, supervisor_chain
from services.team_compliance import Team, team_counts
from tests.team.support import add_person, license_people


async def _members(factory, agency_id: int, supervisor_id: int) -> set[str]:
    async with factory() as session:
        team = Team(agency_id, supervisor_id)
        return set(await session.scalars(select(Person.first_name).where(team.has_member(Person.id))))


async def test_each_supervisor_has_exactly_the_people_under_them(session_factory, demo_org):
    # officer1 -> sgt1 -> lt1 -> chief1; officer2 -> sgt2 -> lt1 (first names: Olly, Sam, Lena, Carla, Omar, Sue).
    agency = demo_org.agency_id
    assert await _members(session_factory, agency, demo_org.sgt1) == {"Olly"}
    assert await _members(session_factory, agency, demo_org.sgt2) == {"Omar"}
    assert await _members(session_factory, agency, demo_org.lt1) == {"Sam", "Sue", "Olly", "Omar"}
    assert await _members(session_factory, agency, demo_org.chief1) == {"Lena", "Sam", "Sue", "Olly", "Omar"}
    assert await _members(session_factory, agency, demo_org.officer1) == set()
    assert await _members(session_factory, agency, demo_org.coord1) == set()


async def test_another_agencys_id_finds_nobody(session_factory, demo_org):
    assert await _members(session_factory, demo_org.agency_id + 1, demo_org.lt1) == set()


async def test_the_team_reaches_as_deep_as_the_permission_check_reads_the_chain(session_factory, demo_org):
    # A line of 12 under sgt1: Deep1 reports to sgt1, Deep2 to Deep1, ...
    supervisor = demo_org.sgt1
    line: list[int] = []
    for depth in range(1, 13):
        supervisor = await add_person(session_factory, demo_org.agency_id, supervisor, f"Deep{depth}", "Line")
        line.append(supervisor)

    members = await _members(session_factory, demo_org.agency_id, demo_org.sgt1)

    assert members == {"Olly", *(f"Deep{depth}" for depth in range(1, MAX_CHAIN_DEPTH + 1))}
    async with session_factory() as session:
        # The dashboards' permission (services.access) sees sgt1 above exactly the same people.
        assert demo_org.sgt1 in await supervisor_chain(session, line[MAX_CHAIN_DEPTH - 1])
        assert demo_org.sgt1 not in await supervisor_chain(session, line[MAX_CHAIN_DEPTH])


async def test_a_loop_in_the_chain_ends_and_nobody_is_in_their_own_team(session_factory, demo_org):
    async with session_factory() as session, session.begin():
        # chief1 reports to officer1, who reports (through sgt1 and lt1) to chief1.
        await session.execute(update(Person).where(Person.id == demo_org.chief1)
                              .values(supervisor_id=demo_org.officer1))

    assert await _members(session_factory, demo_org.agency_id, demo_org.sgt1) == {
        "Olly", "Carla", "Lena", "Sue", "Omar"}
    assert await _members(session_factory, demo_org.agency_id, demo_org.officer1) == {
        "Carla", "Lena", "Sam", "Sue", "Omar"}


async def test_people_not_tracked_are_counted_apart_and_tracked_ones_without_a_row_are_not_evaluated(
    session_factory, demo_org
):
    await license_people(session_factory, demo_org.officer1)
    await add_person(session_factory, demo_org.agency_id, demo_org.sgt1, "Cleo", "Civilian", licensed=False)
    await add_person(session_factory, demo_org.agency_id, demo_org.sgt1, "Sid", "Separated",
                     employment_status="separated")

    async with session_factory() as session:
        counts = await team_counts(session, Team(demo_org.agency_id, demo_org.sgt1))

    assert counts["not_tracked"] == 2  # Cleo (no licence) and Sid (separated)
    assert counts["not_evaluated"] == 1  # officer1: licensed, no stored row yet
    assert sum(counts.values()) == 3

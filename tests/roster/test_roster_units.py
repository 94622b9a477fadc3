"""The unit tree and rank list rules: no cycles, no retiring a unit in use, no deleting a rank in use."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import AgencyRank, AuditEvent, EmploymentPeriod, Person, Unit
from services import roster_units as units
from services.roster_people import RosterRefusal


async def _unit(session, org, name: str) -> Unit:
    return await session.scalar(select(Unit).where(Unit.agency_id == org.agency_id, Unit.name == name))


async def test_a_unit_cannot_move_under_its_own_descendant(session_factory, org, coordinator):
    async with session_factory() as session:
        root = await _unit(session, org, "Department")
        patrol_a = await _unit(session, org, "Patrol A")
        squad = await units.add_unit(session, coordinator, None, "Squad 1", patrol_a.id)
        for parent in (squad.id, patrol_a.id, root.id):
            with pytest.raises(RosterRefusal, match="cannot move under itself"):
                await units.move_unit(session, coordinator, None, root, parent)
        with pytest.raises(RosterRefusal, match="cannot move under itself"):
            await units.move_unit(session, coordinator, None, patrol_a, squad.id)
        await units.move_unit(session, coordinator, None, squad, None)
        await session.commit()
        assert squad.parent_id is None


async def test_the_tree_lists_each_unit_after_its_parent_with_its_depth(session_factory, org, coordinator):
    async with session_factory() as session:
        patrol_b = await _unit(session, org, "Patrol B")
        await units.add_unit(session, coordinator, None, "Night shift", patrol_b.id)
        await session.commit()
        tree = [(row.name, row.depth, row.people) for row in await units.unit_tree(session, org.agency_id)]
    # Department holds chief1, coord1, admin1; Patrol A lt1, sgt1, officer1; Patrol B sgt2, officer2.
    assert tree == [("Department", 0, 3), ("Patrol A", 1, 3), ("Patrol B", 1, 2), ("Night shift", 2, 0)]


async def test_a_unit_with_people_or_open_children_cannot_be_retired(session_factory, org, coordinator):
    async with session_factory() as session:
        root = await _unit(session, org, "Department")
        patrol_b = await _unit(session, org, "Patrol B")
        with pytest.raises(RosterRefusal) as refused:
            await units.retire_unit(session, coordinator, None, root, date(2026, 12, 1))
        assert refused.value.errors["retire"] == ("This unit cannot be retired: 3 people are still in it: transfer "
                                                  "them first; 2 open units are under it: move or retire them first.")
        with pytest.raises(RosterRefusal, match="2 people are still in it"):
            await units.retire_unit(session, coordinator, None, patrol_b, date(2026, 12, 1))
        empty = await units.add_unit(session, coordinator, None, "Reserve", patrol_b.id)
        await units.retire_unit(session, coordinator, None, empty, date(2026, 12, 1))
        await session.commit()
        assert empty.retired_on == date(2026, 12, 1)
        # A retired unit takes no new units under it.
        with pytest.raises(RosterRefusal, match="open units"):
            await units.add_unit(session, coordinator, None, "Reserve 2", empty.id)


async def test_unit_names_are_unique_in_the_agency(session_factory, org, coordinator):
    async with session_factory() as session:
        with pytest.raises(RosterRefusal, match="already has a unit of this name"):
            await units.add_unit(session, coordinator, None, "Patrol A", None)
        with pytest.raises(RosterRefusal, match="Enter the unit's name"):
            await units.add_unit(session, coordinator, None, "   ", None)


async def test_a_rank_someone_holds_cannot_be_deleted_and_renaming_renames_its_holders(
        session_factory, org, coordinator):
    async with session_factory() as session:
        sergeant = await session.scalar(select(AgencyRank).where(AgencyRank.agency_id == org.agency_id,
                                                                 AgencyRank.name == "Sergeant"))
        assert sergeant is not None
        with pytest.raises(RosterRefusal, match="Sergeant is held by 2 people"):
            await units.delete_rank(session, coordinator, None, sergeant)
        assert await units.rename_rank(session, coordinator, None, sergeant, "Patrol Sergeant") == 2
        unused = await units.add_rank(session, coordinator, None, "Cadet")
        await units.delete_rank(session, coordinator, None, unused)
        await session.commit()
        ranks = [row.name for row in await units.agency_ranks(session, org.agency_id)]
        assert (await session.get_one(Person, org.sgt1)).rank == "Patrol Sergeant"
    assert ranks == ["Chief", "Lieutenant", "Patrol Sergeant", "Officer", "Training Coordinator", "Administrator"]


async def test_ranks_reorder_by_swapping_with_a_neighbour(session_factory, org, coordinator):
    async with session_factory() as session:
        officer = await session.scalar(select(AgencyRank).where(AgencyRank.agency_id == org.agency_id,
                                                                AgencyRank.name == "Officer"))
        assert officer is not None
        await units.move_rank(session, coordinator, None, officer, up=True)
        await session.commit()
        ranks = [row.name for row in await units.agency_ranks(session, org.agency_id)]
    assert ranks[:4] == ["Chief", "Lieutenant", "Officer", "Sergeant"]


async def test_unit_changes_are_audited_with_before_and_after(session_factory, org, coordinator):
    async with session_factory() as session:
        patrol_a = await _unit(session, org, "Patrol A")
        await units.rename_unit(session, coordinator, "127.0.0.1", patrol_a, "Patrol North")
        await session.commit()
        event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.unit_rename"))
    assert event is not None and event.object_id == str(patrol_a.id)
    assert event.detail["before"]["name"] == "Patrol A" and event.detail["after"]["name"] == "Patrol North"


async def test_ranks_and_periods_are_filled_from_the_people_on_file(session_factory, demo_org):
    async with session_factory() as session:
        officer = await session.get_one(Person, demo_org.officer1)
        officer.hired_on = date(2020, 3, 2)
        await session.flush()
        await units.roster_from_people(session, demo_org.agency_id)
        await units.roster_from_people(session, demo_org.agency_id)  # a second run adds nothing
        await session.commit()
        ranks = [row.name for row in await units.agency_ranks(session, demo_org.agency_id)]
        periods = list(await session.scalars(select(EmploymentPeriod)))
    assert ranks == ["Administrator", "Chief", "Lieutenant", "Officer", "Sergeant", "Training Coordinator"]
    # Only officer1 has a hire or licence date; nobody else gets an invented start.
    assert [(p.person_id, p.started_on, p.ended_on) for p in periods] == [(demo_org.officer1, date(2020, 3, 2), None)]

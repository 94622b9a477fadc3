"""The team pages cost the same number of SQL statements for a team of 3 as for a team of 30."""

from __future__ import annotations

from sqlalchemy import event

from tests.team.support import GapSpec, StatusSpec, add_person, license_people, store_status, today_for


async def _team(session_factory, org, supervisor: int, size: int, existing: list[int]) -> None:
    """`size` licensed people under `supervisor` (counting `existing`), each stored at risk with two gaps."""
    today = await today_for(session_factory, org.agency_id)
    members = list(existing)
    while len(members) < size:
        members.append(await add_person(session_factory, org.agency_id, supervisor, f"P{supervisor}x{len(members)}",
                                        f"Member{len(members):02d}"))
    for member in members:
        await store_status(session_factory, org.agency_id, member, StatusSpec(
            "at_risk", next_due_in=10, gaps=[GapSpec("Crisis intervention", 10), GapSpec("Use of force", 20)]), today)


async def test_statements_per_page_do_not_grow_with_the_team(app, browsers, demo_org, session_factory):
    await license_people(session_factory, demo_org.officer1)
    await _team(session_factory, demo_org, demo_org.sgt1, 3, [demo_org.officer1])
    await _team(session_factory, demo_org, demo_org.sgt2, 30, [])
    urls = ("/team", "/team?sort=next_due&dir=desc&state=at_risk&rank=Officer", "/team/warnings?within=90")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    async def statements_per_page(username: str, expected_rows: int) -> list[int]:
        browser = await browsers(username)
        for url in urls:  # once first, so nothing a first visit does (session upkeep) is counted
            assert (await browser.get(url)).status_code == 200
        numbers = []
        for url in urls:
            statements.clear()
            response = await browser.get(url)
            numbers.append(len(statements))
            assert response.text.count('/dashboard">Member') == expected_rows, url
        return numbers

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        small = await statements_per_page("sgt1", 2)  # officer1 is "Officer, Olly", not a Member
        large = await statements_per_page("sgt2", 25)  # one full page of 30
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert small == large, (small, large)
    assert min(small) > 0, "the listener saw no statements"

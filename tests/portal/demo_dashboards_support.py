"""The seeded demo agency (seed/demo.py) with every officer's stored status and live evaluation, for tests
that compare the team and agency dashboards with each officer's own (tests/portal/test_demo_dashboards.py,
tests/browser/test_dashboards_flow.py)."""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from compliance import ComplianceStatus, RequirementStatus
from compliance.wording import format_date
from models import ComplianceWaiver, Person, Unit, UserAccount, WaiverKind
from seed.demo import DEMO_MFA_SECRET, DEMO_PASSWORD, seed_demo
from services.compliance import officer_status
from services.compliance_status import refresh_page, take_snapshot
from services.training_records import agency_today
from tests.portal.conftest import Browser

STATES = ("compliant", "on_track", "at_risk", "overdue", "on_leave")
STATE_LABELS = {"compliant": "Compliant", "on_track": "On track", "at_risk": "At risk", "overdue": "Overdue",
                "on_leave": "On leave"}


@dataclass(frozen=True)
class Standing:
    """An officer's live evaluation, in the terms every other view repeats it."""

    person: Person
    unit: str
    status: ComplianceStatus
    on_leave: bool

    @property
    def name(self) -> str:
        return f"{self.person.last_name}, {self.person.first_name}"

    @property
    def shown_state(self) -> str:
        """The state counted on the agency pages: on leave apart, whatever the engine says."""
        return "on_leave" if self.on_leave else self.status.state

    @property
    def unmet(self) -> list[RequirementStatus]:
        return [requirement for requirement in self.status.requirements if not requirement.met]

    @property
    def requirements(self) -> tuple[int, int]:
        """Met and total of the current periods (an unmet earlier period is a gap, not one more requirement)."""
        current = [requirement for requirement in self.status.requirements if not requirement.previous_period]
        return sum(1 for requirement in current if requirement.met), len(current)

    def next_due(self, none: str) -> str:
        """The earliest due date of an unmet requirement, in words; `none` (the page's dash) when all are met."""
        due = min((requirement.due_on for requirement in self.unmet), default=None)
        return format_date(due) if due else none

    @property
    def titles(self) -> list[str]:
        """What the team list shows as outstanding: the unmet requirements' titles, soonest due first."""
        return [r.requirement.title for r in sorted(self.unmet, key=lambda r: (r.due_on, r.requirement.title))]

    @property
    def missing_by_due(self) -> list[str]:
        """The dashboard's "what to do next" sentences, soonest due first (ties in the dashboard's order)."""
        paired = zip(self.unmet, self.status.missing, strict=True)
        return [sentence for _, sentence in sorted(paired, key=lambda pair: pair[0].due_on)]

    def needs_within(self, today: date, days: int) -> list[str]:
        """What must be done within `days` to stay compliant (unmet, not yet overdue, due by then), soonest
        first and by title, as the early warning lists it."""
        last = today + timedelta(days=days)
        paired = sorted(zip(self.unmet, self.status.missing, strict=True),
                        key=lambda pair: (pair[0].due_on, pair[0].requirement.title))
        return [sentence for requirement, sentence in paired
                if not requirement.overdue and today <= requirement.due_on <= last]


@dataclass
class Demo:
    agency_id: int
    today: date
    people: dict[str, Person]  # by last name (unique in the demo roster)
    units: dict[str, Unit]  # by name
    standings: dict[int, Standing]  # tracked officers by person id

    def unit_and_below(self, name: str) -> set[int]:
        wanted = {self.units[name].id}
        grew = True
        while grew:
            below = {unit.id for unit in self.units.values() if unit.parent_id in wanted} - wanted
            wanted |= below
            grew = bool(below)
        return wanted

    def counts(self, standings: list[Standing]) -> tuple[int, ...]:
        by_state = Counter(standing.shown_state for standing in standings)
        return tuple(by_state[state] for state in STATES)

    def in_unit(self, name: str) -> list[Standing]:
        units = self.unit_and_below(name)
        return [s for s in self.standings.values() if s.person.unit_id in units]

    def team_of(self, supervisor: str) -> list[Person]:
        """Everyone under the supervisor in the chain of command, tracked or not."""
        found: list[Person] = []
        above = {self.people[supervisor].id}
        while above:
            below = [p for p in self.people.values() if p.supervisor_id in above]
            found += below
            above = {p.id for p in below}
        return found


async def build_demo(session_factory: async_sessionmaker[AsyncSession], workflow_id_prefix: str = "") -> Demo:
    """Seed the demo agency, store every officer's status as the daily refresh does (in batches, then the
    day's snapshot) and evaluate each one live, as their own dashboard does. With a worker running, pass the
    test's workflow id prefix: the relay starts the demo's pending requests."""
    summary = await seed_demo(session_factory, workflow_id_prefix=workflow_id_prefix)
    async with session_factory() as session:
        # The dashboards evaluate on the agency's date; storing on the same date makes them comparable.
        today = await agency_today(session, summary.agency_id)
    cursor: int | None = 0
    while cursor is not None:  # as the daily refresh does, a batch at a time
        async with session_factory() as session, session.begin():
            cursor = await refresh_page(session, cursor, 10, today)
    async with session_factory() as session, session.begin():
        await take_snapshot(session, today)
    async with session_factory() as session:
        people = {p.last_name: p for p in await session.scalars(select(Person).where(
            Person.agency_id == summary.agency_id))}
        units = {u.name: u for u in await session.scalars(select(Unit).where(Unit.agency_id == summary.agency_id))}
        unit_names = {unit.id: name for name, unit in units.items()}
        # Who is on leave, read from the waivers themselves (seed/training_records.py records Pederson's).
        leave = set(await session.scalars(select(ComplianceWaiver.officer_id).where(
            ComplianceWaiver.kind == WaiverKind.LEAVE, ComplianceWaiver.starts_on <= today)))
        standings = {}
        for person in people.values():
            status = await officer_status(session, person.id, today)
            if status is not None:
                assert person.unit_id is not None  # everyone in the demo roster has a unit
                standings[person.id] = Standing(person, unit_names[person.unit_id], status, person.id in leave)
    return Demo(summary.agency_id, today, people, units, standings)


async def demo_browser(app, browsers, username: str) -> Browser:  # type: ignore[no-untyped-def]
    """A demo login signed in as a person would: the demo password, then the demo authenticator's code."""
    browser = await browsers(None)
    await browser.client.get("/login")
    response = await browser.post("/login", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text
    if response.headers["location"] == "/login/mfa":
        async with app.state.session_factory() as session, session.begin():
            await session.execute(update(UserAccount).where(UserAccount.username == username)
                                  .values(mfa_last_step=None))
        response = await browser.post("/login/mfa", {"code": pyotp.TOTP(DEMO_MFA_SECRET).now()})
        assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    return browser


# --- Reading pages -----------------------------------------------------------------------------------



# --- Reading pages -----------------------------------------------------------------------------------


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def cells(row: str) -> dict[str, str]:
    """A table row's cells by their data-label, as text."""
    return {label: text_of(value)
            for label, value in re.findall(r'<t[dh][^>]*data-label="([^"]+)"[^>]*>(.*?)</t[dh]>', row, re.S)}


def cell_html(row: str, label: str) -> str:
    found = re.search(rf'data-label="{label}"[^>]*>(.*?)</td>', row, re.S)
    assert found, label
    return found.group(1)


def items(fragment: str) -> list[str]:
    return [text_of(item) for item in re.findall(r"<li>(.*?)</li>", fragment, re.S)]


def rows_by_id(page: str, prefix: str) -> dict[int, str]:
    return {int(row_id): row for row_id, row in re.findall(rf'<tr id="{prefix}(\d+)">(.*?)</tr>', page, re.S)}

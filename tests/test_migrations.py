"""Migrations go up and down cleanly, and leave exactly the schema the models describe."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

import models
from models.database import create_engine
from settings import PROJECT_ROOT
from tests.conftest import POSTGRES_URL, _admin, _postgres_reachable, _run_async, require


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    require(_postgres_reachable(), "PostgreSQL on 127.0.0.1:5432")
    name = f"muster_migrations_{os.getpid()}"
    _run_async(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    _run_async(_admin(f"CREATE DATABASE {name}"))
    yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    _run_async(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _alembic(url: str, verb: str, revision: str) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(getattr(command, verb), config, revision).result()


async def _differences(url: str) -> list[object]:
    engine = create_engine(url)

    def compare(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), models.Base.metadata))

    async with engine.connect() as conn:
        diff = await conn.run_sync(compare)
    await engine.dispose()
    return diff


async def test_migrations_upgrade_downgrade_and_match_the_models(empty_database: str) -> None:
    _alembic(empty_database, "upgrade", "head")
    _alembic(empty_database, "downgrade", "base")
    _alembic(empty_database, "upgrade", "head")
    assert await _differences(empty_database) == []

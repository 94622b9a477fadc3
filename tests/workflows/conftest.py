"""Workflow tests run on Temporal's time-skipping test server, with the real activities."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from settings import Settings
from tests.conftest import VENV_BIN
from worker import build_worker


@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """A server per test (it starts in ~0.1 s): time only skips while no workflow anywhere on the
    server has pending work, so workflows left open by an earlier test would hold the clock."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(VENV_BIN / "temporal-test-server")
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def skipping_client(
    time_skipping_env: WorkflowEnvironment, session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> AsyncIterator[Client]:
    async with build_worker(time_skipping_env.client, session_factory, settings, settings.task_queue):
        yield time_skipping_env.client

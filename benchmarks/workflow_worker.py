"""The worker of the workflow-scale rows, in a process of its own so its memory and CPU are its own.

`--kind real` runs LicensingCycleWorkflow with its real activities (and mail), as worker.py registers them,
with the SDK's default cache and concurrency (what worker.py uses); `--kind noop` runs
benchmarks/noop_cycle.py. Every finished activity is counted by type and the counts are written to
`--counts` as JSON twice a second, so benchmarks/workflow_scale.py can tell when a phase is done.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Worker,
)

COUNTS: Counter[str] = Counter()


class _Counted(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:  # noqa: A002 (the SDK's name)
        result = await self.next.execute_activity(input)
        COUNTS[activity.info().activity_type] += 1
        return result


class CountingInterceptor(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:  # noqa: A002
        return _Counted(next)


async def _write_counts(path: Path) -> None:
    while True:
        await asyncio.to_thread(path.write_text, json.dumps(COUNTS))
        await asyncio.sleep(0.5)


def _worker(client: Client, kind: str, task_queue: str, database_url: str, smtp_port: int) -> Worker:
    if kind == "noop":
        from benchmarks.noop_cycle import NoopCycleWorkflow, noop_wake

        return Worker(client, task_queue=task_queue, workflows=[NoopCycleWorkflow], activities=[noop_wake],
                      interceptors=[CountingInterceptor()])
    from activities.licensing_cycles import LicensingCycleActivities
    from activities.notifications import NotificationActivities
    from models.database import create_engine, create_session_factory
    from settings import load_settings
    from workflows.licensing_cycle import LicensingCycleWorkflow

    settings = replace(load_settings(), database_url=database_url, task_queue=task_queue, smtp_host="127.0.0.1",
                       smtp_port=smtp_port)
    factory = create_session_factory(create_engine(database_url))
    cycles = LicensingCycleActivities(factory, settings)
    notifications = NotificationActivities(factory, settings)
    return Worker(client, task_queue=task_queue, workflows=[LicensingCycleWorkflow],
                  activities=[cycles.evaluate_officer, cycles.send_compliance_reminder, cycles.open_compliance_case,
                              notifications.send_notification_email],
                  interceptors=[CountingInterceptor()])


async def main(arguments: argparse.Namespace) -> None:
    client = await Client.connect(arguments.address)
    writer = asyncio.create_task(_write_counts(arguments.counts))
    async with _worker(client, arguments.kind, arguments.task_queue, arguments.database_url, arguments.smtp_port):
        await asyncio.Event().wait()  # until terminated
    writer.cancel()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("real", "noop"), required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--smtp-port", type=int, default=8025)
    parser.add_argument("--counts", type=Path, required=True)
    asyncio.run(main(parser.parse_args()))

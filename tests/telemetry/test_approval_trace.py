"""One sergeant's approval, traced from the HTTP request through the Temporal client into the workflow
and its activities, exported over OTLP/HTTP to a local collector."""

from __future__ import annotations

from dataclasses import replace

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from portal.app import create_app
from telemetry import tracing
from telemetry.structured_logs import REQUESTS
from tests.portal.conftest import Browser, sign_in
from tests.portal.test_request_form import VALID
from tests.support import wait_for_open_task
from tests.telemetry.collector import running_collector
from tests.telemetry.logs import json_lines
from worker import build_worker

DECISION_ROUTE = "POST /inbox/tasks/{task_id}/decision"


def _traced_client(env: WorkflowEnvironment, settings, service: str) -> Client:
    return Client(env.client.service_client, namespace=env.client.namespace,
                  interceptors=tracing.client_interceptors(settings, service))


async def test_one_approval_is_one_trace_across_portal_workflow_and_activities(
    temporal_env, session_factory, settings, demo_org
):
    with running_collector() as (collector, endpoint):
        settings = replace(settings, otlp_endpoint=endpoint)
        app = create_app(settings, temporal_client=_traced_client(temporal_env, settings, "muster-portal"))
        worker_client = _traced_client(temporal_env, settings, "muster-worker")
        clients: list[httpx.AsyncClient] = []

        async def browser(username: str) -> Browser:
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
            clients.append(client)
            signed_in = Browser(client)
            await sign_in(app, signed_in, username)
            return signed_in

        try:
            async with build_worker(worker_client, session_factory, settings, settings.task_queue):
                officer, sergeant = await browser("officer1"), await browser("sgt1")
                submitted = await officer.post("/requests", {**VALID, "cost_tuition": "200", "cost_travel": ""})
                request_id = int(submitted.headers["location"].split("/")[2].split("?")[0])
                task = await wait_for_open_task(session_factory, request_id)
                with json_lines(REQUESTS) as lines:
                    response = await sergeant.post(f"/inbox/tasks/{task.id}/decision",
                                                   {"action": "approve", "comment": "Good course."}, htmx=True)
                assert response.status_code == 200 and "Approved" in response.text
                assert tracing.flush(settings, "muster-portal") and tracing.flush(settings, "muster-worker")
        finally:
            for client in clients:
                await client.aclose()
            await app.state.engine.dispose()
            # The mail after the answer is traced too; send it before the collector stops listening.
            tracing.shut_down(settings, "muster-portal")
            tracing.shut_down(settings, "muster-worker")

    [http_span] = [span for span in collector.spans if span.name == DECISION_ROUTE]
    trace = collector.in_trace(http_span.trace_id)
    names = {(span.service, span.name) for span in trace}
    assert ("muster-portal", "StartWorkflowUpdate:decide") in names
    assert ("muster-worker", "HandleUpdate:decide") in names
    assert ("muster-worker", "StartActivity:record_transition") in names
    assert ("muster-worker", "RunActivity:record_transition") in names
    # Every span of the click hangs from the HTTP request's span: one tree, not a link to the submission.
    by_id = {span.span_id: span for span in trace}
    for span in trace:
        root = span
        while root.parent_span_id in by_id:
            root = by_id[root.parent_span_id]
        assert root == http_span, span.name
    [line] = [line for line in lines if line["route"] == DECISION_ROUTE.split(" ", 1)[1]]
    assert line["trace_id"] == http_span.trace_id  # the log line leads to the trace

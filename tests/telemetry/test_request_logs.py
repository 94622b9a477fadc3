"""One JSON line per portal request: ids to follow a click end to end, never names."""

from __future__ import annotations

from telemetry.structured_logs import REQUESTS
from tests.telemetry.logs import json_lines


async def test_request_line_has_route_status_ids_and_no_names(browsers, demo_org):
    sergeant = await browsers("sgt1")
    with json_lines(REQUESTS) as lines:
        response = await sergeant.get("/inbox", headers={"X-Request-ID": "lb-4f1c2a9e77"})
    assert response.headers["x-request-id"] == "lb-4f1c2a9e77"
    [line] = lines
    assert line["event"] == "request" and line["method"] == "GET" and line["route"] == "/inbox"
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert line["request_id"] == "lb-4f1c2a9e77" and line["user_id"] == demo_org.sgt1
    text = str(line).lower()
    assert "sgt1" not in text and "sergeant" not in text and "trace_id" not in line  # tracing is off


async def test_a_forged_request_id_is_replaced_by_a_generated_one(browsers):
    visitor = await browsers(None)
    with json_lines(REQUESTS) as lines:
        response = await visitor.get("/login", headers={"X-Request-ID": 'x" level="error'})
    [line] = lines
    assert line["request_id"] == response.headers["x-request-id"]
    assert len(line["request_id"]) == 32 and line["user_id"] is None


async def test_a_path_no_route_answers_is_logged_as_unmatched(browsers):
    visitor = await browsers(None)
    with json_lines(REQUESTS) as lines:
        response = await visitor.get("/no/such/page/for/jane-doe")
    [line] = lines
    assert response.status_code == 404 and line["route"] == "unmatched" and "jane" not in str(line)

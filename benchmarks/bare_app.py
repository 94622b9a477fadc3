"""The baseline app of the page rows: one bare Litestar handler, served by the same uvicorn as the portal."""

from __future__ import annotations

from litestar import Litestar, get


@get("/bare", media_type="text/plain")
async def bare() -> str:
    return "ok"


def create_bare_app() -> Litestar:
    return Litestar(route_handlers=[bare], openapi_config=None)

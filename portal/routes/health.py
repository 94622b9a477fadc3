from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@get("/healthz", media_type="text/plain")
async def healthz(db: NamedDependency[AsyncSession]) -> Response[str]:
    try:
        await db.execute(text("SELECT 1"))
    except Exception:
        return Response("database unavailable", status_code=503, media_type="text/plain")
    return Response("ok", media_type="text/plain")

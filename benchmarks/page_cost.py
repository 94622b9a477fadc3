"""Issue 14, target 1: what one officer or sergeant page costs the server, against a bare Litestar handler.

Both apps run in uvicorn processes of their own (benchmarks/servers.py, pinned to one core), asked one request
at a time by the same httpx client over TCP with keep-alive, so the ratio is the page's own work. Then, in
this process, each page is asked again through the ASGI app with every SQL statement counted and the whole
run profiled with pyinstrument; `profile_shares` sorts the profile into what the issue names (session load,
nav badges, queries, templates, compliance evaluation).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client

from benchmarks.dataset import DatasetSummary
from benchmarks.servers import BARE_FACTORY, PORTAL_FACTORY, uvicorn_server
from benchmarks.timing import Result
from portal.app import create_app
from portal.sessions import cookie_name, start_session
from settings import Settings


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    who: str  # "officer" or "sergeant"


# The page mix of the issue: an officer's own pages, and the sergeant's inbox (the nav's badge polls the count).
PAGES = (
    Page("Officer dashboard", "/dashboard", "officer"),
    Page("Training history", "/records", "officer"),
    Page("My requests", "/requests", "officer"),
    Page("Approval inbox (busiest sergeant)", "/inbox", "sergeant"),
    Page("Notification count", "/notifications/count", "sergeant"),
)


async def session_cookies(factory: async_sessionmaker[AsyncSession], settings: Settings, data: DatasetSummary
                          ) -> dict[str, dict[str, str]]:
    """A signed-in session for the officer and for the busiest sergeant: {who: cookies}."""
    cookies = {}
    for who, user_id in (("officer", data.officer_user_id), ("sergeant", data.busiest_sergeant_user_id)):
        async with factory() as session, session.begin():
            cookies[who] = {cookie_name(settings): start_session(session, user_id, "127.0.0.1")}
    return cookies


def server_env(settings: Settings) -> dict[str, str]:
    """The portal's environment for the benchmark database (metrics and traces off, as by default)."""
    return {"MUSTER_DATABASE_URL": settings.database_url, "MUSTER_TASK_QUEUE": settings.task_queue,
            "MUSTER_TEMPORAL_ADDRESS": "127.0.0.1:1", "MUSTER_SECRET_KEY": settings.secret_key,
            "MUSTER_PORTAL_METRICS_ADDRESS": "", "MUSTER_OTLP_ENDPOINT": "", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}


async def _median(client: httpx.AsyncClient, path: str, cookies: dict[str, str], repeat: int) -> float:
    for _ in range(3):  # warm: pools, template cache, rule pack
        response = await client.get(path, cookies=cookies)
        assert response.status_code == 200, (path, response.status_code)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = await client.get(path, cookies=cookies)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples)


async def page_cost_rows(settings: Settings, cookies: dict[str, dict[str, str]], repeat: int) -> list[Result]:
    """Median of each page over uvicorn, against the bare handler's median, same client, same run."""
    async with uvicorn_server(BARE_FACTORY, {}, ready_path="/bare") as (bare_url, _), \
            httpx.AsyncClient(base_url=bare_url) as client:
        bare = await _median(client, "/bare", {}, repeat)
    rows = []
    async with uvicorn_server(PORTAL_FACTORY, server_env(settings)) as (url, _), \
            httpx.AsyncClient(base_url=url) as client:
        for page in PAGES:
            subject = await _median(client, page.path, cookies[page.who], repeat)
            rows.append(Result(f"GET {page.path}: {page.label}", "portal page over uvicorn (one process, serial)",
                               "bare Litestar handler, same uvicorn and client", subject, bare))
        healthz = await _median(client, "/healthz", {}, repeat)
        rows.append(Result("GET /healthz", "portal health check over uvicorn (no session)",
                           "bare Litestar handler, same uvicorn and client", healthz, bare))
    return rows


# --- Queries and profile, in process ---------------------------------------------------------------

# What the issue asks to separate, recognised by the frame's file and function. The first match from the
# root down claims the frame's whole time (its queries and awaits included), so nothing counts twice; time
# in frames no part claims goes to the package of the nearest real frame (SELF_ONLY).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("session load (cookie -> session, user, roles, zone)", "portal/sessions.py", "load_session_user"),
    ("nav badges (inbox count, unread count)", "services/training_requests.py", "inbox_count"),
    ("nav badges (inbox count, unread count)", "portal/layout.py", "unread_count"),
    ("permission checks (services/access.py, with their queries)", "services/access.py", ""),
    ("compliance evaluation (pure engine)", "compliance/", "evaluate"),
    ("template rendering (Jinja)", "jinja2/", ""),
    ("template rendering (Jinja)", "litestar/response/template.py", ""),
    ("page queries (statement building, ORM, driver, round trips)", "sqlalchemy/", ""),
)
SELF_ONLY: tuple[tuple[str, str], ...] = (
    ("request telemetry (ids, JSON line, metrics, spans): own time", "telemetry/"),
    ("portal middleware (body cap, CSRF, security headers): own time", "portal/"),
    ("Litestar (routing, DI, middleware, responses): own time", "litestar/"),
    ("services' own Python (building rows, contexts)", "services/"),
)


@dataclass
class Profiled:
    queries: dict[str, float] = field(default_factory=dict)  # page -> statements per request
    shares: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # page -> [(category, share)]
    hot: list[tuple[str, float]] = field(default_factory=list)  # (function, share of all app time) over the mix
    report_path: Path | None = None


def _frames(frame: Any) -> Iterator[Any]:
    yield frame
    for child in frame.children:
        yield from _frames(child)


def _path(frame: Any) -> str:
    return (frame.file_path or "").replace("\\", "/")


def _category(frame: Any) -> str | None:
    path = _path(frame)
    for name, file_part, function in CATEGORIES:
        if file_part in path and (not function or frame.function == function):
            return name
    return None


def _owner(frame: Any, owner: str) -> str:
    path = _path(frame)
    if not path:  # [self], [await] and hidden frames belong to the frame above them
        return owner
    return next((name for name, part in SELF_ONLY if part in path), "other Python (asyncio, httpx server side, stdlib)")


def _categorise(frame: Any, totals: Counter[str], owner: str = "") -> None:
    name = _category(frame)
    if name is not None:
        totals[name] += frame.time
        return
    owner = _owner(frame, owner)
    if not frame.children:
        totals[owner] += frame.time
    for child in frame.children:
        _categorise(child, totals, owner)


GREENLET_ORM = "ORM work inside SQLAlchemy's greenlets (sync side of every query, caller unknown)"


def _detached(root: Any) -> list[Any]:
    """SQLAlchemy's async ORM runs its sync half in greenlets, which the profile shows beside the event loop's
    stack rather than under the awaiting caller: the benchmark runs nothing else, so it is the portal's."""
    return [frame for frame in root.children if "sqlalchemy/" in _path(frame)]  # beside the thread's main stack


def _app_frames(root: Any) -> list[Any]:
    """The outermost frames of the portal's ASGI app (what runs per request, without the client)."""
    found: list[Any] = []

    def walk(frame: Any) -> None:
        path = (frame.file_path or "").replace("\\", "/")
        if frame.function == "__call__" and ("litestar/" in path or "telemetry/" in path):
            found.append(frame)
            return
        for child in frame.children:
            walk(child)

    walk(root)
    return found


def profile_shares(root: Any) -> tuple[float, list[tuple[str, float]]]:
    """(app seconds, [(category, share of app time)]) with 'other' for what no category claims."""
    apps, detached = _app_frames(root), _detached(root)
    total = sum(frame.time for frame in [*apps, *detached]) or 1e-9
    totals: Counter[str] = Counter()
    for frame in apps:
        _categorise(frame, totals)
    totals[GREENLET_ORM] += sum(frame.time for frame in detached)
    return total, [(name, seconds / total) for name, seconds in totals.most_common()]


# Middleware that wraps every request: its inclusive time is the whole request, not a hot spot.
WRAPPERS = frozenset({"__call__", "authenticate_request"})


def _hot_spots(root: Any, limit: int = 12) -> list[tuple[str, float]]:
    """Project functions (portal, services, compliance, models) by inclusive time, outermost call only."""
    apps = _app_frames(root)
    total = sum(frame.time for frame in [*apps, *_detached(root)]) or 1e-9
    times: Counter[str] = Counter()

    def walk(frame: Any, seen: frozenset[str]) -> None:
        path = (frame.file_path or "").replace("\\", "/")
        key = ""
        for package in ("/portal/", "/services/", "/compliance/", "/models/", "/telemetry/"):
            if package in path and "site-packages" not in path:
                key = f"{package.strip('/')}/{path.rsplit(package, 1)[1]}:{frame.function}"
        if key and key not in seen and frame.function not in WRAPPERS:
            times[key] += frame.time
            seen = seen | {key}
        for child in frame.children:
            walk(child, seen)

    for frame in apps:
        walk(frame, frozenset())
    return [(key, seconds / total) for key, seconds in times.most_common(limit)]


async def profile_pages(settings: Settings, cookies: dict[str, dict[str, str]], repeat: int,
                        report_dir: Path) -> Profiled:
    """Statements per request of each page, and a pyinstrument profile of each and of the whole mix."""
    from pyinstrument import Profiler
    from pyinstrument.renderers import ConsoleRenderer
    from pyinstrument.session import Session

    app = create_app(settings, temporal_client=await Client.connect("127.0.0.1:1", lazy=True))
    statements = Counter[str]()
    current = [""]

    texts: dict[str, Counter[str]] = {}

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements[current[0]] += 1
        texts.setdefault(current[0], Counter())[" ".join(statement.split())[:160]] += 1

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", count)
    result = Profiled()
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar's ASGI types are narrower
    mix: Session | None = None
    report_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (before the timed part)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for page in PAGES:
            current[0] = "warm-up"
            for _ in range(3):
                await client.get(page.path, cookies=cookies[page.who])
            current[0] = page.path
            profiler = Profiler(async_mode="enabled", interval=0.0005)
            with profiler:
                for _ in range(repeat):
                    response = await client.get(page.path, cookies=cookies[page.who])
                    assert response.status_code == 200, (page.path, response.status_code)
            result.queries[page.path] = statements[page.path] / repeat
            session = profiler.last_session
            if session is not None and (root := session.root_frame()) is not None:
                result.shares[page.path] = profile_shares(root)[1]
                mix = session if mix is None else Session.combine(mix, session)
    event.remove(app.state.engine.sync_engine, "before_cursor_execute", count)
    await app.state.engine.dispose()
    if mix is not None and (root := mix.root_frame()) is not None:
        result.hot = _hot_spots(root)
        result.shares["whole mix"] = profile_shares(root)[1]
        result.report_path = report_dir / "page-mix-profile.txt"
        listing = [f"{path}: {n / repeat:g} x {sql}" for path in texts if path != "warm-up"
               for sql, n in texts[path].items()]
        (report_dir / "statements.txt").write_text("\n".join(listing) + "\n")  # noqa: ASYNC240 (after timing)
        text = ConsoleRenderer(unicode=True, color=False, show_all=False, short_mode=False).render(mix)
        result.report_path.write_text(text)  # noqa: ASYNC240 (once, after the timed part)
    return result

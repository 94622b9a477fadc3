"""The portal's application factory: `uvicorn --factory portal.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from models.database import create_engine, create_session_factory
from portal import errors, local_time
from portal.csrf import SessionBoundCSRFMiddleware
from portal.routes import (
    account,
    account_sessions,
    admin,
    admin_accounts,
    agency,
    audit_log,
    auth,
    bulk_entry,
    calendar,
    certificate_reviews,
    certificates,
    dashboard,
    devmail,
    escalations,
    health,
    holidays,
    inbox,
    locked_accounts,
    notification_settings,
    notifications,
    password_reset,
    record_import,
    record_reports,
    records,
    recovery_codes,
    reimbursement,
    reports,
    requests,
    requirements,
    roster,
    roster_changes,
    roster_import,
    roster_units,
    set_password,
    team,
    waivers,
    work_queues,
)
from portal.security import refuse_unusable_input, security_headers
from portal.sessions import SessionAuthMiddleware
from portal.uploads import BodyCapMiddleware, largest_body
from settings import Settings, get_settings
from telemetry import http as request_telemetry
from telemetry.tracing import client_interceptors

PORTAL_DIR = Path(__file__).resolve().parent


async def provide_db(state: State) -> AsyncIterator[AsyncSession]:
    async with state.session_factory() as session:
        yield session


def provide_temporal(state: State) -> Client:
    return state.temporal_client


def provide_settings(state: State) -> Settings:
    return state.settings


def create_app(settings: Settings | None = None, *, temporal_client: Client | None = None) -> Litestar:
    settings = settings or get_settings()
    engine = create_engine(settings.database_url)
    state = State(
        {
            "settings": settings,
            "engine": engine,
            "session_factory": create_session_factory(engine),
            "temporal_client": temporal_client,
        }
    )

    async def connect_temporal(app: Litestar) -> None:
        # Lazy: the portal starts (and saves requests to the outbox) even while Temporal is down.
        if app.state.temporal_client is None:
            app.state.temporal_client = await Client.connect(
                settings.temporal_address, namespace=settings.temporal_namespace, lazy=True,
                interceptors=client_interceptors(settings, "muster-portal"),
            )

    async def dispose_engine(app: Litestar) -> None:
        await app.state.engine.dispose()

    route_handlers: list = [
        health.healthz,
        *auth.ROUTES,
        *requests.ROUTES,
        *inbox.ROUTES,
        *escalations.ROUTES,
        *notifications.ROUTES,
        *admin.ROUTES,
        *holidays.ROUTES,
        *account.ROUTES,
        *notification_settings.ROUTES,
        *calendar.ROUTES,
        *password_reset.ROUTES,
        *set_password.ROUTES,
        *locked_accounts.ROUTES,
        *admin_accounts.ROUTES,
        *account_sessions.ROUTES,
        *recovery_codes.ROUTES,
        *audit_log.ROUTES,
        *dashboard.ROUTES,
        *records.ROUTES,
        *bulk_entry.ROUTES,
        *record_import.ROUTES,
        *record_reports.ROUTES,
        *waivers.ROUTES,
        *certificates.ROUTES,
        *certificate_reviews.ROUTES,
        *requirements.ROUTES,
        *roster.ROUTES,
        *roster_changes.ROUTES,
        *roster_units.ROUTES,
        *roster_import.ROUTES,
        *agency.ROUTES,
        *team.ROUTES,
        *reports.ROUTES,
        *reimbursement.ROUTES,
        *work_queues.ROUTES,
        create_static_files_router(path="/static", directories=[PORTAL_DIR / "static"]),
    ]
    if settings.dev_mailbox_dir is not None:
        route_handlers.extend(devmail.ROUTES)

    app = Litestar(
        route_handlers=route_handlers,
        state=state,
        on_startup=[connect_temporal],
        on_shutdown=[dispose_engine],
        dependencies={
            "db": Provide(provide_db),
            "temporal": Provide(provide_temporal, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        # In this order: bodies are capped before the CSRF check may read a form, and both come
        # before the session is looked up. /calendar/ serves feeds to calendar apps, which cannot
        # sign in: the URL's token is the credential.
        middleware=[
            DefineMiddleware(BodyCapMiddleware, settings=settings),
            DefineMiddleware(SessionBoundCSRFMiddleware, settings=settings),
            DefineMiddleware(SessionAuthMiddleware, exclude=["^/login", "^/static", "^/healthz", "^/calendar/"]),
        ],
        template_config=TemplateConfig(directory=PORTAL_DIR / "templates", engine=JinjaTemplateEngine,
                                       engine_callback=local_time.register),
        plugins=[HTMXPlugin()],
        openapi_config=None,
        # Above every upload route's cap, so their own 413 pages answer first (portal/uploads.py).
        request_max_body_size=largest_body(settings),
        before_request=refuse_unusable_input,
        before_send=[security_headers(settings)],
        exception_handlers={
            NotAuthorizedException: errors.not_authenticated,
            HTTPException: errors.http_error,
            Exception: errors.server_error,
        },
    )
    # Request ids, JSON request lines, metrics on their own port, spans: around routing, so 404s count too.
    return request_telemetry.instrument(app)

"""A person's own sessions: which devices are signed in, and ending any of them."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.layout import client_ip, current_user, page
from portal.sessions import hash_token, session_cookie
from services.account_sessions import end_own_session, live_sessions
from services.time_zones import agency_time_zone
from settings import Settings


@get("/account/sessions")
async def sessions_page(request: Request, db: NamedDependency[AsyncSession],
                        settings: NamedDependency[Settings]) -> Template:
    user = current_user(request)
    sessions = await live_sessions(db, user.id, settings, await agency_time_zone(db, user.agency_id),
                                   hash_token(str(request.auth)))
    return await page(request, db, "account/sessions.html", sessions=sessions)


@post("/account/sessions/{session_id:int}/end", status_code=303)
async def end_session(session_id: FromPath[int], request: Request, db: NamedDependency[AsyncSession],
                      settings: NamedDependency[Settings]) -> Redirect:
    user = current_user(request)
    ended = await end_own_session(db, user, client_ip(request), session_id, hash_token(str(request.auth)))
    if ended is None:
        raise NotFoundException()
    if ended.was_current:
        # Ending this very session is signing out.
        return Redirect("/login", status_code=303, cookies=[session_cookie(settings, None)])
    return Redirect("/account/sessions?notice=session_ended", status_code=303)


ROUTES = [sessions_page, end_session]

"""The personal calendar feed: make its secret link (signed in), and serve it (to calendar apps, no session)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome
from portal.layout import client_ip, current_user, page
from services.audit import record_audit
from services.calendar_feed import calendar_for, create_calendar_token, has_calendar_token, person_for_token
from services.training_records import agency_today
from settings import Settings


@get("/account/calendar")
async def calendar_settings(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    person_id = current_user(request).person_id
    if person_id is None:
        return await page(request, db, "account/no_person.html")
    return await page(request, db, "account/calendar.html", has_link=await has_calendar_token(db, person_id),
                      feed_url=None, replaced=False)


@post("/account/calendar", status_code=200)
async def create_calendar_link(
    request: Request, db: NamedDependency[AsyncSession], settings: NamedDependency[Settings]
) -> Template:
    """Show the new link in this response only: the database keeps just its hash."""
    user = current_user(request)
    if user.person_id is None:
        return await page(request, db, "account/no_person.html")
    token, replaced = await create_calendar_token(db, user.person_id)
    record_audit(db, user.id, user.audit_label, "calendar_link.create", "person", user.person_id,
                 AuditOutcome.SUCCESS, client_ip(request), user.agency_id, {"replaced_old_link": replaced})
    await db.commit()
    return await page(request, db, "account/calendar.html", has_link=True, replaced=replaced,
                      feed_url=f"{settings.public_url}/calendar/{token}.ics")


@get("/calendar/{feed:str}")
async def calendar_feed(
    db: NamedDependency[AsyncSession], settings: NamedDependency[Settings], feed: FromPath[str]
) -> Response[str]:
    """Outside the session middleware: calendar apps cannot sign in; the token is the credential.

    Not audited: subscribed apps poll it every few hours, which would flood the audit log.
    """
    person = await person_for_token(db, feed.removesuffix(".ics")) if feed.endswith(".ics") else None
    if person is None:
        raise NotFoundException()
    body = await calendar_for(db, person, await agency_today(db, person.agency_id), settings.public_url)
    return Response(body, media_type="text/calendar",
                    headers={"Cache-Control": "no-store", "Content-Disposition": 'inline; filename="muster.ics"'})


ROUTES = [calendar_settings, create_calendar_link, calendar_feed]

"""The user's in-app notifications (rows written while in-app was switched off stay hidden)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Notification, utcnow
from portal.layout import current_user, page, unread_count


@get("/notifications")
async def notifications(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    person_id = current_user(request).person_id
    items = list(
        await db.scalars(
            select(Notification)
            .where(Notification.person_id == person_id, Notification.in_app)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(200)
        )
    )
    return await page(request, db, "notifications/list.html", items=items)


@get("/notifications/count")
async def notifications_count(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    count = await unread_count(db, current_user(request).person_id)
    return Template(template_name="notifications/_count.html", context={"nav_unread_count": count})


@post("/notifications/read-all", status_code=303)
async def read_all(request: Request, db: NamedDependency[AsyncSession]) -> Redirect:
    person_id = current_user(request).person_id
    await db.execute(
        update(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    await db.commit()
    return Redirect("/notifications", status_code=303)


@post("/notifications/{notification_id:int}/read", status_code=303)
async def read_one(request: Request, db: NamedDependency[AsyncSession], notification_id: FromPath[int]) -> Redirect:
    # Scoped by person_id: another user's notification id silently matches nothing.
    await db.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.person_id == current_user(request).person_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    )
    await db.commit()
    return Redirect("/notifications", status_code=303)


ROUTES = [notifications, notifications_count, read_all, read_one]

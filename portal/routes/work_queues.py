"""The coordinator's work queue summary: each queue's count and oldest item, linking to the queue."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditOutcome, utcnow
from portal.layout import client_ip, current_user, page
from services.access import can_view_work_queues
from services.audit import record_audit
from services.coordinator_queues import waiting_queues


@get("/queues")
async def work_queue_summary(request: Request, db: NamedDependency[AsyncSession]) -> Template:
    user = current_user(request)
    if not can_view_work_queues(user):
        record_audit(db, user.id, user.audit_label, "work_queues.view", "agency", user.agency_id,
                     AuditOutcome.DENIED, client_ip(request), user.agency_id)
        await db.commit()
        raise PermissionDeniedException()
    now = utcnow()
    return await page(request, db, "queues/summary.html", queues=await waiting_queues(db, user.agency_id, now),
                      now=now)


ROUTES = [work_queue_summary]

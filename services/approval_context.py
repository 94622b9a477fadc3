"""What an approver needs on each inbox card to decide without opening anything, for a whole page at once.

Hours and topics (by name), the cost by category, how long the task has waited and when it escalates, and,
for an officer whose records the approver may see (services.access), the officer's stored standing
(models/compliance_status.py, never an evaluation per card) and whether the course meets what the officer
still owes (services.approval_coverage). A page costs the same few statements whatever its number of cards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.rules import Requirement
from compliance.wording import MONTHS, format_amount
from models import (
    CostCategory,
    OfficerCompliance,
    OfficerComplianceGap,
    Topic,
    TrainingRequestCost,
    TrainingRequestTopic,
)
from services.access import CurrentUser, officers_with_viewable_records
from services.agency_requirements import active_requirements
from services.approval_coverage import Course, OwedRequirement, coverage
from services.compliance import is_tracked, rule_pack
from services.reimbursement_costs import dollars
from services.training_records import STATE_LABELS
from services.training_requests import TaskRow

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NOT_EVALUATED = "Not known until this officer's compliance is evaluated"
NOT_TRACKED = "Muster does not track this officer's requirements"
COST_LABELS = {CostCategory.TUITION: "Tuition", CostCategory.TRAVEL: "Travel", CostCategory.LODGING: "Lodging",
               CostCategory.OTHER: "Other"}


@dataclass(frozen=True)
class Standing:
    """The officer's stored compliance as the card says it ("At risk, 62% of requirements met")."""

    label: str
    percent: int | None


@dataclass(frozen=True)
class OfficerContext:
    """Only for an officer whose records the approver may see."""

    dashboard_url: str
    standing: Standing
    coverage: tuple[str, ...]


@dataclass(frozen=True)
class CardContext:
    hours: str
    topics: tuple[str, ...]
    costs: tuple[tuple[str, str], ...]  # (category label, amount) in the form's order
    total: str
    waited: str
    escalates: str | None
    officer: OfficerContext | None


def moment_in_words(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """A moment in the agency's zone as people say it: "Monday 7 December, 00:03" (the year only when
    it is not this one)."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    year = f" {local.year}" if local.year != today.year else ""
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}{year}, {local:%H:%M}"


def waited_for(since: datetime, now: datetime) -> str:
    """How long something has waited, in the largest whole unit: "3 days", "5 hours", "less than an hour"."""
    waited = max(now - since, timedelta(0))
    days, hours = waited.days, waited.seconds // 3600
    if days:
        return "1 day" if days == 1 else f"{days} days"
    if hours:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "less than an hour"


def escalation_words(row: TaskRow, zone: tzinfo, now: datetime) -> str | None:
    if row.task.due_at is None:
        return None
    when = moment_in_words(row.task.due_at, zone, now)
    return f"escalates {when}" if row.task.due_at > now else f"was due to escalate {when}"


async def card_contexts(session: AsyncSession, user: CurrentUser, rows: Sequence[TaskRow], zone: tzinfo,
                        now: datetime) -> dict[int, CardContext]:
    """Each card's context by task id; call only with rows the user may act on (the inbox's, or the one the
    decision pipeline let through)."""
    if not rows:
        return {}
    request_ids = [row.request.id for row in rows]
    costs = await _costs(session, request_ids)
    topics = await _topics(session, request_ids)
    visible = await officers_with_viewable_records(session, user, [row.officer for row in rows])
    officers = await _officer_contexts(session, [row for row in rows if row.officer.id in visible], topics)
    contexts = {}
    for row in rows:
        request = row.request
        lines = costs.get(request.id, [])
        contexts[row.task.id] = CardContext(
            hours=format_amount(request.hours), topics=tuple(sorted(topics.get(request.id, {}).values())),
            costs=tuple((COST_LABELS.get(category, category), dollars(cents)) for category, cents in lines),
            total=dollars(request.total_cost_cents), waited=waited_for(row.task.created_at, now),
            escalates=escalation_words(row, zone, now), officer=officers.get(row.task.id),
        )
    return contexts


async def _costs(session: AsyncSession, request_ids: list[int]) -> dict[int, list[tuple[CostCategory, int]]]:
    found: dict[int, list[tuple[CostCategory, int]]] = defaultdict(list)
    order = list(CostCategory)
    rows = await session.execute(select(TrainingRequestCost.request_id, TrainingRequestCost.category,
                                        TrainingRequestCost.amount_cents)
                                 .where(TrainingRequestCost.request_id.in_(request_ids)))
    for request_id, category, cents in rows:
        found[request_id].append((CostCategory(category), cents))
    return {request_id: sorted(lines, key=lambda line: order.index(line[0])) for request_id, lines in found.items()}


async def _topics(session: AsyncSession, request_ids: list[int]) -> dict[int, dict[str, str]]:
    """Each request's topics, code -> name."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    rows = await session.execute(
        select(TrainingRequestTopic.request_id, Topic.code, Topic.name)
        .join(Topic, Topic.code == TrainingRequestTopic.topic_code)
        .where(TrainingRequestTopic.request_id.in_(request_ids))
    )
    for request_id, code, name in rows:
        found[request_id][code] = name
    return found


async def _officer_contexts(session: AsyncSession, rows: list[TaskRow], topics: dict[int, dict[str, str]]
                            ) -> dict[int, OfficerContext]:
    """Standing and coverage per task id, from the stored status: two statements, three with agency
    requirements among the gaps."""
    officer_ids = {row.officer.id for row in rows}
    if not officer_ids:
        return {}
    stored = {status.officer_id: status for status in await session.scalars(
        select(OfficerCompliance).where(OfficerCompliance.officer_id.in_(officer_ids)))}
    gaps: dict[int, list[OfficerComplianceGap]] = defaultdict(list)
    for gap in await session.scalars(select(OfficerComplianceGap)
                                     .where(OfficerComplianceGap.officer_id.in_(officer_ids))
                                     .order_by(OfficerComplianceGap.due_on, OfficerComplianceGap.id)):
        gaps[gap.officer_id].append(gap)
    agency_ids = {row.officer.agency_id for row in rows}
    own: dict[str, Requirement] = {}
    if any(gap.requirement_id.startswith("agency:") for each in gaps.values() for gap in each):
        for agency_id in agency_ids:  # one agency: the inbox is the approver's own
            own.update((requirement.id, requirement) for requirement in await active_requirements(session,
                                                                                                 agency_id))
    contexts = {}
    for row in rows:
        status = stored.get(row.officer.id)
        contexts[row.task.id] = OfficerContext(
            dashboard_url=f"/officers/{row.officer.id}/dashboard", standing=_standing(row, status),
            coverage=_coverage(row, status, gaps[row.officer.id], own, topics.get(row.request.id, {})),
        )
    return contexts


def _standing(row: TaskRow, status: OfficerCompliance | None) -> Standing:
    if status is None:
        label = "Not evaluated yet" if is_tracked(row.officer) else "Not tracked (no licence on file, or separated)"
        return Standing(label, None)
    if status.on_leave:
        return Standing("On leave", status.percent)
    return Standing(STATE_LABELS.get(status.state, status.state), status.percent)


def _coverage(row: TaskRow, status: OfficerCompliance | None, gaps: list[OfficerComplianceGap],
              own: dict[str, Requirement], topic_names: dict[str, str]) -> tuple[str, ...]:
    if status is None:
        return (NOT_EVALUATED if is_tracked(row.officer) else NOT_TRACKED,)
    pack = rule_pack(status.rule_pack)
    requirements = {**{requirement.id: requirement for requirement in pack.requirements}, **own}
    owed = [OwedRequirement(requirements[gap.requirement_id], gap.due_on, gap.overdue, gap.missing)
            for gap in gaps if gap.requirement_id in requirements]
    course = Course(row.request.hours, frozenset(topic_names), row.request.end_date)
    # The request's topic names are enough: a topic requirement the course counts toward shares its topic.
    return tuple(coverage(course, owed, topic_names, pack.credit_unit))

"""An officer's training records: the dashboard's inputs, history with filters, coordinator entry and
correction, and the agency roster that leads to them.

Compliance itself is computed in one place only, `services.compliance.officer_status`; this module
arranges its result for people to read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from compliance import ComplianceStatus, RequirementStatus
from compliance.wording import format_amount
from models import (
    EmploymentStatus,
    Person,
    RecordSource,
    RequestStatus,
    TrainingRecord,
    TrainingRecordCredit,
    TrainingRequest,
)
from services.agency_requirements import is_agency_requirement
from services.agency_topics import AgencyTopics
from services.compliance import officer_status
from services.form_text import control_character_problem, parse_date
from services.time_zones import agency_time_zone

PAGE_SIZE = 50
QUEUE_PAGE_SIZE = 25  # the coordinators' work queues (certificate reviews, record reports, escalations)
RECENT_RECORDS = 5
MAX_DEADLINES = 6
MAX_HOURS = Decimal(200)
TEXT_LIMITS = {"course_title": 200, "provider": 200, "course_number": 40}
REASON_LIMIT = 500
RECORD_FIELDS = ("course_title", "provider", "course_number", "started_on", "completed_on", "hours")
OPEN_REQUEST_STATUSES = tuple(status for status in RequestStatus if status.is_open)

SOURCE_LABELS = {
    RecordSource.CERTIFICATE_REVIEW: "Certificate reviewed",
    RecordSource.COORDINATOR_ENTRY: "Entered by coordinator",
    RecordSource.BULK_IMPORT: "Bulk import",
    RecordSource.SEED: "Demo data",
}
STATE_LABELS = {"compliant": "Compliant", "on_track": "On track", "at_risk": "At risk", "overdue": "Overdue"}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)  # type: ignore[call-overload]


async def agency_today(session: AsyncSession, agency_id: int) -> date:
    """Today where the agency is: deadlines and "not in the future" follow its calendar, not UTC's."""
    return datetime.now(await agency_time_zone(session, agency_id)).date()


# --- The dashboard ---------------------------------------------------------------------------------

RowState = Literal["met", "waived", "outstanding", "overdue"]


@dataclass(frozen=True)
class RequirementRow:
    """One line of the dashboard's requirements table."""

    title: str
    done: Decimal
    required: Decimal
    due_on: date
    state: RowState
    counts_completions: bool
    previous_period: bool
    agency: bool = False  # the agency's own requirement, not the state's

    @property
    def state_label(self) -> str:
        return {"met": "Done", "waived": "Waived", "outstanding": "Outstanding", "overdue": "Overdue"}[self.state]


@dataclass(frozen=True)
class Deadline:
    due_on: date
    title: str
    met: bool  # met now, due again on `due_on` (a yearly in-service)
    overdue: bool


@dataclass
class Dashboard:
    person: Person
    on: date
    status: ComplianceStatus | None
    untracked_reason: str | None
    rows: list[RequirementRow] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    recent: list[TrainingRecord] = field(default_factory=list)
    open_requests: list[TrainingRequest] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.status.state] if self.status else ""


def untracked_reason(person: Person) -> str:
    if person.employment_status == EmploymentStatus.SEPARATED:
        return "This person has left the agency, so Muster no longer follows a licensing cycle for them."
    return ("Muster follows licensing cycles for licensed peace officers. There is no POST licence on this "
            "profile (civilian staff, or a licence not recorded yet), so there are no hours to count.")


def _row(status: RequirementStatus) -> RequirementRow:
    if status.met and status.required == 0 and status.waived > 0:
        state: RowState = "waived"
    elif status.met:
        state = "met"
    else:
        state = "overdue" if status.overdue else "outstanding"
    requirement = status.requirement
    return RequirementRow(requirement.title, status.done, status.required, status.due_on, state,
                          requirement.counts_completions, status.previous_period, is_agency_requirement(requirement))


def _deadlines(status: ComplianceStatus) -> list[Deadline]:
    """Unmet requirements by due date, and the renewal dates of met yearly/5-yearly in-service training."""
    deadlines = [
        Deadline(item.due_on, item.requirement.title, item.met, item.overdue)
        for item in status.requirements
        if not item.met or item.requirement.period.kind == "rolling"
    ]
    return sorted(deadlines, key=lambda d: (d.due_on, d.title))[:MAX_DEADLINES]


async def recent_records(session: AsyncSession, officer_id: int, limit: int = RECENT_RECORDS) -> list[TrainingRecord]:
    return list(await session.scalars(
        select(TrainingRecord).where(TrainingRecord.officer_id == officer_id)
        .options(selectinload(TrainingRecord.credits))
        .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc()).limit(limit)
    ))


async def open_requests(session: AsyncSession, officer_id: int) -> list[TrainingRequest]:
    return list(await session.scalars(
        select(TrainingRequest)
        .where(TrainingRequest.officer_id == officer_id, TrainingRequest.status.in_(OPEN_REQUEST_STATUSES))
        .options(selectinload(TrainingRequest.current_approver))
        .order_by(TrainingRequest.start_date, TrainingRequest.id)
    ))


async def officer_dashboard(session: AsyncSession, person: Person, on: date) -> Dashboard:
    """Everything the dashboard shows, in a fixed number of queries whatever the number of records."""
    status = await officer_status(session, person.id, on)
    dashboard = Dashboard(person=person, on=on, status=status,
                          untracked_reason=None if status else untracked_reason(person))
    if status is not None:
        # The headline total (the first current total-hours requirement) is the summary card, not a row.
        headline = next((item.requirement.id for item in status.requirements
                         if item.requirement.kind == "total_hours" and not item.previous_period), None)
        dashboard.rows = [_row(item) for item in status.requirements if item.requirement.id != headline]
        dashboard.deadlines = _deadlines(status)
    dashboard.recent = await recent_records(session, person.id)
    dashboard.open_requests = await open_requests(session, person.id)
    return dashboard


# --- History ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryFilters:
    date_from: date | None = None
    date_to: date | None = None
    topic: str = ""
    source: str = ""


T = TypeVar("T")
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list (history, roster, the coordinators' queues)."""

    rows: list[T]
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def page_number(raw: str | None) -> int:
    """A `?page=` value as a page number: anything that is not a plain positive number is page 1."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


async def paginate(session: AsyncSession, stmt: S, page: int, size: int = PAGE_SIZE) -> tuple[S, int, int]:
    """`stmt` cut to one page, the number of rows it selects in all (counted in SQL, nothing loaded)
    and the page number clamped to 1..the last page. `stmt` must have a stable order (end on an id)."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // size)))
    return stmt.offset((page - 1) * size).limit(size), total, page


def parse_history_filters(
    params: Mapping[str, str], topic_codes: Collection[str]
) -> tuple[HistoryFilters, int, dict[str, str], dict[str, str]]:
    """Filters and page number from query parameters, their raw values, and a message per bad value
    (a bad value is dropped, so the page still shows something)."""
    raw = {key: str(params.get(key) or "").strip()[:40] for key in ("from", "to", "topic", "source", "page")}
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for key in ("from", "to"):
        dates[key] = parse_date(raw[key])
        if raw[key] and dates[key] is None:
            errors[key] = "Enter a date as YYYY-MM-DD."
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = "The end date is before the start date."
        dates["to"] = None
    if raw["topic"] and raw["topic"] not in topic_codes:
        errors["topic"] = "Choose a topic from the list."
    if raw["source"] and raw["source"] not in set(RecordSource):
        errors["source"] = "Choose a source from the list."
    page = 1
    if raw["page"]:
        if raw["page"].isascii() and raw["page"].isdigit() and 1 <= int(raw["page"]) <= 100_000:
            page = int(raw["page"])
        else:
            errors["page"] = "The page number is not valid; showing the first page."
    filters = HistoryFilters(
        date_from=dates["from"],
        date_to=dates["to"],
        topic="" if "topic" in errors else raw["topic"],
        source="" if "source" in errors else raw["source"],
    )
    return filters, page, raw, errors


def _history_query(officer_id: int, filters: HistoryFilters) -> Select[TrainingRecord]:
    stmt = select(TrainingRecord).where(TrainingRecord.officer_id == officer_id)
    if filters.date_from:
        stmt = stmt.where(TrainingRecord.completed_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(TrainingRecord.completed_on <= filters.date_to)
    if filters.topic:
        credited = select(TrainingRecordCredit.record_id).where(TrainingRecordCredit.topic_code == filters.topic,
                                                                TrainingRecordCredit.credits > 0)
        stmt = stmt.where(TrainingRecord.id.in_(credited))
    if filters.source:
        stmt = stmt.where(TrainingRecord.source == filters.source)
    return stmt


async def history_page(
    session: AsyncSession, officer_id: int, filters: HistoryFilters, page: int
) -> Page[TrainingRecord]:
    """Newest first, PAGE_SIZE a page; a page past the end shows the last one."""
    stmt, total, page = await paginate(session, _history_query(officer_id, filters).order_by(
        TrainingRecord.completed_on.desc(), TrainingRecord.id.desc()), page)
    rows = list(await session.scalars(
        stmt.options(selectinload(TrainingRecord.credits), selectinload(TrainingRecord.approved_by))
    ))
    return Page(rows=rows, total=total, page=page)


# --- Coordinator entry and correction --------------------------------------------------------------


@dataclass(frozen=True)
class RecordForm:
    """A validated record form."""

    course_title: str
    provider: str
    course_number: str | None
    started_on: date | None
    completed_on: date
    hours: Decimal
    credits: dict[str, Decimal]


def _amount(raw: str, label: str, errors: dict[str, str], key: str) -> Decimal | None:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        errors[key] = f"Enter the {label} as a number, e.g. 4 or 1.5."
    # Out of range is the caller's message; and quantize() raises on numbers of 28 digits or more.
    elif abs(amount) <= MAX_HOURS and amount != amount.quantize(Decimal("0.01")):
        errors[key] = f"Use at most two decimal places for the {label}."
    else:
        return amount
    return None


def _form_date(raw: str, label: str, today: date, errors: dict[str, str], key: str) -> date | None:
    day = parse_date(raw)
    if raw and day is None:
        errors[key] = f"Enter the {label} as a date (YYYY-MM-DD)."
    elif day is not None and day > today:
        errors[key] = f"The {label} cannot be in the future."
    elif day is not None and day.year < 1950:
        errors[key] = f"The {label} is too far in the past."
    return day if key not in errors else None


def validate_record_form(
    values: Mapping[str, str], credit_values: Mapping[str, str], today: date, topics: AgencyTopics | None = None
) -> RecordForm | dict[str, str]:
    """The form, or a message per bad field. `credit_values` maps topic code to the raw credits typed;
    with `topics`, a credit outside the agency's topics is refused."""
    errors: dict[str, str] = {}
    text = {key: values.get(key, "").strip() for key in TEXT_LIMITS}
    for key, label in (("course_title", "course title"), ("provider", "provider")):
        if not text[key]:
            errors[key] = f"Enter the {label}."
    for key, limit in TEXT_LIMITS.items():
        if len(text[key]) > limit:
            errors[key] = f"Use at most {limit} characters."
        elif problem := control_character_problem(text[key]):
            errors[key] = problem
    started = _form_date(values.get("started_on", "").strip(), "start date", today, errors, "started_on")
    completed = _form_date(values.get("completed_on", "").strip(), "completion date", today, errors, "completed_on")
    if completed is None and "completed_on" not in errors:
        errors["completed_on"] = "Enter the completion date."
    if started and completed and completed < started:
        errors["completed_on"] = "The completion date cannot be before the start date."
    hours = None
    raw_hours = values.get("hours", "").strip()
    if not raw_hours:
        errors["hours"] = "Enter the hours."
    else:
        hours = _amount(raw_hours, "hours", errors, "hours")
        if hours is not None and not Decimal(0) < hours <= MAX_HOURS:
            errors["hours"] = f"Hours must be more than 0 and at most {MAX_HOURS}."
            hours = None
    credits: dict[str, Decimal] = {}
    for code, raw in credit_values.items():
        raw = raw.strip()
        if not raw:
            continue
        amount = _amount(raw, "credits", errors, f"credit_{code}")
        if amount is not None and amount < 0:
            errors[f"credit_{code}"] = "Credits cannot be negative."
        elif amount is not None and amount > 0:
            credits[code] = amount
    if hours is not None and sum(credits.values(), Decimal(0)) > hours:
        errors["credits"] = "The topic credits add up to more than the hours of the course."
    if topics is not None and (outside := topics.problem(code for code, raw in credit_values.items() if raw.strip())):
        errors["credits"] = outside
    if errors:
        return errors
    assert completed is not None and hours is not None
    return RecordForm(text["course_title"], text["provider"], text["course_number"] or None, started, completed,
                      hours, credits)


def form_values(record: TrainingRecord) -> tuple[dict[str, str], dict[str, str]]:
    """A record as the form shows it: field values and credits per topic."""
    values = {
        "course_title": record.course_title,
        "provider": record.provider,
        "course_number": record.course_number or "",
        "started_on": record.started_on.isoformat() if record.started_on else "",
        "completed_on": record.completed_on.isoformat(),
        "hours": format_amount(record.hours),
    }
    return values, {credit.topic_code: format_amount(credit.credits) for credit in record.credits}


def record_snapshot(record: TrainingRecord) -> dict[str, Any]:
    """What the audit trail keeps of a record, before and after a change (plain JSON values)."""
    values, credits = form_values(record)
    return {**values, "credits": credits}


def _apply(record: TrainingRecord, form: RecordForm) -> None:
    record.course_title = form.course_title
    record.provider = form.provider
    record.course_number = form.course_number
    record.started_on = form.started_on
    record.completed_on = form.completed_on
    record.hours = form.hours
    existing = {credit.topic_code: credit for credit in record.credits}
    record.credits = [
        _credit(existing.get(code), code, amount) for code, amount in sorted(form.credits.items())
    ]


def _credit(existing: TrainingRecordCredit | None, code: str, amount: Decimal) -> TrainingRecordCredit:
    if existing is None:
        return TrainingRecordCredit(topic_code=code, credits=amount)
    existing.credits = amount
    return existing


def new_record(form: RecordForm, *, agency_id: int, officer_id: int, source: str, approved_by_id: int | None,
               source_ref: str | None = None) -> TrainingRecord:
    """A record with its credits, not yet in a session (bulk entry and imports flush many together)."""
    record = TrainingRecord(agency_id=agency_id, officer_id=officer_id, source=source, source_ref=source_ref,
                            approved_by_id=approved_by_id, credits=[])
    _apply(record, form)
    return record


async def add_record(session: AsyncSession, officer: Person, form: RecordForm, approver_id: int | None
                     ) -> TrainingRecord:
    """A coordinator's entry: counts at once, approved by the coordinator who entered it."""
    record = new_record(form, agency_id=officer.agency_id, officer_id=officer.id,
                        source=RecordSource.COORDINATOR_ENTRY, approved_by_id=approver_id)
    session.add(record)
    await session.flush()
    return record


def correct_record(record: TrainingRecord, form: RecordForm) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Apply a correction; the record's snapshot before and after, or None when nothing would change."""
    before = record_snapshot(record)
    after = {
        "course_title": form.course_title,
        "provider": form.provider,
        "course_number": form.course_number or "",
        "started_on": form.started_on.isoformat() if form.started_on else "",
        "completed_on": form.completed_on.isoformat(),
        "hours": format_amount(form.hours),
        "credits": {code: format_amount(amount) for code, amount in sorted(form.credits.items())},
    }
    if after == before:
        return None
    _apply(record, form)
    return before, after


async def load_record(session: AsyncSession, record_id: int) -> TrainingRecord | None:
    return await session.scalar(
        select(TrainingRecord).where(TrainingRecord.id == record_id)
        .options(selectinload(TrainingRecord.credits), selectinload(TrainingRecord.officer))
    )


# --- Roster ----------------------------------------------------------------------------------------


def matching_name_or_badge(stmt: Select[Person], search: str) -> Select[Person]:
    """People whose name contains every word of `search` (at most five), or whose badge is one of them."""
    for word in search.lower().split()[:5]:
        stmt = stmt.where(or_(
            func.lower(Person.first_name).contains(word, autoescape=True),
            func.lower(Person.last_name).contains(word, autoescape=True),
            func.lower(Person.badge_number) == word,
        ))
    return stmt


async def roster_page(session: AsyncSession, agency_id: int, search: str, page: int) -> Page[Person]:
    """The agency's licensed officers by name; every word of `search` must match a name or the badge."""
    stmt = select(Person).where(Person.agency_id == agency_id,
                                Person.license_number.is_not(None) | Person.license_date.is_not(None))
    stmt, total, page = await paginate(session, matching_name_or_badge(stmt, search).order_by(
        Person.last_name, Person.first_name, Person.id), page)
    rows = list(await session.scalars(stmt.options(selectinload(Person.unit))))
    return Page(rows=rows, total=total, page=page)

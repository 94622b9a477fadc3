"""A compliance report in the shape every export format writes: what it states (agency, scope, rule packs,
data as of which date, when it was made), its summary and tables, the figures its charts draw, and the scope
of its per-officer appendix (read as a stream by services/compliance_report_rows.py).

The figures are the agency dashboard's own (services/agency_compliance.py) and, for a supervisor's roster,
the team page's (services/team_compliance.py): no second set of aggregate queries. Building a report is a
fixed few statements whatever the agency's size; only the appendix grows with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.packs import RulePackError, load_pack
from compliance.wording import format_date, format_moment
from models import Agency, OfficerCompliance, Person, Unit
from services import agency_compliance as compliance
from services.agency_compliance import STATE_LABELS, STATES, GapRow, StateCounts, TrendPoint, UnitRow
from services.compliance_report_rows import ReportScope
from services.team_compliance import NOT_TRACKED, STATE_FILTERS, Team, team_counts
from services.time_zones import agency_zone_or_utc

COUNT_HEADINGS = (*(STATE_LABELS[state] for state in STATES), "Total", "% compliant")
SUMMARY_GAPS = 3  # requirements named in the summary's sentences (the table has the dashboard's ten)


@dataclass(frozen=True)
class Table:
    """A section of numbers: a sheet of the workbook, a table of the PDF, a block of the summary CSV."""

    name: str
    caption: str
    headings: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    levels: tuple[int, ...] = ()  # each row's depth in the unit tree: indents its first cell


@dataclass(frozen=True)
class ReportHeader:
    """What every export states on its first page, sheet or lines."""

    title: str
    agency_name: str
    scope_label: str
    rule_packs: tuple[str, ...]
    evaluated_from: date | None  # the oldest stored evaluation in scope
    evaluated_to: date | None  # the newest
    made_at: datetime  # in the agency's time zone
    officers: int

    @property
    def data_as_of(self) -> str:
        if self.evaluated_from is None or self.evaluated_to is None:
            return "no officer's compliance has been evaluated yet"
        if self.evaluated_from == self.evaluated_to:
            return format_date(self.evaluated_to)
        return (f"{format_date(self.evaluated_from)} to {format_date(self.evaluated_to)} "
                "(each officer as last evaluated)")

    @property
    def made(self) -> str:
        return format_moment(self.made_at)

    def facts(self) -> tuple[tuple[str, str], ...]:
        return (
            ("Agency", self.agency_name),
            ("Scope", self.scope_label),
            ("Rule pack" if len(self.rule_packs) == 1 else "Rule packs", "; ".join(self.rule_packs) or "none"),
            ("Data as of", self.data_as_of),
            ("Made", self.made),
            ("Officers", str(self.officers)),
        )


@dataclass(frozen=True)
class AgencyFigures:
    """What the charts of an agency report draw (their numbers are in the report's tables too)."""

    totals: StateCounts
    units: list[UnitRow]
    gaps: list[GapRow]
    trend: list[TrendPoint]


@dataclass(frozen=True)
class ComplianceReport:
    header: ReportHeader
    scope: ReportScope
    slug: str  # names the files: "compliance-report-patrol-a"
    summary: tuple[str, ...]  # the summary in sentences
    tables: tuple[Table, ...]
    figures: AgencyFigures | None  # None for a team roster: it has no charts

    def file_name(self, extension: str, part: str = "") -> str:
        return f"{self.slug}{'-' + part if part else ''}-{self.header.made_at.date().isoformat()}.{extension}"


# --- What every report states ----------------------------------------------------------------------


@lru_cache(maxsize=16)
def rule_pack_label(code: str) -> str:
    """The pack as a report names it ("MN-POST: Minnesota POST ... (version 2025.1)"), or its bare code when
    this installation does not have it."""
    try:
        pack = load_pack(code)
    except RulePackError:
        return code
    return f"{pack.code}: {pack.name} (version {pack.version})"


async def _agency_clock(session: AsyncSession, agency_id: int, now: datetime) -> tuple[str, datetime]:
    agency = await session.get_one(Agency, agency_id)
    return agency.name, now.astimezone(agency_zone_or_utc(agency.timezone or "", agency_id))


async def _evaluations(session: AsyncSession, scope: ReportScope
                       ) -> tuple[int, date | None, date | None, tuple[str, ...]]:
    """How many officers of the scope have a stored status, the oldest and newest evaluation, and the rule
    packs they were evaluated under: one statement."""
    oc = OfficerCompliance
    rows = list(await session.execute(
        select(oc.rule_pack, func.count(), func.min(oc.evaluated_on), func.max(oc.evaluated_on))
        .join(Person, Person.id == oc.officer_id)
        .where(oc.agency_id == scope.agency_id, *scope.officer_conditions())
        .group_by(oc.rule_pack).order_by(oc.rule_pack)
    ))
    return (sum(row[1] for row in rows), min((row[2] for row in rows), default=None),
            max((row[3] for row in rows), default=None), tuple(rule_pack_label(row[0]) for row in rows))


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in text.lower()).split())


# --- The agency report -----------------------------------------------------------------------------


def _counts_row(counts: StateCounts) -> tuple[object, ...]:
    return (*counts.counts(), counts.total, counts.percent_compliant)


def _agency_tables(figures: AgencyFigures, ranks: list[compliance.RankRow], scope_name: str) -> tuple[Table, ...]:
    return (
        Table("Summary", f"Officers by state, {scope_name}", COUNT_HEADINGS, (_counts_row(figures.totals),)),
        Table("Units", "Officers by state in each unit (each unit with every unit below it)",
              ("Unit", "Level", *COUNT_HEADINGS),
              tuple((unit.name, unit.depth + 1, *_counts_row(unit)) for unit in figures.units),
              tuple(unit.depth for unit in figures.units)),
        Table("Ranks", "Officers by state in each rank", ("Rank", *COUNT_HEADINGS),
              tuple((rank.rank, *_counts_row(rank)) for rank in ranks)),
        Table("Requirements", f"The {len(figures.gaps)} requirements the most officers owe",
              ("Requirement", "Officers who owe it", "Past due"),
              tuple((gap.title, gap.officers, gap.overdue) for gap in figures.gaps)),
        Table("Trend", "Monthly trend: the last snapshot of each month", ("Snapshot", *COUNT_HEADINGS),
              tuple((point.day, *_counts_row(point)) for point in figures.trend)),
    )


def _agency_summary(figures: AgencyFigures, scope_name: str) -> tuple[str, ...]:
    totals = figures.totals
    counted = totals.total - totals.on_leave
    percent = "no officer is counted" if totals.percent_compliant is None else (
        f"{totals.percent_compliant}% compliant (of the {counted} not on leave)")
    lines = [
        f"{totals.total} officer{'' if totals.total == 1 else 's'} tracked in {scope_name}: {percent}.",
        f"{totals.compliant} compliant, {totals.on_track} on track, {totals.at_risk} at risk, "
        f"{totals.overdue} overdue, {totals.on_leave} on leave.",
    ]
    if figures.gaps:
        named = "; ".join(f"{gap.title} ({gap.officers} officer{'' if gap.officers == 1 else 's'}, "
                          f"{gap.overdue} past due)" for gap in figures.gaps[:SUMMARY_GAPS])
        lines.append(f"Most often outstanding: {named}.")
    else:
        lines.append("No officer owes any requirement now.")
    known = [point for point in figures.trend if point.percent_compliant is not None]
    if len(known) >= 2:
        first, last = known[0], known[-1]
        lines.append(f"Trend: {first.percent_compliant}% compliant on {format_date(first.day)}, "
                     f"{last.percent_compliant}% on {format_date(last.day)}.")
    return tuple(lines)


async def agency_report(session: AsyncSession, agency_id: int, unit: Unit | None, now: datetime
                        ) -> ComplianceReport:
    """The council report of the agency, or of `unit` with every unit below it (the caller has checked the
    unit is the agency's). `now` is when it is made (UTC); the report shows it in the agency's zone."""
    unit_id = unit.id if unit else None
    scope = ReportScope(agency_id=agency_id, unit_id=unit_id)
    agency_name, made_at = await _agency_clock(session, agency_id, now)
    scope_name = f"{unit.name} and the units below it" if unit else "the whole agency"
    ranks = await compliance.rank_rows(session, agency_id, unit_id)
    # Snapshots are dated by the agency's own day (services/compliance_status), as `made_at` is.
    trend_to = made_at.date()
    figures = AgencyFigures(
        totals=compliance.sum_counts(ranks),
        units=await compliance.unit_rows(session, agency_id, unit_id),
        gaps=await compliance.top_gaps(session, agency_id, unit_id),
        trend=await compliance.trend(session, agency_id, unit_id, "monthly", trend_to),
    )
    officers, first, last, packs = await _evaluations(session, scope)
    header = ReportHeader("Agency compliance report", agency_name, scope_name[0].upper() + scope_name[1:], packs,
                          first, last, made_at, officers)
    return ComplianceReport(header, scope, "compliance-report-" + (_slug(unit.name) if unit else "agency"),
                            _agency_summary(figures, scope_name), _agency_tables(figures, ranks, scope_name), figures)


# --- A supervisor's team roster ---------------------------------------------------------------------


async def team_report(session: AsyncSession, supervisor: Person, now: datetime) -> ComplianceReport:
    """The roster of everyone under `supervisor` in the chain of command, as the team page lists them."""
    scope = ReportScope(agency_id=supervisor.agency_id, supervisor_id=supervisor.id)
    agency_name, made_at = await _agency_clock(session, supervisor.agency_id, now)
    counts = await team_counts(session, Team(agency_id=supervisor.agency_id, supervisor_id=supervisor.id))
    listed = sum(number for key, number in counts.items() if key != NOT_TRACKED)
    _, first, last, packs = await _evaluations(session, scope)
    labels = {**STATE_FILTERS, NOT_TRACKED: "Not tracked (no licence on file, or separated)"}
    summary = Table("Summary", "Everyone under you in the chain of command, by state", ("State", "Officers"),
                    tuple((labels[key], number) for key, number in counts.items()))
    header = ReportHeader("Team roster", agency_name, f"Everyone under {supervisor.display_name} in the chain "
                          "of command", packs, first, last, made_at, listed)
    sentences = (f"{listed} tracked officer{'' if listed == 1 else 's'} in the team; "
                 f"{counts[NOT_TRACKED]} more not tracked (not listed).",)
    return ComplianceReport(header, scope, f"team-roster-{_slug(supervisor.display_name) or 'team'}", sentences,
                            (summary,), None)

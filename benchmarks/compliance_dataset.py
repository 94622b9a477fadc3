"""Stored compliance for the benchmark dataset, as the daily refresh would leave it: one officer_compliance
row per person, a gap row per unmet requirement, and two years of daily snapshots.

Written in bulk SQL on PostgreSQL (INSERT ... SELECT over person), not by evaluating 44,801 people. The
states are drawn from each person's id, so every run has the same rows, with each unit's share of overdue
officers set by its id (3 % to 12 %), so the units differ as real ones do:

- on leave: 2.5 % of people, whatever their state;
- overdue: 3-12 % by unit, one requirement past due (up to 200 days) and up to three more owed by the
  cycle's end;
- at risk: 9 %, the first of one to four requirements due within 90 days;
- on track: 45 %, one to four requirements, the first due in 90 days or more;
- compliant: the rest (about 38 %), nothing owed.

Today's snapshot is taken by services.compliance_status.take_snapshot (the daily refresh's own code) and
copied to each of the 729 days before it, so the trend reads two years of history, as a mature install has.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.compliance_status import take_snapshot

CYCLE_START = date(2024, 7, 1)
CYCLE_END = date(2027, 6, 30)
REQUIREMENTS = 11  # the Minnesota pack's requirements of a current cycle (tests/services/test_compliance_status.py)
TREND_DAYS = 730

# The requirements gaps are drawn from: id, title, what is owed (the sentence's first words).
_OWED = (
    ("mn-total", "48 continuing-education credits per licensing cycle", "12 more credits"),
    ("mn-mandated", "16 mandated credits (five topics plus 3 electives)",
     "6 more credits in crisis-intervention, autism, conflict-management, implicit-bias or bias-crimes"),
    ("mn-crisis-intervention", "Crisis intervention and mental illness crises", "6 more crisis-intervention credits"),
    ("mn-autism", "Autism", "4 more autism credits"),
    ("mn-conflict-management", "Conflict management and mediation", "1 more conflict-management credit"),
    ("mn-implicit-bias", "Community diversity and cultural differences, including implicit bias",
     "1 more implicit-bias credit"),
    ("mn-bias-crimes", "Crimes motivated by bias", "1 more bias-crimes credit"),
    ("mn-wellness", "Officer wellness", "1 more wellness credit"),
    ("mn-use-of-force", "Use-of-force in-service training", "Use-of-force in-service training"),
    ("mn-firearms", "Firearms in-service training", "Firearms in-service training"),
)

# r and s are two independent draws from 0 to 999 per person; skew (0-9) is the unit's.
_STATUSES = text("""
WITH draw AS (
    SELECT p.id, p.agency_id, (p.id * 2654435761) % 1000 AS r, (CAST(p.id AS bigint) * 40503 + 17) % 1000 AS s,
           (coalesce(p.unit_id, 0) * 37) % 10 AS skew
    FROM person p WHERE p.agency_id = :agency
), placed AS (
    SELECT id, agency_id, r, s < 25 AS on_leave,
           CASE WHEN r < 30 + 10 * skew THEN 'overdue' WHEN r < 120 + 10 * skew THEN 'at_risk'
                WHEN r < 570 + 10 * skew THEN 'on_track' ELSE 'compliant' END AS state
    FROM draw
)
INSERT INTO officer_compliance (officer_id, agency_id, state, on_leave, percent, hours_done, hours_required,
    requirements_met, requirements_total, cycle_start, cycle_end, next_due_on, evaluated_on, rule_pack, updated_at)
SELECT id, agency_id, state, on_leave, percent, round(48 * percent / 100.0, 1), 48,
       CAST(:requirements AS int) - CASE WHEN state = 'compliant' THEN 0 ELSE 1 + CAST(r % 4 AS int) END, :requirements,
       CAST(:cycle_start AS date), CAST(:cycle_end AS date),
       CASE state WHEN 'compliant' THEN NULL
                  WHEN 'overdue' THEN CAST(:today AS date) - CAST(1 + r % 200 AS int)
                  WHEN 'at_risk' THEN CAST(:today AS date) + CAST(r % 90 AS int)
                  ELSE least(CAST(:today AS date) + CAST(90 + r % 270 AS int), CAST(:cycle_end AS date)) END,
       CAST(:today AS date), 'MN-POST', now()
FROM (SELECT *, CASE state WHEN 'compliant' THEN 100 WHEN 'on_track' THEN 50 + CAST(r % 45 AS int)
                           WHEN 'at_risk' THEN 30 + CAST(r % 40 AS int) ELSE CAST(r % 70 AS int) END AS percent
      FROM placed) AS officer
""")

# The n-th gap of an officer: the first is due on next_due_on (past due when overdue), the others at the cycle's end.
_GAPS = text("""
INSERT INTO officer_compliance_gap (officer_id, agency_id, requirement_id, title, due_on, overdue, missing)
SELECT oc.officer_id, oc.agency_id, owed.requirement_id, owed.title, due.on_day, due.overdue,
       owed.sentence || CASE WHEN due.overdue THEN ', overdue (was due by ' ELSE ' by ' END
       || to_char(due.on_day, 'FMDD FMMonth YYYY') || CASE WHEN due.overdue THEN ')' ELSE '' END
FROM officer_compliance oc
CROSS JOIN LATERAL generate_series(0, oc.requirements_total - oc.requirements_met - 1) AS g(n)
CROSS JOIN LATERAL (SELECT CASE WHEN g.n = 0 THEN oc.next_due_on ELSE oc.cycle_end END AS on_day,
                           g.n = 0 AND oc.state = 'overdue' AS overdue) AS due
JOIN (SELECT * FROM unnest(CAST(:ids AS text[]), CAST(:titles AS text[]), CAST(:sentences AS text[]))
      WITH ORDINALITY AS o(requirement_id, title, sentence, position)) AS owed
  ON owed.position = 1 + (oc.officer_id + g.n) % CAST(:catalogue AS int)
WHERE oc.agency_id = :agency
""")

_HISTORY = text("""
INSERT INTO compliance_snapshot (day, agency_id, unit_id, unit_key, compliant, on_track, at_risk, overdue, on_leave)
SELECT s.day - g.n, s.agency_id, s.unit_id, s.unit_key, s.compliant, s.on_track, s.at_risk, s.overdue, s.on_leave
FROM compliance_snapshot s CROSS JOIN generate_series(1, CAST(:days AS int) - 1) AS g(n)
WHERE s.day = CAST(:today AS date) AND s.agency_id = :agency
""")


@dataclass(frozen=True)
class StoredCompliance:
    evaluated_on: date
    units: int
    officers: int
    gaps: int
    snapshots: int


async def add_stored_compliance(engine: AsyncEngine, agency_id: int, today: date) -> StoredCompliance:
    dates = {"cycle_start": CYCLE_START, "cycle_end": CYCLE_END, "today": today}
    async with engine.begin() as conn:
        await conn.execute(_STATUSES, {"agency": agency_id, "requirements": REQUIREMENTS, **dates})
        await conn.execute(_GAPS, {
            "agency": agency_id, "catalogue": len(_OWED), "ids": [owed[0] for owed in _OWED],
            "titles": [owed[1] for owed in _OWED], "sentences": [owed[2] for owed in _OWED]})
    async with AsyncSession(engine) as session, session.begin():
        await take_snapshot(session, today)
    async with engine.begin() as conn:
        await conn.execute(_HISTORY, {"agency": agency_id, "days": TREND_DAYS, "today": today})
        counts = (await conn.execute(text(
            "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM officer_compliance), "
            "(SELECT count(*) FROM officer_compliance_gap), "
            "(SELECT count(*) FROM compliance_snapshot)"))).one()
    return StoredCompliance(today, *counts)

"""Inputs and results at the POST reimbursement reminders' boundary (plain dataclasses, sandbox-safe)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

REIMBURSEMENT_REMINDERS_WORKFLOW = "ReimbursementReminders"
REIMBURSEMENT_REMINDERS_SCHEDULE_ID = "muster-reimbursement-reminders"
# 14:00 UTC is the morning of the same day in every US time zone, Hawaii's included.
REMINDER_HOUR_UTC = 14
WEEK = timedelta(days=7)


@dataclass
class ReimbursementRemindersInput:
    """Empty when the Schedule starts it on 1 June: the fiscal year is the one closing that 30 June."""

    fiscal_year: int | None = None


@dataclass
class ReminderRound:
    fiscal_year: int
    day: str  # ISO date of the round; part of each notification's key, so a retried round writes once
    overdue: bool  # the one note after 31 July, to the coordinators only


@dataclass
class ReminderRoundResult:
    notification_ids: list[int]  # the round's reminders still to mail
    open_claims: int  # Minnesota agencies whose claim for the year is not marked submitted
    written: int = 0  # reminders this round wrote (in-app, mailed or not)


def reminder_rounds(fiscal_year: int) -> list[tuple[datetime, bool]]:
    """(moment, overdue) for each round: 1 June and weekly while the day is on or before 31 July (the
    application's due date, Minn. R. 6700.1800 and the Board's reimbursement page), then 1 August."""
    due = date(fiscal_year, 7, 31)
    day, rounds = date(fiscal_year, 6, 1), []
    while day <= due:
        rounds.append((datetime.combine(day, time(REMINDER_HOUR_UTC), UTC), False))
        day += WEEK
    rounds.append((datetime.combine(due + timedelta(days=1), time(REMINDER_HOUR_UTC), UTC), True))
    return rounds

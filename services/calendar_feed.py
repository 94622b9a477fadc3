"""A person's private calendar feed of training deadlines (iCalendar, RFC 5545), written by hand.

Calendar apps cannot sign in, so the feed URL carries a secret token. Only its SHA-256 is
stored; it is looked up through the column's unique index (comparing digests of a 256-bit
secret leaks nothing useful through timing). Making a new link replaces the old one.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from compliance import ComplianceStatus
from compliance.wording import format_date
from models import NotificationPreference, Person, utcnow
from services.compliance import officer_status

_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,100}")
_LINE_OCTETS = 75
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_calendar_token(session: AsyncSession, person_id: int) -> tuple[str, bool]:
    """A new secret for the person's feed URL, and whether it replaced (revoked) an older one."""
    row = await session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id)
        session.add(row)
    replaced = row.calendar_token_hash is not None
    token = secrets.token_urlsafe(32)
    row.calendar_token_hash = token_hash(token)
    await session.flush()
    return token, replaced


async def has_calendar_token(session: AsyncSession, person_id: int) -> bool:
    row = await session.get(NotificationPreference, person_id)
    return row is not None and row.calendar_token_hash is not None


async def person_for_token(session: AsyncSession, token: str) -> Person | None:
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    person_id = await session.scalar(
        select(NotificationPreference.person_id).where(NotificationPreference.calendar_token_hash == token_hash(token))
    )
    return None if person_id is None else await session.get(Person, person_id)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    day: date
    summary: str
    description: str


def deadline_events(person_id: int, status: ComplianceStatus | None, today: date, link: str) -> list[CalendarEvent]:
    """One all-day event per unmet requirement still ahead, and one for the end of the cycle."""
    if status is None:
        return []
    unmet = [requirement for requirement in status.requirements if not requirement.met]
    events = []
    for requirement, sentence in zip(unmet, status.missing, strict=True):
        if requirement.due_on < today:
            continue
        what = sentence.removesuffix(f" by {format_date(requirement.due_on)}")
        events.append(CalendarEvent(
            uid=_uid(person_id, requirement.requirement.id, requirement.due_on),
            day=requirement.due_on,
            summary=f"Training due: {what}",
            description=f"{sentence}.\nOpen Muster: {link}",
        ))
    if status.cycle_end >= today:
        state = "every requirement is met" if status.state == "compliant" else "requirements are still unmet"
        events.append(CalendarEvent(
            uid=_uid(person_id, "cycle-end", status.cycle_end),
            day=status.cycle_end,
            summary="Licensing cycle ends",
            description=f"Your licensing cycle ends on {format_date(status.cycle_end)} ({state} today).\n"
                        f"Open Muster: {link}",
        ))
    return sorted(events, key=lambda event: (event.day, event.summary))


async def calendar_for(session: AsyncSession, person: Person, today: date, public_url: str) -> str:
    status = await officer_status(session, person.id, today)
    events = deadline_events(person.id, status, today, f"{public_url}/dashboard")
    return render_calendar(events, utcnow())


def render_calendar(events: list[CalendarEvent], stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Muster//Training deadlines//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "X-WR-CALNAME:Muster training deadlines", "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"DESCRIPTION:{escape_text(event.description)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL_CHARACTERS.sub("", value)


def fold(line: str) -> str:
    """Fold a content line to at most 75 octets per line, never inside a UTF-8 character (3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for character in line:
        width = len(character.encode())
        if size + width > _LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1  # a continuation line starts with one space, which counts
        current += character
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _uid(person_id: int, what: str, day: date) -> str:
    digest = hashlib.sha256(f"{person_id}:{what}:{day.isoformat()}".encode()).hexdigest()[:32]
    return f"{digest}@muster"

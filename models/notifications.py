"""In-app notifications, each optionally delivered by email exactly once per key."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow

SUBJECT_PREFIX = "[Muster] "
SUMMARY_LIMIT = 500
_SIGNATURE = "-- "
_GREETING = re.compile(r"(Hello|Hi|Dear)\b[^\n]*,$")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_ABBREVIATIONS = {"Sgt", "Lt", "Capt", "Cpl", "Det", "Ofc", "Dr", "Mr", "Mrs", "Ms", "St", "No", "e.g", "i.e"}


def first_sentence(text: str) -> str:
    """The first sentence of a mail's text: no greeting, list, details or signature; one line."""
    lines: list[str] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if _ends_paragraph(line, lines):
            break
        if line and not _GREETING.fullmatch(line):
            lines.append(line)
    paragraph = " ".join(lines)
    sentence = paragraph.removesuffix(":") + ("." if paragraph.endswith(":") else "")
    for end in _SENTENCE_END.finditer(paragraph):
        if paragraph[: end.start()].rsplit(" ", 1)[-1].lstrip("(") not in _ABBREVIATIONS:
            sentence = paragraph[: end.end()]
            break
    return sentence if len(sentence) <= SUMMARY_LIMIT else sentence[: SUMMARY_LIMIT - 1].rstrip() + "…"


def _ends_paragraph(line: str, kept: list[str]) -> bool:
    """The signature, a list, or the blank line after the first paragraph."""
    return line.startswith(_SIGNATURE.strip()) or line.startswith("- ") or (not line and bool(kept))


class EmailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    NOT_REQUESTED = "not_requested"
    DIGEST = "digest"  # waits for the person's weekly digest mail
    IN_DIGEST = "in_digest"  # was sent as part of a digest


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_person_read", "person_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Business key (workflow id + event + recipient): a retried activity writes one row, and
    # the email's Message-ID is derived from it.
    key: Mapped[str] = mapped_column(String(250), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # The mail: its subject and full text (greeting, details, signature).
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    # The in-app list: a short title and one sentence, and the page it is about. Rows from before
    # migration 0015 have neither; `list_title` and `list_summary` derive them from the mail.
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # False when the person turned in-app notifications off: kept for the record, not listed.
    in_app: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    email_to: Mapped[str | None] = mapped_column(String(254))
    email_state: Mapped[str] = mapped_column(String(16), default=EmailState.PENDING)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_sent_at: Mapped[datetime | None]

    @property
    def list_title(self) -> str:
        """The title the in-app list shows (older rows: the mail's subject)."""
        return self.title or self.subject.removeprefix(SUBJECT_PREFIX)

    @property
    def list_summary(self) -> str:
        """The one sentence the in-app list shows (older rows: the mail's first sentence)."""
        return self.summary or first_sentence(self.body)

    @property
    def email_pending(self) -> bool:
        return self.email_state == EmailState.PENDING

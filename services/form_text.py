"""Free text typed into forms: control characters are refused before anything is stored.

PostgreSQL cannot store NUL at all, and other control characters (escape sequences, backspace) only
arrive by accident or attack. Line breaks and tabs are fine in a field of several lines.
"""

from __future__ import annotations

import unicodedata
from datetime import date

# The largest id a form or URL may name: row ids are PostgreSQL INTEGER columns (SQLite's limit is 64-bit).
MAX_ID = 2**31 - 1
CONTROL_CHARACTERS = "Remove the control characters (such as NUL or escape codes) from this text."


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    allowed = "\t\n\r" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        return CONTROL_CHARACTERS
    return None


def parse_date(raw: str) -> date | None:
    """A YYYY-MM-DD date typed into a form, or None when it is empty or not a date."""
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None

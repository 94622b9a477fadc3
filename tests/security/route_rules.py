"""The vocabulary of the route walk: the roles it signs in as, the outcomes a response may have and
a `Case` per request. Kept apart so each area's cases (route_cases_*.py) can be written on their own."""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("anonymous", "officer1", "sgt1", "coord1", "chief1", "admin1")
SIGNED_IN = ROLES[1:]

# What a response may be. A refusal is 403 or 404 (404 where an id must not reveal that it exists).
ALLOW = frozenset({200, 303})
DENY = frozenset({403, 404})
LOGIN = frozenset({"login"})  # 303 (or an htmx redirect) to /login
PUBLIC = frozenset({200, 303})
# An upload posted without its file re-renders the form with a message (200) or is refused as unusable (400, 422).
UPLOAD_WITHOUT_FILE = frozenset({200, 400, 422})
LOGIN_FAILED = frozenset({401})
TOKEN = frozenset({400, 401, 404})

# Text that belongs to officer2 (outside officer1's and sgt1's reach): it must never reach them.
OFFICER2_MARKERS = ("MARK-REQ-O2", "MARK-REC-O2", "MARK-NOTE-O2")


@dataclass
class Case:
    method: str
    url: str
    expect: dict[str, frozenset]  # role -> acceptable outcomes
    data: dict[str, str] = field(default_factory=dict)


def everyone(signed_in: frozenset, anonymous: frozenset = LOGIN) -> dict[str, frozenset]:
    return {"anonymous": anonymous, **{role: signed_in for role in SIGNED_IN}}


def only(*allowed: str) -> dict[str, frozenset]:
    return {"anonymous": LOGIN, **{role: ALLOW if role in allowed else DENY for role in SIGNED_IN}}


# officer1's objects: officer1, his sergeant (sgt1) and the agency-wide roles. officer2's: agency-wide roles only.
OFFICER1_READERS = only("officer1", "sgt1", "coord1", "chief1", "admin1")
OFFICER2_READERS = only("coord1", "chief1", "admin1")

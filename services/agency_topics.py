"""The topics an agency works with: its rule pack's topics, then its own requirements' topics.

Every form that offers topics (training requests, record entry and correction, certificate uploads, bulk
entry, record imports) and every topic filter lists these and nothing else, so a Minnesota agency never
sees another state's boxes; a posted topic outside them is refused with a message, never stored.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Agency, AgencyRequirement, Topic
from services.compliance import rule_pack

DEFAULT_PACK = "MN-POST"
CREDIT_PREFIX = "credit_"


@dataclass(frozen=True)
class AgencyTopics:
    """The topics to offer, in order, and every topic's name (for what is already on record)."""

    topics: tuple[Topic, ...]
    names: Mapping[str, str]

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def __contains__(self, code: object) -> bool:
        return any(topic.code == code for topic in self.topics)

    @property
    def codes(self) -> set[str]:
        return {topic.code for topic in self.topics}

    def credits_from(self, form: Mapping[str, Any]) -> dict[str, str]:
        """Credits typed per topic; a filled `credit_` field for any other topic is kept so it is refused."""
        credits = {topic.code: str(form.get(f"{CREDIT_PREFIX}{topic.code}") or "") for topic in self.topics}
        for key in form:
            value = str(form.get(key) or "").strip()
            if key.startswith(CREDIT_PREFIX) and value:
                credits.setdefault(key.removeprefix(CREDIT_PREFIX)[:40], value)
        return credits

    def problem(self, codes: Iterable[str]) -> str | None:
        """Why these topics cannot be used here, or None when all of them are the agency's."""
        outside = [code for code in dict.fromkeys(codes) if code not in self]
        if not outside:
            return None
        named = ", ".join(self.names.get(code, "an unknown topic") for code in outside)
        one = len(outside) == 1
        return (f"{named} {'is not one of' if one else 'are not'} this agency's training topics: "
                "choose from the topics listed.")


async def agency_topics(session: AsyncSession, agency_id: int, keep: Collection[str] = (),
                        everything: bool = False) -> AgencyTopics:
    """The agency's rule-pack topics (in pack order), then its own requirements' topics (by name).

    `keep` adds the topics already on the thing being edited, so a correction never drops them unseen.
    `everything` adds every other topic after them: only the agency-requirement form wants that, since a
    requirement of its own is how an agency takes a topic on.
    """
    every = {topic.code: topic for topic in await session.scalars(select(Topic).order_by(Topic.name))}
    pack_code = await session.scalar(select(Agency.rule_pack).where(Agency.id == agency_id))
    pack_codes = [code for requirement in rule_pack(pack_code or DEFAULT_PACK).requirements
                  for code in requirement.topics]
    own_rows = await session.scalars(select(AgencyRequirement.topics).where(
        AgencyRequirement.agency_id == agency_id, AgencyRequirement.retired_at.is_(None)))
    own_codes = sorted({code for codes in own_rows for code in codes or ()}, key=lambda code: _name(every, code))
    extra = sorted(set(every) if everything else set(keep), key=lambda code: _name(every, code))
    ordered = [every[code] for code in dict.fromkeys([*pack_codes, *own_codes, *extra]) if code in every]
    return AgencyTopics(tuple(ordered), {code: topic.name for code, topic in every.items()})


def _name(every: Mapping[str, Topic], code: str) -> str:
    return every[code].name if code in every else code

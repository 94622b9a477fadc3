"""Training topic codes. Rule packs and requests refer to these codes, so they never change meaning."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Topic

# Minnesota POST's mandated and annual topics first, then common elective areas.
MINNESOTA_TOPICS: tuple[tuple[str, str], ...] = (
    ("crisis_intervention", "Crisis intervention / mental illness crises"),
    ("autism", "Autism"),
    ("conflict_management", "Conflict management and mediation"),
    ("implicit_bias", "Community diversity / implicit bias"),
    ("bias_crimes", "Crimes motivated by bias"),
    ("use_of_force", "Use of force"),
    ("firearms", "Firearms"),
    ("evoc", "Emergency vehicle operations / pursuit"),
    ("wellness", "Officer wellness"),
    ("first_aid", "First aid / CPR"),
    ("de_escalation", "De-escalation"),
    ("legal_update", "Legal update"),
    ("leadership", "Leadership / supervision"),
    ("investigations", "Investigations"),
    ("other", "Other"),
)

# Topics the California, Texas and Florida rule packs add.
OTHER_STATE_TOPICS: tuple[tuple[str, str], ...] = (
    ("school_resource_officer", "School resource officer"),
    ("arrest_control", "Arrest and control"),
    ("strategic_communications", "Strategic communications"),
    ("domestic_violence", "Domestic violence"),
    ("bloodborne_pathogens", "Bloodborne pathogens"),
    ("active_shooter", "Active shooter response (ALERRT)"),
    ("human_diversity", "Human diversity"),
    ("cultural_diversity", "Cultural diversity"),
    ("special_investigative_topics", "Special investigative topics"),
)
ALL_TOPICS = MINNESOTA_TOPICS + OTHER_STATE_TOPICS


async def ensure_topics(session: AsyncSession) -> int:
    """Insert the topics that are missing (existing names are left alone). Returns how many were added."""
    existing = set(await session.scalars(select(Topic.code)))
    missing = [Topic(code=code, name=name) for code, name in ALL_TOPICS if code not in existing]
    session.add_all(missing)
    await session.flush()
    return len(missing)

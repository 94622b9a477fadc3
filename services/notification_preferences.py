"""How each person wants to be told: channels, immediate mail or a weekly digest, reminder days, and (command
staff only) the monthly compliance summary.

No row means every default applies, so the 40,000 people who never open the page cost nothing.
`preferences_for` is read where notifications are created (activities/notifications.py) and
where the licensing cycle picks reminder days (activities/licensing_cycles.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from models import DEFAULT_REMINDER_OFFSETS, MANDATORY_REMINDER_OFFSETS, NotificationPreference, Role

# The reminder days a person may switch off; the mandatory ones are always sent.
OPTIONAL_REMINDER_OFFSETS = tuple(d for d in DEFAULT_REMINDER_OFFSETS if d not in MANDATORY_REMINDER_OFFSETS)
DELIVERY_IMMEDIATE = "immediate"
DELIVERY_DIGEST = "digest"
# Who the monthly compliance summary is mailed to, and so who may switch it off.
MONTHLY_SUMMARY_ROLE = Role.COMMAND


@dataclass(frozen=True)
class Preferences:
    email: bool = True
    in_app: bool = True
    weekly_digest: bool = False
    reminder_offsets: tuple[int, ...] = tuple(DEFAULT_REMINDER_OFFSETS)
    monthly_summary: bool = True

    @property
    def wants_monthly_summary(self) -> bool:
        """The summary is only ever mailed: with email off there is nothing to send it by."""
        return self.email and self.monthly_summary

    @property
    def effective_reminder_offsets(self) -> list[int]:
        """The chosen days united with the mandatory ones, latest first (as the workflow expects)."""
        return sorted(set(self.reminder_offsets) | set(MANDATORY_REMINDER_OFFSETS), reverse=True)


async def preferences_for(session: AsyncSession, person_id: int) -> Preferences:
    row = await session.get(NotificationPreference, person_id)
    if row is None:
        return Preferences()
    return Preferences(email=row.email, in_app=row.in_app, weekly_digest=row.weekly_digest,
                       reminder_offsets=tuple(int(day) for day in row.reminder_offsets),
                       monthly_summary=row.monthly_summary)


def offers_monthly_summary(roles: Collection[str]) -> bool:
    """Whether a person with these roles gets the monthly summary, and so sees its switch."""
    return MONTHLY_SUMMARY_ROLE in roles


def validate_preferences(
    *, email: bool, in_app: bool, delivery: str, reminder_days: list[str], monthly_summary: bool = True
) -> Preferences | dict[str, str]:
    """Cleaned preferences from the form's values, or a message per field.

    `monthly_summary` is the caller's to decide for people not offered the summary: their stored choice,
    never the form's value.
    """
    errors: dict[str, str] = {}
    if not (email or in_app):
        errors["channels"] = ("Keep at least one way of hearing from Muster: email, in-app notifications, "
                              "or both.")
    if delivery not in (DELIVERY_IMMEDIATE, DELIVERY_DIGEST):
        errors["delivery"] = "Choose whether to get each email at once or one weekly digest."
    allowed = {str(day) for day in DEFAULT_REMINDER_OFFSETS}
    if any(day not in allowed for day in reminder_days):
        errors["reminder_days"] = "Choose reminder days from the list."
    if errors:
        return errors
    chosen = {int(day) for day in reminder_days} | set(MANDATORY_REMINDER_OFFSETS)
    return Preferences(email=email, in_app=in_app, weekly_digest=delivery == DELIVERY_DIGEST,
                       reminder_offsets=tuple(sorted(chosen, reverse=True)), monthly_summary=monthly_summary)


async def save_preferences(session: AsyncSession, person_id: int, preferences: Preferences) -> None:
    """Store the person's choices in the caller's transaction (the calendar link is kept)."""
    row = await session.get(NotificationPreference, person_id)
    if row is None:
        row = NotificationPreference(person_id=person_id)
        session.add(row)
    row.email = preferences.email
    row.in_app = preferences.in_app
    row.weekly_digest = preferences.weekly_digest
    row.reminder_offsets = list(preferences.reminder_offsets)
    row.monthly_summary = preferences.monthly_summary
    await session.flush()

"""Writing a round of POST reimbursement reminders: one notification per person, agency, year and round.

The key `reimbursement:{agency}:{year}:{day}:{person}` makes a round's reminder exist once however often the
activity is retried; add_notification applies each person's preferences and the mail's Message-ID derives
from the key, like every other Muster mail.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio import activity

from activities.notifications import add_notification, people_with_role
from compliance.wording import format_date
from models import Agency, ClaimStatus, Person, ReimbursementClaim, Role
from models.notifications import first_sentence
from services.reimbursement_claims import RULE_PACK
from services.reimbursement_eligibility import FiscalYear
from settings import Settings
from workflows.reimbursement_reminders_types import ReminderRound, ReminderRoundResult


def reminder_key(agency_id: int, round_: ReminderRound, person_id: int) -> str:
    return f"reimbursement:{agency_id}:{round_.fiscal_year}:{round_.day}:{person_id}"


def reminder_text(round_: ReminderRound, first_name: str, status: str) -> tuple[str, str]:
    """(subject, body) of one reminder."""
    year = FiscalYear(round_.fiscal_year)
    due = format_date(year.application_due)
    if round_.overdue:
        return (f"POST reimbursement for FY{year.closing_year} was due {due}",
                f"Hello {first_name},\n\nThe agency's Minnesota POST reimbursement application for {year.label} "
                f"was due to the POST Board on {due} and is not marked submitted in Muster (status: {status}). "
                "If it was sent, mark it submitted; if not, ask the Board about an extension (at most ten days).")
    return (f"POST reimbursement for FY{year.closing_year} is due {due}",
            f"Hello {first_name},\n\nThe agency's Minnesota POST reimbursement application for {year.label} is "
            f"due to the POST Board by {due}, signed by the chief (status in Muster: {status}). Muster lists the "
            "eligible officers with their licence numbers, months and credits, and the year's costs: the "
            "coordinator checks and corrects them, the chief signs off, and the coordinator marks it submitted.")


class ReimbursementReminderActivities:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self._sessions = session_factory
        self._settings = settings

    @activity.defn(name="send_reimbursement_reminders")
    async def send_reminders(self, round_: ReminderRound) -> ReminderRoundResult:
        """Write the round's reminders for every Minnesota agency whose claim is not marked submitted."""
        async with self._sessions() as session:
            agencies = list(await session.scalars(
                select(Agency.id).where(Agency.rule_pack == RULE_PACK).order_by(Agency.id)))
        pending: list[int] = []
        open_claims = written = 0
        for agency_id in agencies:
            async with self._sessions() as session, session.begin():
                status = await session.scalar(select(ReimbursementClaim.status).where(
                    ReimbursementClaim.agency_id == agency_id,
                    ReimbursementClaim.fiscal_year == round_.fiscal_year)) or ClaimStatus.DRAFT
                if status == ClaimStatus.SUBMITTED:
                    continue
                open_claims += 1
                for person in await _recipients(session, agency_id, round_.overdue):
                    subject, body = reminder_text(round_, person.first_name, ClaimStatus(status).label)
                    row = await add_notification(
                        session, self._settings, key=reminder_key(agency_id, round_, person.id),
                        person_id=person.id, subject=subject, body=body, title=subject, summary=first_sentence(body),
                        link=f"/reimbursement/{round_.fiscal_year}", urgent=round_.overdue)
                    written += 1
                    if row.email_pending:
                        pending.append(row.id)
            activity.heartbeat(agency_id)
        return ReminderRoundResult(notification_ids=sorted(pending), open_claims=open_claims, written=written)


async def _recipients(session: AsyncSession, agency_id: int, overdue: bool) -> list[Person]:
    """The coordinators, and (until 31 July) the command staff who sign; active accounts only."""
    roles = [Role.COORDINATOR] if overdue else [Role.COORDINATOR, Role.COMMAND]
    ids = sorted({person_id for role in roles for person_id in await people_with_role(session, agency_id, role)})
    return list(await session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id)))

"""The demo agency's training records give the named demo officers the dashboards the README promises."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models import AgencyRequirement, Person, TrainingRecord
from seed.demo import seed_demo
from services.compliance import officer_status


async def _status_of(session, last_name: str):  # type: ignore[no-untyped-def]
    person = await session.scalar(select(Person).where(Person.last_name == last_name))
    return await officer_status(session, person.id, date.today())


async def test_demo_officers_show_varied_correct_states(session_factory):
    await seed_demo(session_factory, workflow_id_prefix="")
    async with session_factory() as session:
        count = await session.scalar(select(func.count(TrainingRecord.id)))
        ellis = await _status_of(session, "Ellis")
        assert ellis.state == "on_track" and ellis.total_done < ellis.total_required
        assert any("crisis-intervention credits" in sentence for sentence in ellis.missing)
        assert not any("autism credits" in sentence for sentence in ellis.missing)
        raman = await _status_of(session, "Raman")
        assert raman.state == "on_track" and raman.total_done >= 48
        assert any("autism credits" in sentence for sentence in raman.missing)
        assert (await _status_of(session, "Dahl")).state == "compliant"
        sorensen = await _status_of(session, "Sorensen")
        assert sorensen.state == "overdue" and any("bias-crimes credit, overdue" in s for s in sorensen.missing)
        lund = await _status_of(session, "Lund")
        assert lund.state == "overdue" and any(s.startswith("Firearms in-service training, overdue")
                                               for s in lund.missing)
        benson = await _status_of(session, "Benson")  # licensed 300 days ago, firearms due within 90 days
        assert benson.state == "at_risk"
        assert "Annual firearms qualification (agency policy)" in benson.missing[-1]
        assert await _status_of(session, "Whitfield") is None  # civilian coordinator
        states = [status.state for person in await session.scalars(select(Person))
                  if (status := await officer_status(session, person.id, date.today())) is not None]
        assert states.count("overdue") == 2 and states.count("compliant") == 1 and states.count("at_risk") == 1
        assert await session.scalar(select(func.count(AgencyRequirement.id))) == 1

    await seed_demo(session_factory, workflow_id_prefix="")  # idempotent
    async with session_factory() as session:
        assert await session.scalar(select(func.count(TrainingRecord.id))) == count
        assert await session.scalar(select(func.count(AgencyRequirement.id))) == 1

"""Coordinators record exemptions, waivers and leave; the engine applies them to the officer at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import AuditEvent, ComplianceWaiver, Person
from services.compliance import officer_status
from tests.portal.helpers import portal


async def license_officer1(session_factory, org) -> None:
    async with session_factory() as session, session.begin():
        (await session.get_one(Person, org.officer1)).license_date = date(2021, 3, 1)


async def requirement_status(session_factory, officer_id: int, requirement_id: str):
    async with session_factory() as session:
        status = await officer_status(session, officer_id, date.today())
    assert status is not None
    return next(s for s in status.requirements if s.requirement.id == requirement_id)


async def test_coordinator_exempts_an_officer_from_evoc_and_the_engine_applies_it(
    make_app, unreachable_temporal, session_factory, demo_org
):
    await license_officer1(session_factory, demo_org)
    assert not (await requirement_status(session_factory, demo_org.officer1, "mn-evoc")).met
    async with portal(make_app, unreachable_temporal) as sign_in:
        coordinator = await sign_in("coord1")
        form = await coordinator.get(f"/officers/{demo_org.officer1}/waivers")
        assert form.status_code == 200 and "Emergency vehicle" in form.text
        saved = await coordinator.post(f"/officers/{demo_org.officer1}/waivers", {
            "kind": "exemption", "requirement_id": "mn-evoc", "starts_on": "2021-03-01", "ends_on": "",
            "hours_reduction": "", "reason": "Declared exempt by the chief: no driving duties (memo 2024-17).",
        })
        assert saved.status_code == 303
        listing = await coordinator.get(saved.headers["location"])
        assert "Recorded." in listing.text and "memo 2024-17" in listing.text
    evoc = await requirement_status(session_factory, demo_org.officer1, "mn-evoc")
    assert evoc.met and evoc.waived_reason
    async with session_factory() as session:
        audits = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "compliance_waiver.add")))
    assert [a.detail["requirement_id"] for a in audits] == ["mn-evoc"]
    assert audits[0].detail["reason"].startswith("Declared exempt")


async def test_invalid_waivers_rerender_with_messages_and_store_nothing(
    make_app, unreachable_temporal, session_factory, demo_org
):
    await license_officer1(session_factory, demo_org)
    bad_forms = [
        ({"kind": "exemption", "requirement_id": "mn-total", "starts_on": "2024-07-01", "reason": "x"},
         "The rules allow no exemption from this requirement"),
        ({"kind": "waiver", "requirement_id": "", "starts_on": "2024-07-01", "reason": "x"},
         "Only leave can apply to every requirement"),
        ({"kind": "leave", "requirement_id": "", "starts_on": "2024-07-01", "ends_on": "2024-01-01", "reason": "x"},
         "The last day cannot be before the first."),
        ({"kind": "waiver", "requirement_id": "mn-total", "starts_on": "2024-07-01", "hours_reduction": "-4",
          "reason": "x"}, "Enter hours from more than 0"),
        ({"kind": "leave", "requirement_id": "", "starts_on": "soon", "reason": ""}, "Give the reason"),
    ]
    async with portal(make_app, unreachable_temporal) as sign_in:
        coordinator = await sign_in("coord1")
        for form, message in bad_forms:
            response = await coordinator.post(f"/officers/{demo_org.officer1}/waivers", form)
            assert response.status_code == 200 and message in response.text, message
    async with session_factory() as session:
        assert list(await session.scalars(select(ComplianceWaiver))) == []


async def test_only_coordinators_record_waivers(make_app, unreachable_temporal, session_factory, demo_org):
    await license_officer1(session_factory, demo_org)
    async with portal(make_app, unreachable_temporal) as sign_in:
        for username in ("officer1", "sgt1", "chief1"):
            browser = await sign_in(username)
            assert (await browser.get(f"/officers/{demo_org.officer1}/waivers")).status_code == 404
            posted = await browser.post(f"/officers/{demo_org.officer1}/waivers", {
                "kind": "leave", "requirement_id": "", "starts_on": "2024-07-01", "reason": "Medical leave"})
            assert posted.status_code == 404
    async with session_factory() as session:
        assert list(await session.scalars(select(ComplianceWaiver))) == []

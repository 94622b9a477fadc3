"""The reimbursement pages as people use them: who sees them, the chief's sign-off, a correction's form
errors, and other states' agencies, for whom the pages do not exist."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select, update

from models import Agency, ReimbursementCostLine
from services.reimbursement_eligibility import fiscal_year_of
from tests.reimbursement.support import build_fy2026

PAGE = "/reimbursement/2026"
NAV = '<a href="/reimbursement">POST reimbursement</a>'


async def test_coordinator_sees_the_list_with_reasons_and_officers_are_refused(browsers, demo_org, session_factory):
    await build_fy2026(session_factory, demo_org)
    coordinator = await browsers("coord1")
    response = await coordinator.get(PAGE)
    assert response.status_code == 200
    assert "FY2026 (1 July 2025 - 30 June 2026)" in response.text
    assert "7 months and 6 days employed (8 whole months needed); 15.5 credits (16 needed)" in response.text
    assert "MN-1003" in response.text and "<strong>Part-time</strong>" in response.text
    assert NAV in (await coordinator.get("/notifications")).text
    officer = await browsers("officer1")
    refused = await officer.get(PAGE)
    assert refused.status_code == 403 and "MN-1001" not in refused.text
    assert NAV not in (await officer.get("/notifications")).text


async def test_chief_signs_and_the_export_is_final(browsers, demo_org, session_factory):
    await build_fy2026(session_factory, demo_org)
    chief = await browsers("chief1")
    page = await chief.get(PAGE)
    assert "By signing you make this statement" in page.text and "I, Carla Chief" in page.text
    signed = await chief.post(f"{PAGE}/sign")
    assert signed.status_code == 303
    page = await chief.get(signed.headers["location"])
    assert "Signed by Carla Chief on" in page.text
    rows = list(csv.reader(io.StringIO((await chief.get(f"{PAGE}/export/csv")).text)))
    assert rows[1] == ["Status", "Final - signed by the chief law enforcement officer"]
    coordinator = await browsers("coord1")
    assert (await coordinator.post(f"{PAGE}/submitted")).status_code == 303
    assert "Status: Submitted" in (await coordinator.get(PAGE)).text


async def test_a_correction_without_a_reason_is_shown_again_with_what_was_typed(browsers, demo_org, session_factory):
    await build_fy2026(session_factory, demo_org)
    coordinator = await browsers("coord1")
    assert (await coordinator.post(f"{PAGE}/gather")).status_code == 303
    async with session_factory() as session:
        line_id = await session.scalar(select(ReimbursementCostLine.id).where(
            ReimbursementCostLine.category == "tuition"))
    response = await coordinator.post(f"{PAGE}/lines/{line_id}", {
        "category": "tuition", "description": "CIT course", "amount": "412.34", "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for the correction." in response.text and 'value="412.34"' in response.text
    bad = await coordinator.post(f"{PAGE}/lines", {"category": "wages", "description": "", "amount": "abc"})
    assert "Say what the cost was for." in bad.text and 'value="abc"' in bad.text


async def test_another_states_agency_has_no_reimbursement_pages(browsers, demo_org, session_factory):
    async with session_factory() as session, session.begin():
        await session.execute(update(Agency).where(Agency.id == demo_org.agency_id).values(rule_pack="CA-POST"))
    coordinator, chief = await browsers("coord1"), await browsers("chief1")
    assert (await coordinator.get(PAGE)).status_code == 404
    assert (await coordinator.get("/reimbursement")).status_code == 404
    assert (await coordinator.get(f"{PAGE}/export/csv")).status_code == 404
    assert (await chief.post(f"{PAGE}/sign")).status_code == 404
    assert NAV not in (await coordinator.get("/notifications")).text


async def test_a_year_that_has_not_ended_cannot_be_signed(browsers, demo_org, session_factory):
    running = fiscal_year_of(date.today()).closing_year + 1  # always still to come, whatever today is
    chief = await browsers("chief1")
    page = await chief.get(f"/reimbursement/{running}")
    assert "This fiscal year is still running" in page.text
    refused = await chief.post(f"/reimbursement/{running}/sign")
    assert refused.status_code == 200
    assert f"the claim can be signed from 1 July {running}" in refused.text

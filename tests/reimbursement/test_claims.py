"""The claim as the services build and change it: officers, costs gathered and corrected, sign-off voided by a
change, and the export read back. Expected figures are the hand counts in tests/reimbursement/support.py."""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader
from sqlalchemy import select

from models import AuditEvent, ClaimStatus, ReimbursementClaim
from services import reimbursement_claims as claims
from services.reimbursement_costs import CostForm, validate_cost_form
from services.reimbursement_eligibility import FiscalYear
from services.reimbursement_export import render_csv, render_pdf
from services.reimbursement_lines import add_line, correct_line
from tests.reimbursement.support import actor, build_fy2026

FY2026 = FiscalYear(2026)


async def test_the_years_officers_are_listed_with_months_credits_and_reasons(session_factory, demo_org):
    await build_fy2026(session_factory, demo_org)
    async with session_factory() as session:
        view = await claims.claim_view(session, demo_org.agency_id, FY2026)
    rows = {row.license_number: (row.months, str(row.credits), row.part_time, row.eligible, row.reason)
            for row in view.officers}
    assert rows == {
        "MN-1001": (12, "18.00", False, True, ""),  # transferred between units in January: still one agency
        "MN-1004": (8, "20.00", False, True, ""),  # re-hired: 4 + 4 months; on leave in April: still employed
        "MN-1003": (12, "16.00", True, True, ""),  # part-time, flagged
        "MN-1002": (7, "15.50", False, False,
                    "7 months and 6 days employed (8 whole months needed); 15.5 credits (16 needed)"),
    }


async def _audits(session_factory, action: str) -> list[AuditEvent]:
    async with session_factory() as session:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                          .order_by(AuditEvent.id)))


async def test_costs_are_gathered_from_approved_requests_and_corrections_are_audited(session_factory, demo_org):
    await build_fy2026(session_factory, demo_org)
    coordinator = actor(demo_org, "coord1", {"coordinator"})
    async with session_factory() as session, session.begin():
        assert await claims.gather(session, coordinator, FY2026) == 0  # opening the claim gathered them
        claim = await claims.load_claim(session, demo_org.agency_id, FY2026)
        assert claim is not None
        assert sorted((line.category, line.amount_cents) for line in claim.lines) == [
            ("lodging", 20_000), ("tuition", 45_000)]
        tuition = next(line for line in claim.lines if line.category == "tuition")
        form = validate_cost_form({"category": "tuition", "description": tuition.description, "amount": "400.00"})
        assert isinstance(form, CostForm)
        assert await correct_line(session, coordinator, FY2026, tuition.id, form, False, "") == \
            "Give the reason for the correction."
        assert await correct_line(session, coordinator, FY2026, tuition.id, form, False, "Early-bird rate") is None
        wages = CostForm(category=form.category.WAGES, description="Backfill for CIT week", amount_cents=123_456)
        assert await add_line(session, coordinator, FY2026, wages) is None
    async with session_factory() as session:
        view = await claims.claim_view(session, demo_org.agency_id, FY2026)
    assert {c.value: cents for c, cents in view.totals.by_category.items()} == {
        "tuition": 40_000, "wages": 123_456, "travel": 0, "lodging": 20_000, "other": 0}
    assert view.totals.total == 183_456
    [correction] = await _audits(session_factory, "reimbursement.line_correct")
    assert correction.detail["before"]["amount"] == "$450.00"
    assert correction.detail["after"]["amount"] == "$400.00"
    assert correction.detail["reason"] == "Early-bird rate"
    [added] = await _audits(session_factory, "reimbursement.line_add")
    assert added.detail["after"]["amount"] == "$1,234.56"


async def test_a_change_after_the_chief_signs_voids_the_signature(session_factory, demo_org):
    await build_fy2026(session_factory, demo_org)
    coordinator, chief = actor(demo_org, "coord1", {"coordinator"}), actor(demo_org, "chief1", {"command"})
    async with session_factory() as session, session.begin():
        assert await claims.mark_submitted(session, coordinator, FY2026) == \
            "The chief must sign the claim as it stands before it is marked submitted."
        assert await claims.sign(session, chief, FY2026) is None
    async with session_factory() as session:
        view = await claims.claim_view(session, demo_org.agency_id, FY2026)
        assert view.signature_holds and view.signed_by == "Carla Chief"
        assert view.claim is not None and view.claim.signed_statement is not None
        assert view.claim.signed_statement.startswith("I, Carla Chief, chief law enforcement officer of Test Police")
    async with session_factory() as session, session.begin():
        # sgt1 is part-time; the coordinator learns another agency claims him.
        assert await claims.set_claimed_elsewhere(session, coordinator, FY2026, demo_org.sgt1, True,
                                                  "Claimed by Ramsey County") is None
    async with session_factory() as session:
        view = await claims.claim_view(session, demo_org.agency_id, FY2026)
        assert view.status is ClaimStatus.DRAFT and not view.signature_holds
        assert [row.license_number for row in view.eligible] == ["MN-1004", "MN-1001"]
    [void] = await _audits(session_factory, "reimbursement.signature_void")
    assert void.detail["before"]["status"] == "signed" and void.detail["after"]["status"] == "draft"
    [mark] = await _audits(session_factory, "reimbursement.claimed_elsewhere")
    assert mark.detail["after"] == {"claimed_elsewhere": True} and mark.detail["reason"] == "Claimed by Ramsey County"


async def test_only_a_part_time_officer_can_be_claimed_elsewhere(session_factory, demo_org):
    await build_fy2026(session_factory, demo_org)
    async with session_factory() as session, session.begin():
        assert await claims.set_claimed_elsewhere(session, actor(demo_org, "coord1", {"coordinator"}), FY2026,
                                                  demo_org.officer1, True, "Elsewhere") == \
            "Only a part-time officer can be claimed by another agency."


def _section(rows: list[list[str]], title: str) -> list[list[str]]:
    start = rows.index([title]) + 1
    end = next(i for i in range(start, len(rows)) if not rows[i])
    return rows[start:end]


async def test_the_export_reads_back_with_the_same_numbers_draft_then_final(session_factory, demo_org):
    await build_fy2026(session_factory, demo_org)
    async with session_factory() as session, session.begin():
        await claims.gather(session, actor(demo_org, "coord1", {"coordinator"}), FY2026)
    async with session_factory() as session:
        draft = await claims.claim_view(session, demo_org.agency_id, FY2026)
    draft_rows = list(csv.reader(io.StringIO(render_csv(draft))))
    assert draft_rows[1] == ["Status", "DRAFT - not signed by the chief law enforcement officer"]
    async with session_factory() as session, session.begin():
        assert await claims.sign(session, actor(demo_org, "chief1", {"command"}), FY2026) is None
    async with session_factory() as session:
        view = await claims.claim_view(session, demo_org.agency_id, FY2026)
        signed_at = (await session.scalar(select(ReimbursementClaim.signed_at))).astimezone(view.zone)
    rows = list(csv.reader(io.StringIO(render_csv(view))))
    assert rows[1] == ["Status", "Final - signed by the chief law enforcement officer"]
    assert ["Fiscal year", "FY2026 (1 July 2025 - 30 June 2026)"] in rows
    assert _section(rows, "Eligible officers")[1:] == [
        ["Lena Lieutenant", "MN-1004", "1 July 2025", "30 June 2026", "8", "20", "no"],
        ["Olly Officer", "MN-1001", "1 July 2025", "30 June 2026", "12", "18", "no"],
        ["Sam Sergeant", "MN-1003", "1 July 2025", "30 June 2026", "12", "16", "yes"],
    ]
    assert _section(rows, "Officers not counted")[1:] == [
        ["Omar Other", "MN-1002", "7 months and 6 days employed", "15.5", "no",
         "7 months and 6 days employed (8 whole months needed); 15.5 credits (16 needed)"]]
    assert _section(rows, "Totals per category") == [["Tuition", "$450.00"], ["Wages or backfill", "$0.00"],
                                                     ["Travel", "$0.00"], ["Lodging", "$200.00"],
                                                     ["Other", "$0.00"], ["Total", "$650.00"]]
    signature = dict(row for row in rows[rows.index(["Chief law enforcement officer's statement"]) + 1:])
    assert signature["Signed by"] == "Carla Chief"
    assert signature["Signed at"].startswith(f"{signed_at.day} ") and signature["Signed at"].endswith(
        f"at {signed_at:%H:%M} ({signed_at.tzname()})")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(render_pdf(view))).pages)
    for expected in ("Final - signed by the chief", "MN-1004", "MN-1001", "MN-1003", "$650.00", "$450.00",
                     "Carla Chief", "Eligible officers 3"):
        assert expected in text, expected
    assert "DRAFT" not in text

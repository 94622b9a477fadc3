"""A record whose topic credits exceed its hours is refused by the engine itself, and by every entry point
that makes records: the record form, the CSV import (preview and import), and certificate approval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.certificates import CertificateActivities, ReviewStep
from compliance import CreditRecord, InvalidRecord
from models import RecordImportRow, TrainingRecord
from services.record_import_batches import import_batch
from services.training_records import validate_record_form
from tests.certificates.support import certificate_pdf, submit_directly
from tests.services.import_support import csv_file, days_ago, stage, start
from tests.services.records_support import license_officer


def test_engine_refuses_a_record_with_more_topic_credits_than_hours():
    with pytest.raises(InvalidRecord, match=r"record r1: its topic credits \(6\) add up to more than its hours \(2\)"):
        CreditRecord("r1", date(2025, 1, 1), Decimal(2), {"crisis_intervention": Decimal(6)})


def test_engine_adds_up_credits_across_topics_and_accepts_credits_equal_to_hours():
    with pytest.raises(InvalidRecord, match=r"\(5\) add up to more than its hours \(4\)"):
        CreditRecord("r2", date(2025, 1, 1), Decimal(4), {"autism": Decimal(3), "crisis_intervention": Decimal(2)})
    accepted = CreditRecord("r3", date(2025, 1, 1), Decimal(4),
                            {"autism": Decimal(2), "crisis_intervention": Decimal(2)})
    assert accepted.credit_in(("autism", "crisis_intervention")) == 4


def test_engine_refuses_negative_hours_with_the_same_exception():
    with pytest.raises(InvalidRecord, match="cannot be negative"):
        CreditRecord("r4", date(2025, 1, 1), Decimal(-1))


def test_record_form_refuses_credits_above_hours():
    values = {"course_title": "Crisis", "provider": "Academy", "completed_on": "2025-01-10", "hours": "2"}
    errors = validate_record_form(values, {"crisis_intervention": "6"}, date(2025, 2, 1))
    assert errors == {"credits": "The topic credits add up to more than the hours of the course."}


async def test_csv_import_refuses_a_staged_row_whose_credits_exceed_its_hours(session_factory, demo_org):
    await license_officer(session_factory, demo_org.officer1, "MN-0001")
    preview = await stage(session_factory, demo_org, csv_file(f"MN-0001,,Crisis,Academy,{days_ago(30)},2,"
                                                              "crisis_intervention=6"))
    async with session_factory() as session:
        [refused] = await session.scalars(select(RecordImportRow).where(RecordImportRow.import_id == preview))
    assert any("add up to more than the hours" in error for error in refused.errors)  # the preview says so

    import_id = await stage(session_factory, demo_org, csv_file(f"MN-0001,,Crisis,Academy,{days_ago(30)},2,"
                                                                "crisis_intervention=2"))
    async with session_factory() as session, session.begin():
        row = await session.scalar(select(RecordImportRow).where(RecordImportRow.import_id == import_id))
        assert row is not None and row.parsed is not None
        tampered = {**row.parsed, "credits": {"crisis_intervention": "6"}}
        key = (row.import_id, row.row_number)
        await session.execute(update(RecordImportRow).where(RecordImportRow.import_id == import_id,
                                                             RecordImportRow.row_number == row.row_number)
                              .values(parsed=tampered))
    await start(session_factory, import_id)
    async with session_factory() as session, session.begin():
        outcome = await import_batch(session, import_id, 500)
    async with session_factory() as session:
        dropped = await session.get_one(RecordImportRow, key)
        records = await session.scalar(select(func.count()).select_from(TrainingRecord))
    assert (outcome.imported, outcome.dropped, records) == (0, 1, 0)
    assert dropped.errors == ["This row cannot be imported: its topic credits (6) add up to more than its hours (2)."]


async def test_certificate_approval_refuses_credits_above_the_credited_hours(session_factory, settings, demo_org):
    submission = await submit_directly(session_factory, settings, demo_org.officer1, certificate_pdf())
    assert submission.workflow_id is not None
    temporal = await Client.connect("127.0.0.1:1", lazy=True)  # never called by record_step
    activities = CertificateActivities(session_factory, temporal, settings)
    step = ReviewStep(submission.id, submission.workflow_id, 1, "approved", 1, actor_id=demo_org.coord1,
                      credited_hours="2", credited_credits={"crisis_intervention": "8"})

    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(activities.record_step, step)

    assert refused.value.message == (f"Certificate {submission.id} cannot be approved: its topic credits (8) add up to"
                                  " more than its hours (2).")
    assert refused.value.non_retryable and refused.value.type == "InvalidRecord"
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(TrainingRecord)) == 0

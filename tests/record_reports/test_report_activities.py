"""The record-report activities on their own: a retried step writes nothing twice, bad data is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.record_reports import NOTHING_CHANGES, ClosingStep, RecordReportActivities
from models import RecordErrorReport, RecordReportEvent, ReportKind
from tests.record_reports.support import add_record, audit_rows, load_report, records_of

ADDED = {"course_title": "Crisis Intervention Team", "provider": "Regional Academy", "course_number": "",
         "started_on": "", "completed_on": "2025-10-09", "hours": "40"}


async def _report(factory, org, kind: ReportKind, record_id: int | None = None) -> int:
    async with factory() as session, session.begin():
        report = RecordErrorReport(agency_id=org.agency_id, officer_id=org.officer1, record_id=record_id,
                                   kind=kind.value, description="Please fix.", workflow_id="wf-report")
        session.add(report)
        await session.flush()
        return report.id


def _closing(report_id: int, org, values: dict[str, str], credits: dict[str, str] | None = None) -> ClosingStep:
    return ClosingStep(report_id=report_id, workflow_id="wf-report", seq=2, event="corrected",
                       actor_id=org.coord1, reason="Confirmed with the academy.", values=values,
                       credits=credits or {})


async def test_a_retried_closing_step_adds_the_missing_record_once(
    session_factory, settings, demo_org, unreachable_temporal
):
    report_id = await _report(session_factory, demo_org, ReportKind.MISSING_COURSE)
    activities = RecordReportActivities(session_factory, unreachable_temporal, settings)
    step = _closing(report_id, demo_org, ADDED, {"crisis_intervention": "40"})
    env = ActivityEnvironment()

    # The first attempt's answer is lost; Temporal runs the same step again.
    assert await env.run(activities.close, step) == "corrected"
    assert await env.run(activities.close, step) == "corrected"

    [record] = await records_of(session_factory, demo_org.officer1)
    assert record.source_ref == f"record-report:{report_id}" and record.hours == Decimal("40")
    assert len(await audit_rows(session_factory, "training_record.add")) == 1
    assert len(await audit_rows(session_factory, "record_report.corrected")) == 1
    async with session_factory() as session:
        assert list(await session.scalars(select(RecordReportEvent.kind))) == ["corrected"]


async def test_a_retried_correction_is_applied_and_audited_once(
    session_factory, settings, demo_org, unreachable_temporal
):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    report_id = await _report(session_factory, demo_org, ReportKind.HOURS_WRONG, record_id)
    activities = RecordReportActivities(session_factory, unreachable_temporal, settings)
    values = {**ADDED, "course_title": "Firearms qualification", "provider": "Range Academy",
              "completed_on": "2025-03-14", "hours": "12"}
    env = ActivityEnvironment()

    step = _closing(report_id, demo_org, values, {"use_of_force": "2"})
    await env.run(activities.close, step)
    await env.run(activities.close, step)

    [record] = await records_of(session_factory, demo_org.officer1)
    assert record.hours == Decimal("12")
    [audit] = await audit_rows(session_factory, "training_record.correct")
    assert audit.detail["before"]["hours"] == "8" and audit.detail["after"]["hours"] == "12"


@pytest.mark.parametrize(
    ("values", "credits", "message"),
    [
        ({**ADDED, "hours": "-3"}, {}, "The correction is not valid"),
        ({**ADDED, "completed_on": "2999-01-01"}, {}, "cannot be in the future"),
        (ADDED, {"no_such_topic": "2"}, "a topic that does not exist"),
    ],
    ids=["negative-hours", "future-date", "unknown-topic"],
)
async def test_bad_correction_data_is_refused_without_retrying_and_changes_nothing(
    session_factory, settings, demo_org, unreachable_temporal, values, credits, message
):
    report_id = await _report(session_factory, demo_org, ReportKind.MISSING_COURSE)
    activities = RecordReportActivities(session_factory, unreachable_temporal, settings)
    env = ActivityEnvironment()
    step = _closing(report_id, demo_org, values, credits)
    with pytest.raises(ApplicationError) as refused:
        await env.run(activities.close, step)
    assert refused.value.non_retryable and refused.value.type == "Refused"
    assert message in refused.value.message
    assert (await load_report(session_factory, report_id)).status == "open"
    assert await records_of(session_factory, demo_org.officer1) == []


async def test_a_correction_that_changes_nothing_is_refused(session_factory, settings, demo_org, unreachable_temporal):
    record_id = await add_record(session_factory, demo_org, demo_org.officer1)
    report_id = await _report(session_factory, demo_org, ReportKind.HOURS_WRONG, record_id)
    activities = RecordReportActivities(session_factory, unreachable_temporal, settings)
    unchanged = {**ADDED, "course_title": "Firearms qualification", "provider": "Range Academy",
                 "completed_on": "2025-03-14", "hours": "8"}
    with pytest.raises(ApplicationError, match=NOTHING_CHANGES.split(":")[0]):
        await ActivityEnvironment().run(activities.close, _closing(report_id, demo_org, unchanged,
                                                                   {"use_of_force": "2"}))
    assert (await load_report(session_factory, report_id)).status == "open"

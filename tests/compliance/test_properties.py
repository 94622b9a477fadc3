"""Properties that must hold for any officer, records and waivers, in every state pack."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import ComplianceStatus, CreditRecord, OfficerProfile, Waiver, evaluate, load_pack

PACKS = [load_pack(code) for code in ("MN-POST", "CA-POST", "TX-TCOLE", "FL-CJSTC")]
TOPICS = sorted({topic for pack in PACKS for rule in pack.requirements for topic in rule.topics} | {"other"})
COURSES = ["3939", "3232", "3843", "1849", None]
REQUIREMENT_IDS = [None, *sorted({rule.id for pack in PACKS for rule in pack.requirements})]
RANK = {"overdue": 0, "at_risk": 1, "on_track": 2, "compliant": 3}
START, END = date(2018, 1, 1), date(2030, 12, 31)

days = st.dates(min_value=START, max_value=END)
amounts = st.integers(min_value=0, max_value=24).map(lambda n: Decimal(n) / 2)


@st.composite
def records(draw: st.DrawFn) -> CreditRecord:
    topic_credits = draw(st.dictionaries(st.sampled_from(TOPICS), amounts, max_size=2))
    hours = sum(topic_credits.values(), Decimal(0)) + draw(amounts)
    return CreditRecord(draw(st.uuids()).hex, draw(days), hours, topic_credits, draw(st.sampled_from(COURSES)))


@st.composite
def waivers(draw: st.DrawFn) -> Waiver:
    starts = draw(days)
    ends = draw(st.none() | st.integers(min_value=0, max_value=800).map(lambda n: starts + timedelta(days=n)))
    return Waiver(
        requirement_id=draw(st.sampled_from(REQUIREMENT_IDS)),
        kind=draw(st.sampled_from(["exemption", "waiver", "leave"])),
        starts_on=starts,
        ends_on=ends,
        hours_reduction=draw(st.none() | st.integers(min_value=1, max_value=50).map(Decimal)),
        reason="test",
        granted_by="coordinator",
    )


@st.composite
def cases(draw: st.DrawFn):
    licence = draw(st.dates(min_value=START, max_value=date(2028, 12, 31)))
    on = draw(st.dates(min_value=licence, max_value=END))
    officer = OfficerProfile(
        officer_id=1,
        licence_date=licence,
        licence_status=draw(st.sampled_from(["active", "inactive"])),
        exemptions=frozenset(draw(st.lists(st.sampled_from(REQUIREMENT_IDS[1:]), max_size=2))),
        flags=frozenset(draw(st.lists(st.sampled_from(["school_resource_officer", "intermediate_certificate"])))),
    )
    credits = draw(st.lists(records(), max_size=12))
    return draw(st.sampled_from(PACKS)), officer, credits, draw(st.lists(waivers(), max_size=3)), on


def run(case, extra_records=(), extra_waivers=()) -> ComplianceStatus:
    pack, officer, credits, granted, on = case
    return evaluate(pack, officer, [*credits, *extra_records], [*granted, *extra_waivers], on)


@settings(max_examples=100, deadline=None)
@given(cases(), records())
def test_adding_a_record_never_lowers_percent_nor_worsens_state(case, extra):
    before, after = run(case), run(case, extra_records=[extra])
    assert after.percent >= before.percent
    assert RANK[after.state] >= RANK[before.state]


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_record_or_waiver_order(case, shuffler: random.Random):
    pack, officer, credits, granted, on = case
    shuffled_records, shuffled_waivers = list(credits), list(granted)
    shuffler.shuffle(shuffled_records)
    shuffler.shuffle(shuffled_waivers)
    assert evaluate(pack, officer, shuffled_records, shuffled_waivers, on) == run(case)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_percent_is_between_0_and_100_and_100_only_when_current_requirements_are_met(case):
    result = run(case)
    assert 0 <= result.percent <= 100
    current_met = all(s.met for s in result.requirements if not s.previous_period)
    assert (result.percent == 100) == current_met
    if result.state == "compliant":
        assert result.percent == 100 and result.missing == ()


@settings(max_examples=100, deadline=None)
@given(cases(), waivers())
def test_a_waiver_never_lowers_percent_nor_worsens_state(case, extra):
    before, after = run(case), run(case, extra_waivers=[extra])
    assert after.percent >= before.percent
    assert RANK[after.state] >= RANK[before.state]

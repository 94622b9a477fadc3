"""Rule packs load from rulepacks/*.toml; a broken pack names the file and the rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compliance import Requirement, RulePackError, available_packs, load_pack

MUSTER_TOPICS = {
    "crisis_intervention", "autism", "conflict_management", "implicit_bias", "bias_crimes", "use_of_force",
    "firearms", "evoc", "wellness", "first_aid", "de_escalation", "legal_update", "leadership", "investigations",
    "other",
}
ADDED_TOPICS = {
    "school_resource_officer", "arrest_control", "strategic_communications", "domestic_violence",
    "bloodborne_pathogens", "active_shooter", "human_diversity", "cultural_diversity",
    "special_investigative_topics",
}

VALID = """
code = "XX-TEST"
name = "Test pack"
state = "XX"
version = "1"
source = "test"

[cycle]
kind = "fixed"
length_years = 2
anchor = 2025-01-01

[[requirements]]
id = "xx-total"
title = "Total"
kind = "total_hours"
hours = 10
effective_from = 2020-01-01
source = "Test rule 1"
"""


def test_all_four_state_packs_load():
    assert set(available_packs()) == {"MN-POST", "CA-POST", "TX-TCOLE", "FL-CJSTC"}
    for code in available_packs():
        pack = load_pack(code)
        assert pack.code == code and pack.requirements


def test_every_rule_cites_a_source_and_uses_known_topic_codes():
    for code in available_packs():
        for requirement in load_pack(code).requirements:
            assert requirement.source.strip()
            assert set(requirement.topics) <= MUSTER_TOPICS | ADDED_TOPICS, requirement.id


def test_unknown_pack_code_lists_the_available_ones():
    with pytest.raises(RulePackError, match="MN-POST"):
        load_pack("NY-DCJS")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "total_hours"', 'kind = "totl_hours"'),
         "xx-test.toml: requirement 'xx-total': unknown kind 'totl_hours'"),
        (('source = "Test rule 1"', ""), "xx-test.toml: requirement 'xx-total': source is missing or empty"),
        (("effective_from = 2020-01-01", 'effective_from = "2020-13-01"'),
         "xx-test.toml: requirement 'xx-total': effective_from must be a TOML date"),
        (("effective_from = 2020-01-01", "effective_from = 2020-01-01\neffective_to = 2019-01-01"),
         "effective_to is before effective_from"),
        (("hours = 10", "hours = 10\nhourz = 3"), "unknown requirement key\\(s\\): hourz"),
        (("anchor = 2025-01-01", "anchor = 2025-02-30"), "xx-test.toml: not valid TOML"),
        (('kind = "fixed"', 'kind = "floating"'), "xx-test.toml: cycle/proration: unknown cycle kind 'floating'"),
    ],
)
def test_broken_pack_gives_an_error_naming_file_and_rule(tmp_path: Path, change, message):
    (tmp_path / "xx-test.toml").write_text(VALID.replace(*change))
    with pytest.raises(RulePackError, match=message):
        load_pack("XX-TEST", tmp_path)


def test_a_valid_pack_in_another_folder_loads(tmp_path: Path):
    (tmp_path / "xx-test.toml").write_text(VALID)
    assert load_pack("XX-TEST", tmp_path).requirements[0].hours == 10


def test_requirements_built_in_code_are_checked_like_pack_rules():
    with pytest.raises(ValueError, match="exactly one topic"):
        Requirement(id="a", title="A", kind="topic_hours", source="agency", effective_from=date(2020, 1, 1),
                    topics=("firearms", "evoc"), hours=Decimal(1))

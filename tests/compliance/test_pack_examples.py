"""Every pack's worked examples (rulepacks/*.toml [[examples]]) through the engine: each pack is checked
against the examples its sources give, or that follow directly from the rule text it cites."""

from __future__ import annotations

import pytest

from compliance import available_packs, evaluate, load_pack_file
from compliance.examples import WorkedExample
from compliance.rules import RulePack

CASES = [
    pytest.param(pack, example, id=f"{pack.code}: {example.name}")
    for pack in (load_pack_file(path) for path in available_packs().values())
    for example in pack.examples
]


def test_every_pack_carries_examples_and_some_come_from_its_sources():
    for path in available_packs().values():
        pack = load_pack_file(path)
        assert pack.examples, f"{pack.code} has no worked examples"
        assert any(not example.derived for example in pack.examples), f"{pack.code}: no example from a source"
        assert all(example.citation for example in pack.examples)


@pytest.mark.parametrize(("pack", "example"), CASES)
def test_pack_example_holds(pack: RulePack, example: WorkedExample):
    result = evaluate(pack, example.officer, example.records, [], example.on)
    assert (result.cycle_start, result.cycle_end) == (example.cycle_start, example.cycle_end), example.cites
    if example.state is not None:
        assert result.state == example.state, example.cites
    if example.unmet is not None:
        assert [s.requirement.id for s in result.requirements if not s.met] == list(example.unmet), example.cites
    if example.missing is not None:
        assert list(result.missing) == list(example.missing), example.cites
    if example.total_required is not None:
        assert result.total_required == example.total_required, example.cites

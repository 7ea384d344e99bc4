"""Every scenario file agrees with the engine: the public ones in ../shared and our own examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import SHARED
from leadledger.engine.answers import answer
from leadledger.replay import example_files

PUBLIC = sorted((SHARED / "scenarios" / "public").glob("*.json"))
EXAMPLES = example_files()


def _check(path: Path) -> None:
    outcome = answer(json.loads(path.read_text(encoding="utf-8")))
    assert outcome.answers, f"{path.name} asks nothing"
    assert outcome.ok, "\n".join(outcome.mismatches)
    for item in outcome.answers:
        assert item["explain"], "every answer explains itself"


@pytest.mark.skipif(not PUBLIC, reason=f"no public scenarios at {SHARED}/scenarios/public (../shared is absent)")
@pytest.mark.parametrize("path", PUBLIC, ids=lambda p: p.stem)
def test_public_scenario_agrees(path: Path) -> None:
    _check(path)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_shipped_example_agrees(path: Path) -> None:
    _check(path)


def _rule_ids() -> set[str]:
    rules = SHARED / "RULES.md"
    if not rules.exists():
        pytest.skip(f"{rules} is absent")
    return set(re.findall(r"\*\*((?:ID|IH|D|Q|C)-\d+)\b", rules.read_text(encoding="utf-8")))


def test_every_rule_of_the_catalogue_has_an_example() -> None:
    declared: set[str] = set()
    for path in EXAMPLES:
        declared.update(json.loads(path.read_text(encoding="utf-8")).get("rules", []))
    ids = _rule_ids()
    assert len(ids) > 40
    assert ids - declared == set()


def test_every_rule_of_an_attribution_example_is_cited_by_some_answer() -> None:
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))
        outcome = answer(data)
        cited = {cite for item in outcome.answers for cite in item["cites"]}
        assert set(data["rules"]) <= cited, f"{path.name}: {set(data['rules']) - cited} never cited"

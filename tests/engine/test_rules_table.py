"""docs/rules.md says where each rule lives: its table agrees with the engine's citations and with RULES.md."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent.parent
ENGINE = ROOT / "src" / "leadledger" / "engine"
RULES_MD = ROOT.parent / "shared" / "RULES.md"
RULE = re.compile(r"\b(?:ID|IH|D|Q|C|W|S)-\d+\b")
RANGE = re.compile(r"\b(?:ID|IH|D|Q|C|W|S)-\d+\.\.(?:ID|IH|D|Q|C|W|S)-\d+\b")  # a summary, not a citation
# Files that only support the rules (see docs/rules.md): fields, parameters, wording, replay's answers.
SUPPORT = {"model.py", "policy.py", "reasons.py", "answers.py", "visits.py", "split.py"}
NOT_YET = re.compile(r"^not yet \(issue \d+\)$")


def _table() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and RULE.fullmatch(cells[0]):
            assert cells[0] not in rows, f"{cells[0]} has two rows"
            rows[cells[0]] = cells[1]
    return rows


def _listed(cell: str) -> set[str]:
    return set(re.findall(r"engine/(\w+\.py)", cell))


def _cited() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = defaultdict(set)
    for path in ENGINE.glob("*.py"):
        if path.name not in SUPPORT:
            for rule in RULE.findall(RANGE.sub("", path.read_text(encoding="utf-8"))):
                cited[rule].add(path.name)
    return cited


def test_every_row_says_where_its_rule_lives_or_that_it_is_not_there_yet() -> None:
    for rule, cell in _table().items():
        assert _listed(cell) or NOT_YET.match(cell), f"{rule}: {cell!r} names no engine file and is not 'not yet'"


def test_every_rule_cited_in_the_engine_has_a_row_listing_each_file_that_cites_it() -> None:
    table = _table()
    for rule, files in _cited().items():
        assert rule in table, f"{rule} is cited in engine/{sorted(files)} but has no row in docs/rules.md"
        missing = files - _listed(table[rule])
        assert not missing, f"{rule} is cited in engine/{sorted(missing)}, which its row does not list"


def test_every_file_a_row_lists_really_cites_the_rule() -> None:
    cited = _cited()
    for rule, cell in _table().items():
        for name in _listed(cell):
            assert (ENGINE / name).exists(), f"{rule}: engine/{name} does not exist"
            assert name in cited.get(rule, set()), f"{rule}: engine/{name} is listed but does not cite {rule}"


def test_a_rule_not_yet_implemented_is_cited_nowhere_in_the_engine() -> None:
    cited = _cited()
    for rule, cell in _table().items():
        if NOT_YET.match(cell):
            assert rule not in cited, f"{rule} is cited in engine/{sorted(cited[rule])}: its row must say where"


@pytest.mark.skipif(not RULES_MD.exists(), reason=f"{RULES_MD} is absent (the shared catalogue sits beside the clone)")
def test_every_rule_of_the_catalogue_is_in_the_table_and_nothing_else_is() -> None:
    catalogue = set(RULE.findall(RULES_MD.read_text(encoding="utf-8")))
    table = set(_table())
    assert not catalogue - table, f"rules of RULES.md missing from docs/rules.md: {sorted(catalogue - table)}"
    assert not table - catalogue, f"rows of docs/rules.md for rules RULES.md does not have: {sorted(table - catalogue)}"

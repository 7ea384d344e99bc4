"""A phone is read, shown and searched in one place each (engine/phone.py, ledger.selectors.customer_search)."""

from __future__ import annotations

import re
from pathlib import Path

import leadledger

SOURCE = Path(leadledger.__file__).parent
PYTHON = [p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts]


def _outside(path: Path, *allowed: str) -> bool:
    return path.relative_to(SOURCE).as_posix() not in allowed


def test_only_the_engines_phone_module_reads_phonenumbers() -> None:
    users = [p for p in PYTHON if re.search(r"^\s*(import|from) phonenumbers", p.read_text("utf-8"), re.M)]
    assert [p.relative_to(SOURCE).as_posix() for p in users] == ["engine/phone.py"]


def test_no_module_outside_the_engine_uses_the_old_phone_helpers_or_cuts_a_phone_itself() -> None:
    pattern = re.compile(r"phone_key|normalise_phone|parse_mask|mask_phone|phone\[-4:\]|removeprefix\(\"\+86\"\)")
    offenders = [
        p.relative_to(SOURCE).as_posix()
        for p in PYTHON
        if "engine" not in p.relative_to(SOURCE).parts and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []


def test_customers_are_searched_only_through_the_one_search() -> None:
    # A lookup by name prefix, pinyin, initials or tail outside customer_search would be a second search.
    pattern = re.compile(r"name__startswith|pinyin__|initials=|phone_tail(__in)?=|phone__startswith|phone__endswith")
    offenders = [
        p.relative_to(SOURCE).as_posix()
        for p in PYTHON
        if _outside(p, "ledger/selectors.py") and pattern.search(p.read_text("utf-8"))
    ]
    assert offenders == []

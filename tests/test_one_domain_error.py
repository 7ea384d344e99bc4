"""One error a user can fix (issue 12): every exception class the project defines is the engine's
DomainError (Chinese and English message, the field it belongs next to), or one of the few listed
below that never reach a user.

The check reads the source (every module under src/leadledger, migrations included) rather than
importing it, so a module no test imports cannot hide a second error class.
"""

from __future__ import annotations

import ast
import builtins
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "leadledger"
DOMAIN = "DomainError"
# Exceptions that are control flow inside one module and are caught there: no user ever sees them.
NOT_DOMAIN = {
    "_Unusual": "replay.py: a value indented_json hands to json.dumps, caught a few lines further on",
    "_Abandoned": "imports/tasks.py: a job taken as lost or cancelled stops quietly, caught by the job itself",
    "_NotShared": "replay.py: a share gives up; caught by _in_shares or _forked, and the file is read whole",
}
BUILTIN_EXCEPTIONS = {
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
}


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):  # rules.PlanError, django.core.exceptions.ValidationError
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _classes(sources: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """Class name -> (where, its bases' names), over every source given."""
    found: dict[str, tuple[str, list[str]]] = {}
    for where, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                found[node.name] = (f"{where}:{node.lineno}", [_base_name(base) for base in node.bases])
    return found


def _exceptions(classes: dict[str, tuple[str, list[str]]]) -> dict[str, tuple[str, bool]]:
    """Each exception class defined -> (where, whether it descends from DomainError)."""

    def lineage(name: str, seen: frozenset[str] = frozenset()) -> tuple[bool, bool]:  # (exception, domain)
        if name == DOMAIN:
            return True, True
        if name in BUILTIN_EXCEPTIONS or (name.endswith(("Error", "Exception")) and name not in classes):
            return True, False  # a builtin, or a library's error (ValidationError, DatabaseError …)
        if name not in classes or name in seen:
            return False, False
        results = [lineage(base, seen | {name}) for base in classes[name][1]]
        return any(r[0] for r in results), any(r[1] for r in results)

    return {
        name: (where, lineage(name)[1])
        for name, (where, _bases) in classes.items()
        if name != DOMAIN and lineage(name)[0]
    }


def _project_sources() -> dict[str, str]:
    return {str(path.relative_to(SRC)): path.read_text(encoding="utf-8") for path in sorted(SRC.rglob("*.py"))}


@cache
def _project_exceptions() -> dict[str, tuple[str, bool]]:
    return _exceptions(_classes(_project_sources()))  # parsed once for the tests below


def _offences(exceptions: dict[str, tuple[str, bool]]) -> list[str]:
    return [f"{where}: {name}" for name, (where, domain) in exceptions.items() if not domain and name not in NOT_DOMAIN]


def test_every_exception_the_project_defines_is_a_domain_error_or_listed() -> None:
    assert _offences(_project_exceptions()) == []
    assert {"PlanError", "PenaltyRefused", "CheckpointError", "LookupRefused"} <= set(_project_exceptions())


def test_the_listed_exceptions_still_exist_and_are_not_domain_errors() -> None:
    # A stale entry would let a new class of the same name through unnoticed.
    exceptions = _project_exceptions()
    assert {name: exceptions[name][1] for name in NOT_DOMAIN} == dict.fromkeys(NOT_DOMAIN, False)


@pytest.mark.parametrize(
    ("source", "offending"),
    [
        ("class Refused(ValueError):\n    pass\n", ["Refused"]),
        ("class A(Exception): ...\nclass B(A): ...\n", ["A", "B"]),
        ("from django.core import exceptions\nclass Bad(exceptions.ValidationError): ...\n", ["Bad"]),
        ("from leadledger.engine.errors import DomainError\nclass Good(DomainError): ...\n", []),
        ("class Plain:\n    pass\nclass Mixed(Plain, KeyError): ...\n", ["Mixed"]),
    ],
)
def test_the_check_finds_an_exception_that_is_not_a_domain_error(source: str, offending: list[str]) -> None:
    sources = {"engine/errors.py": Path(SRC / "engine" / "errors.py").read_text(encoding="utf-8"), "new.py": source}
    assert [line.split(": ")[1] for line in _offences(_exceptions(_classes(sources)))] == offending


def test_the_money_and_checkpoint_errors_are_domain_errors_in_both_languages() -> None:
    from leadledger.engine import DomainError
    from leadledger.engine import money as rules
    from leadledger.ledger.checkpoints import CheckpointError, parse_printed
    from leadledger.money.services import PenaltyRefused

    with pytest.raises(DomainError) as plan:
        rules.plan_from({"bands": [{"up_to": None, "rate": "0.2"}]})
    assert (plan.value.field, plan.value.message("zh"), plan.value.message("en")) == (
        "bands[0]",
        "第1档：费率最高为房价的10%（100‰）",
        "band 1: a rate is at most 10% of the price (100 per mille)",
    )
    with pytest.raises(CheckpointError) as checkpoint:
        parse_printed("LL2.nonsense")
    assert isinstance(checkpoint.value, DomainError) and "检查点" in checkpoint.value.message("zh")
    refused = PenaltyRefused([("fine", "fine"), ("evidence", "evidence"), ("fine", "fen")])
    assert isinstance(refused, DomainError) and refused.field == "fine"
    assert refused.said("zh") == {"fine": "罚款金额为50至300元。", "evidence": "请写明事实证据。"}
    assert refused.said("en")["evidence"] == "Say what happened: the evidence."
    moved = refused.on("rule")  # a subclass keeps what it carries when moved to another field
    assert (type(moved), moved.field, moved.problems, moved.message("en")) == (
        PenaltyRefused,
        "rule",
        refused.problems,
        "A fine is 50 to 300 yuan.",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "said"), [("zh", "无法识别的检查点"), ("en", "not a checkpoint")])
def test_the_cli_says_a_checkpoint_error_in_the_users_language(
    lang: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from leadledger.cli import main

    assert main(["verify", "--lang", lang, "--checkpoint", "LL2.nonsense"]) == 2
    assert capsys.readouterr().err.startswith(said)

"""The README's examples run as written: the Python example prints what the README says it prints,
every `leadledger …` command it shows is one the CLI accepts, and CI runs its test commands verbatim."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from datetime import datetime
from pathlib import Path

import pytest

from leadledger import cli

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str, text: str = README) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_python_example_runs_and_prints_what_the_readme_shows() -> None:
    (example,) = _blocks("python", _section("Using the engine from Python"))
    (shown,) = _blocks("text", _section("Using the engine from Python"))
    printed = io.StringIO()
    names: dict[str, object] = {"__name__": "readme"}
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), names)
    assert printed.getvalue() == shown
    verdict = names["verdict"]
    assert verdict.consultant == "s1" and verdict.status == "active"  # type: ignore[attr-defined]
    until = verdict.until  # type: ignore[attr-defined]
    assert isinstance(until, datetime) and until.tzinfo is not None


def _readme_commands() -> list[list[str]]:
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                if words and Path(words[0]).name == "leadledger":
                    commands.append(words[1:])
    return commands


def test_the_readme_shows_leadledger_commands() -> None:
    shown = {words[0] for words in _readme_commands() if words and not words[0].startswith("-")}
    assert {"replay", "migrate", "demo", "serve", "import", "verify"} <= shown


@pytest.mark.parametrize("words", _readme_commands(), ids=" ".join)
def test_every_leadledger_command_in_the_readme_is_one_the_cli_accepts(words: list[str]) -> None:
    try:
        cli._parser().parse_args(words)
    except SystemExit as error:  # argparse's way of refusing a command line
        pytest.fail(f"leadledger {shlex.join(words)}: refused by the CLI's parser (exit {error.code})")


def test_a_command_the_cli_does_not_know_is_refused_by_that_check() -> None:
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["replay", "--no-such-option"])


def test_ci_runs_the_readmes_test_commands_verbatim_the_first_one_first() -> None:
    commands = [block.strip() for block in _blocks("sh", _section("Test it"))]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert commands and commands[0].startswith("python3 -m venv .venv && ")
    # Each in a subshell, so that `set -e` stops the run when any command of its `&&` list fails (a
    # bare list stops only for its last command: a lint failure once let CI go on to the next run).
    positions = [ci.index(f"( {command} )") for command in commands]  # ValueError if one is not run verbatim
    assert positions == sorted(positions)

"""The `leadledger` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__


def user_language() -> str:
    """zh unless the environment asks for another language: our users are Chinese sales offices first."""
    for variable in ("LEADLEDGER_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(variable, "")
        if not value or value in ("C", "POSIX") or value.startswith(("C.", "POSIX.")):
            continue
        return "zh" if value.lower().startswith("zh") else "en"
    return "zh"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadledger",
        description="LeadLedger: decide and record who a customer belongs to (客户归属界定).",
    )
    parser.add_argument("--version", action="version", version=f"leadledger {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    replay = commands.add_parser(
        "replay",
        help="replay scenario files through the engine and print the answers as JSON",
        description=(
            "Replay scenario files (see docs/scenarios.md) through the attribution engine and the rotation. "
            'Prints {"results": [...]} on standard output. Exit 0: every answer agrees with the file; '
            "1: one does not (said on standard error); 2: a file cannot be read."
        ),
    )
    replay.add_argument("files", nargs="*", metavar="FILE.json", help="scenario files")
    replay.add_argument("--examples", action="store_true", help="replay the example scenarios shipped with LeadLedger")
    replay.add_argument(
        "--policy", metavar="JSON|FILE", help="override the scenario's policy, e.g. '{\"valid_days\": 15}'"
    )
    replay.add_argument(
        "--what-if",
        dest="what_if",
        metavar="JSON|FILE",
        help="replay under the current and this proposed policy and list every verdict that changes",
    )
    replay.add_argument(
        "--lang",
        choices=("zh", "en"),
        help="language of explanations and messages (default: from LANG, else zh)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "replay":
        from .replay import example_files, run

        files = list(args.files)
        if args.examples:
            files.extend(str(path) for path in example_files())
        if not files:
            parser.parse_args(["replay", "--help"])
        return run(files, policy=args.policy, proposed=args.what_if, lang=args.lang or user_language())
    parser.print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

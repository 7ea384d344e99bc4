"""A rule's numbers live in the engine: no module outside it reads a period of the policy to work out a date.

Validity, follow-up windows, grace, lookback, protection and warning periods are the engine's to apply
(IH-4..IH-7, D-1..D-3, D-11): a page or a service that added `valid_days` to a moment itself would
be a second, silently different reading of the rule. Outside the engine a policy's periods may be
shown (a label, a hint) but never computed with. The demo's and a suspension's own spans of days
are facts, not rules, and name no policy parameter.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "leadledger"
PERIODS = (
    "follow_up_days",
    "valid_days",
    "grace_days",
    "lookback_days",
    "distributor_valid_days",
    "renew_window_days",
    "report_visit_days",
    "report_lead_minutes",
    "appeal_days",
    "risk_window_hours",
)
# A period read from a policy object or mapping, then used in arithmetic or a timedelta.
COMPUTED = re.compile(r"timedelta\([^)]*(?:" + "|".join(PERIODS) + r")|(?:" + "|".join(PERIODS) + r")\s*[*+-]")


def _outside_the_engine() -> list[Path]:
    return [
        path
        for path in SRC.rglob("*.py")
        if "engine" not in path.relative_to(SRC).parts[:1] and "migrations" not in path.parts
    ]


def test_no_module_outside_the_engine_computes_a_date_from_a_policy_period() -> None:
    offences = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in _outside_the_engine()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if COMPUTED.search(line)
    ]
    assert offences == []


def test_the_scan_would_see_such_a_computation() -> None:
    assert COMPUTED.search("until = at + timedelta(days=policy.valid_days)")
    assert COMPUTED.search("deadline = policy.follow_up_days * DAY")
    assert not COMPUTED.search('help="e.g. {\\"valid_days\\": 15}"')

"""What the desk records about a visit beyond who received whom: party size, source, intent grade.

These are facts of the visit, kept in the visit event's body (so the hash chain covers them), and
they decide no ownership: the register's evidence is who was received by whom and when (IH-1), and a
channel's claim rests on its escorted visit (D-1), never on the desk's "渠道带看". Checked here once,
so that the desk, an import and a scenario file accept the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import EngineError

# Where the visitor came from, as a sales office's register asks it.
SOURCES: dict[str, tuple[str, str]] = {
    "walk_in": ("自然到访", "walk-in"),
    "channel": ("渠道带看", "brought by an agent"),
    "referral": ("老带新", "referred by a customer"),
}
INTENTS = ("A", "B", "C", "D")  # the office's intent grade: A ready to buy … D just looking
PARTY_MAX = 50  # a coach party is registered person by person, not as one visit of 200


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitDetails:
    party: int | None = None
    source: str | None = None
    intent: str | None = None

    def body(self) -> dict[str, object]:
        """The fields as a visit body carries them (left out when not given)."""
        values = {"party": self.party, "source": self.source, "intent": self.intent}
        return {key: value for key, value in values.items() if value is not None}


def visit_details(*, party: object = None, source: object = None, intent: object = None) -> VisitDetails:
    """The details as typed into a form (strings, blanks for "not asked"), checked; EngineError otherwise."""
    size: int | None = None
    if party not in (None, ""):
        text = str(party).strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= PARTY_MAX:
            raise EngineError(
                f"来访人数应为 1 至 {PARTY_MAX} 人", f"the party is 1 to {PARTY_MAX} people", field="party"
            )
        size = int(text)
    where = str(source).strip() if source not in (None, "") else None
    if where is not None and where not in SOURCES:
        raise EngineError("请选择来访渠道", "choose where the visitor came from", field="source")
    grade = str(intent).strip().upper() if intent not in (None, "") else None
    if grade is not None and grade not in INTENTS:
        raise EngineError("意向等级应为 A、B、C 或 D", "the intent grade is A, B, C or D", field="intent")
    return VisitDetails(party=size, source=where, intent=grade)


def noted(stored: Mapping[str, Any]) -> VisitDetails:
    """The desk's notes as a stored visit body carries them (absent in visits recorded before them)."""
    return VisitDetails(party=stored.get("party"), source=stored.get("source"), intent=stored.get("intent"))

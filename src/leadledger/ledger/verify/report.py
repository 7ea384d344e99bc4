"""What verify finds and how it is told: a Problem, its place in the ordered report, broken links.

Every problem carries a sort key `(0, seq, n)` for the chain and `(1, customer, n)` for verdicts, so
that the workers' findings merge into one report in the order of the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..chain import GENESIS

EDITED_ZH = "内容与哈希不符：事件被篡改"

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Edges = tuple[int, str, int, str]  # a range's first event and previous hash, its last event and hash


@dataclass(frozen=True, slots=True)
class Problem:
    where: str  # "event 17", "customer 42"
    en: str
    zh: str


# Problems carry a sort key so that the workers' reports merge into one ordered report.
Found = tuple[tuple[int, int, int], Problem]


def links_broken(seq: int, expected: int, stored_prev: str, prev_hash: str) -> list[Found]:
    where = f"event {seq}"
    found: list[Found] = []
    if seq != expected:
        found.append(
            (
                (0, seq, 0),
                Problem(
                    where,
                    f"expected event {expected} here: events deleted or inserted",
                    f"此处应为第 {expected} 条事件：有事件被删除或插入",
                ),
            )
        )
    if stored_prev != prev_hash:
        found.append(
            (
                (0, seq, 1),
                Problem(
                    where,
                    "does not follow the previous event's hash: deleted, inserted or reordered",
                    "与前一条事件的哈希不衔接：有事件被删除、插入或调换顺序",
                ),
            )
        )
    return found


def stitch(edges: list[Edges | None]) -> list[Found]:
    """The links between the workers' ranges, and the first event's to the start of the chain."""
    found: list[Found] = []
    expected, prev_hash = 1, GENESIS
    for edge in edges:
        if edge is None:  # a range with no events at all: the next one must follow the last seen
            continue
        first_seq, first_prev, last_seq, last_hash = edge
        if first_seq != expected or first_prev != prev_hash:
            found.extend(links_broken(first_seq, expected, first_prev, prev_hash))
        expected, prev_hash = last_seq + 1, last_hash
    return found

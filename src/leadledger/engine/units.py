"""A unit's (房号) status and the moves between them: sales control (销控), first deposit wins.

S3 界定5 接待 11: 以先落定者为准，任何销售人员无权为客户保留任何单位 — a unit is the first depositor's;
there is no "held" status, so nobody can keep a unit for a customer. The database applies these moves
with one conditional update (the unit is moved only if it is still in a status the move starts from),
so of two deposits at the same moment exactly one succeeds.
"""

from __future__ import annotations

from typing import Final

AVAILABLE: Final = "available"  # 可售
DEPOSIT: Final = "deposit"  # 已认购
SIGNED: Final = "signed"  # 已签约
RETURNED: Final = "returned"  # 已退房
STATUSES: Final = (AVAILABLE, DEPOSIT, SIGNED, RETURNED)

TAKE_DEPOSIT: Final = "deposit"
SIGN: Final = "signing"
RETURN: Final = "return"

# Each move: the statuses it may start from, and where it leaves the unit.
MOVES: Final[dict[str, tuple[frozenset[str], str]]] = {
    # S3 界定5 接待 11: only a unit nobody has put a deposit on; a returned unit is for sale again.
    TAKE_DEPOSIT: (frozenset({AVAILABLE, RETURNED}), DEPOSIT),
    SIGN: (frozenset({DEPOSIT}), SIGNED),  # the contract follows the subscription (认购 → 签约)
    RETURN: (frozenset({DEPOSIT, SIGNED}), RETURNED),  # 退房: a subscription or a contract undone
}


def move_from(move: str) -> frozenset[str]:
    """The statuses a unit may be in for this move (S3 界定5 接待 11 for a deposit)."""
    return MOVES[move][0]


def move_to(move: str) -> str:
    """The status a unit is left in by this move."""
    return MOVES[move][1]


def may_move(status: str, move: str) -> bool:
    """Whether a unit in `status` may take this move: a second deposit on a taken unit may not (S3 界定5 接待 11)."""
    return status in move_from(move)

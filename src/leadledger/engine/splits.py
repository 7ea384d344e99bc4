"""Performance and commission for a deal (C-1..C-7), and the ledger lines that must balance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from .inhouse import ONE, DealSnapshot, Shares, one_or_many
from .model import Cast, StaffLeft
from .policy import Policy
from .reasons import Reason, reason

HALF = Fraction(1, 2)
HELPER_SHARE = Fraction(3, 10)  # C-4: 0.7 owner / 0.3 helper
POACHING_POINTS = -20  # C-5
COMMENDATION_POINTS = 5  # C-4


@dataclass(frozen=True, slots=True, kw_only=True)
class InhouseSplit:
    performance: Shares
    commission: Shares  # consultants' shares; with `pool` they add up to 1
    pool: Fraction
    fines: dict[str, Decimal]
    points: dict[str, int]
    suspensions: dict[str, int]  # staff -> days suspended from reception
    reasons: tuple[Reason, ...]


def _add(into: Shares, shares: Shares, weight: Fraction) -> None:
    for person, share in shares.items():
        into[person] = into.get(person, Fraction(0)) + share * weight


def split_inhouse(
    snapshot: DealSnapshot,
    cast: Cast,
    policy: Policy,
    departures: dict[str, StaffLeft],
) -> InhouseSplit:
    """Divide a deal between consultants from the owner at signing and the deal's flags."""
    deal = snapshot.deal
    closer = deal.staff
    owners = snapshot.owners
    reasons: list[Reason] = list(snapshot.reasons)
    fines: dict[str, Decimal] = {}
    points: dict[str, int] = {}
    suspensions: dict[str, int] = {}
    pool = Fraction(0)
    buyer = cast.customers.get(deal.buyer)
    if buyer is not None and buyer.employee:  # IH-14: a staff purchase's commission goes to the pool
        reasons.append(reason("c_staff_purchase", deal.id, closer=closer))
        return InhouseSplit(
            performance={closer: ONE},
            commission={},
            pool=ONE,
            fines={},
            points={},
            suspensions={},
            reasons=tuple(reasons),
        )
    base: Shares = owners if owners else {closer: ONE}
    performance: Shares
    commission: Shares = {}
    transfer = deal.complaint_transfer or deal.special_approval
    if transfer or deal.unknowing:
        original = owners
        if transfer and owners is not None and closer in owners:
            original = snapshot.previous  # the manager already moved the customer by a ruling
        performance = {closer: ONE}
        if original and closer not in original:
            _add(commission, original, HALF)  # C-1 / C-2 / C-3: commission halved
            _add(commission, {closer: ONE}, HALF)
            code = "c_complaint" if deal.complaint_transfer else "c_special" if deal.special_approval else "c_unknowing"
            reasons.append(reason(code, deal.id, closer=closer, original=one_or_many(original)))
        else:
            commission = {closer: ONE}
    else:
        performance = dict(base)
        commission = dict(base)
        if owners is None:
            reasons.append(reason("c_free", deal.id, closer=closer))
        elif closer not in owners and deal.poacher != closer:
            reasons.append(reason("c_assist", deal.id, closer=closer, owners=one_or_many(owners)))
        else:
            reasons.append(reason("c_owner", deal.id, owners=one_or_many(owners)))
    if deal.poacher:  # C-5: knowing poaching gives the poacher nothing, and a fine
        performance = dict(base)
        commission = dict(base)
        fines[deal.poacher] = policy.poaching_fine
        points[deal.poacher] = POACHING_POINTS
        reasons.append(
            reason(
                "c_poaching", deal.id, poacher=deal.poacher, owners=one_or_many(base), fine=str(policy.poaching_fine)
            )
        )
        if policy.poaching_suspension_days:
            suspensions[deal.poacher] = policy.poaching_suspension_days
            reasons.append(reason("c_poaching_suspended", deal.id, days=policy.poaching_suspension_days))
    if deal.helper and deal.help == "decisive":  # C-4
        scaled: Shares = {}
        _add(scaled, commission, ONE - HELPER_SHARE)
        _add(scaled, {deal.helper: ONE}, HELPER_SHARE)
        commission = scaled
        reasons.append(reason("c_decisive", deal.id, helper=deal.helper, owners=one_or_many(performance)))
    elif deal.helper and deal.help == "signing_only":
        points[deal.helper] = points.get(deal.helper, 0) + COMMENDATION_POINTS
        reasons.append(reason("c_signing_only", deal.id, helper=deal.helper))
    for person in list(commission):
        left = departures.get(person)
        if left is None:
            continue
        if left.reason == "dismissed":  # IH-13: forfeited when dismissed for violations
            pool += commission.pop(person)
            reasons.append(reason("c_forfeit", left.id, staff=person))
        else:
            reasons.append(reason("c_paid_after_leaving", left.id, staff=person, reason=left.reason))
    commission = {person: share for person, share in commission.items() if share}
    assert sum(commission.values(), Fraction(0)) + pool == ONE, "C-7: shares must add up to 1"
    if len(commission) + (1 if pool else 0) > 1 or fines:
        parts = dict(commission) | ({"pool": pool} if pool else {})
        reasons.append(reason("c_balanced", deal.id, parts=parts))
    return InhouseSplit(
        performance=performance,
        commission=commission,
        pool=pool,
        fines=fines,
        points=points,
        suspensions=suspensions,
        reasons=tuple(reasons),
    )


# -- C-7: the ledger ----------------------------------------------------------------------------

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerLine:
    account: str  # a staff id, "pool", or "company"
    kind: str  # allocation, fine, reward, penalty, remainder
    amount: Decimal  # positive: paid out of the deal's pot; negative: paid into it
    note: str = ""


def allocate(amount: Decimal, shares: dict[str, Fraction]) -> dict[str, Decimal]:
    """Split `amount` by exact shares into cents that add up to it (largest remainder first)."""
    if not shares:
        return {}
    total = sum(shares.values(), Fraction(0))
    cents = int((amount / CENT).to_integral_value())
    exact = {key: Fraction(cents) * share / total for key, share in shares.items()}
    floors = {key: int(value) for key, value in exact.items()}
    left = cents - sum(floors.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - floors[k]), k))[:left]:
        floors[key] += 1
    return {key: (Decimal(value) * CENT).quantize(CENT) for key, value in floors.items()}


def commission_lines(split: InhouseSplit, amount: Decimal) -> list[LedgerLine]:
    """The ledger lines of a deal's commission: allocations and the pool; they add up to `amount`."""
    shares = dict(split.commission)
    if split.pool:
        shares["pool"] = split.pool
    lines = [
        LedgerLine(account=account, kind="allocation", amount=value)
        for account, value in allocate(amount, shares).items()
    ]
    for person, fine in split.fines.items():  # C-5: a fine is paid into the department pool
        lines.append(LedgerLine(account=person, kind="fine", amount=-fine))
        lines.append(LedgerLine(account="pool", kind="fine", amount=fine))
    return lines


@dataclass(frozen=True, slots=True, kw_only=True)
class Arbitration:
    lines: tuple[LedgerLine, ...]

    @property
    def balanced(self) -> bool:
        return sum((line.amount for line in self.lines), Decimal(0)) == 0


def arbitrate(commission: Decimal, entries: list[tuple[str, str, Decimal]], remainder_to: str = "pool") -> Arbitration:
    """A manager's arbitration (C-7): the pot starts at the commission; fines and penalties go in,
    allocations and rewards come out, and what is left goes to `remainder_to`. The lines balance.

    `entries` are (account, kind, amount) with kind one of allocation, reward, fine, penalty.
    """
    lines = [LedgerLine(account="deal", kind="commission", amount=-commission)]
    pot = commission
    for account, kind, amount in entries:
        amount = Decimal(amount).quantize(CENT, rounding=ROUND_DOWN)
        if amount < 0:
            raise ValueError("amounts are positive; the kind says which way they go")
        if kind in ("fine", "penalty"):
            pot += amount
            lines.append(LedgerLine(account=account, kind=kind, amount=-amount))
        elif kind in ("allocation", "reward"):
            pot -= amount
            lines.append(LedgerLine(account=account, kind=kind, amount=amount))
        else:
            raise ValueError(f"unknown ledger entry kind {kind!r}")
    lines.append(LedgerLine(account=remainder_to, kind="remainder", amount=pot))
    return Arbitration(lines=tuple(lines))

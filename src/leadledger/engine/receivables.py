"""Receivables (RULES.md W-6): the monthly reconciliation with finance's figures, ageing and the bad-debt rate.

Pure. Money is Decimal, to the fen. The collection diary's figures and finance's are compared per
customer and per figure (billed, collected, written off); every difference is listed, none netted
against another, so a customer whose billing is 100 too high and collection 100 too high shows twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .errors import DomainError

BILLED, COLLECTED, WRITTEN_OFF = "billed", "collected", "written_off"
FIGURES = (BILLED, COLLECTED, WRITTEN_OFF)
BAD_DEBT_TARGET = Decimal("0.02")  # W-6: bad_debt_target=2%
# W-6: ageing buckets, by whole days past due: 0-30, 31-60, 61-90, over 90.
BUCKETS = ("0-30", "31-60", "61-90", "90+")
FEN = Decimal("0.01")
ONLY_OURS, ONLY_FINANCE, AMOUNT = "only_ours", "only_finance", "amount"


@dataclass(frozen=True, slots=True)
class Entry:
    """One figure for one customer in the month: billed, collected or written off."""

    customer: str
    figure: str
    amount: Decimal

    def __post_init__(self) -> None:
        if self.figure not in FIGURES:
            raise DomainError(f"未知的款项：{self.figure}", f"unknown figure: {self.figure}")


@dataclass(frozen=True, slots=True)
class Difference:
    """A customer's figure that differs (W-6): present on one side only, or with different amounts."""

    customer: str
    figure: str
    ours: Decimal | None
    finance: Decimal | None

    @property
    def kind(self) -> str:
        if self.finance is None:
            return ONLY_OURS
        if self.ours is None:
            return ONLY_FINANCE
        return AMOUNT

    @property
    def gap(self) -> Decimal:
        """Ours less finance's (a side without the figure counts as zero)."""
        return (self.ours or Decimal(0)) - (self.finance or Decimal(0))


def _totals(entries: Iterable[Entry]) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        totals[(entry.customer, entry.figure)] += entry.amount.quantize(FEN, ROUND_HALF_UP)
    return totals


def reconcile(ours: Iterable[Entry], finance: Iterable[Entry]) -> list[Difference]:
    """W-6: every (customer, figure) whose month's total differs between the diary and finance, sorted."""
    mine, theirs = _totals(ours), _totals(finance)
    found = []
    for key in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(key), theirs.get(key)
        if a != b:
            found.append(Difference(customer=key[0], figure=key[1], ours=a, finance=b))
    return found


def bucket(due: date, on: date) -> str | None:
    """W-6: the ageing bucket of an amount due on `due`, seen on `on`; None before it falls due."""
    days = (on - due).days
    if days < 0:
        return None
    if days <= 30:
        return BUCKETS[0]
    if days <= 60:
        return BUCKETS[1]
    if days <= 90:
        return BUCKETS[2]
    return BUCKETS[3]


def ageing(outstanding: Iterable[tuple[date, Decimal]], on: date) -> dict[str, Decimal]:
    """W-6: what is still owed and past due, by bucket (amounts not yet due are left out)."""
    totals = {name: Decimal(0) for name in BUCKETS}
    for due, amount in outstanding:
        name = bucket(due, on)
        if name is not None and amount > 0:
            totals[name] += amount
    return totals


@dataclass(frozen=True, slots=True)
class BadDebt:
    written_off: Decimal
    billed: Decimal
    target: Decimal

    @property
    def rate(self) -> Decimal | None:
        """Shown to a hundredth of a percent; None when nothing was billed in the period."""
        if self.billed <= 0:
            return None
        return (self.written_off / self.billed).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def met(self) -> bool:
        """Judged exactly, not on the rounded rate: 2.001% misses a 2% target."""
        return self.written_off <= self.target * self.billed


def bad_debt(written_off: Decimal, billed: Decimal, target: Decimal = BAD_DEBT_TARGET) -> BadDebt:
    """W-6: written off ÷ billed in the period, against the target (2%)."""
    return BadDebt(written_off=written_off, billed=billed, target=target)


def totals_by_figure(entries: Iterable[Entry]) -> Mapping[str, Decimal]:
    found = {name: Decimal(0) for name in FIGURES}
    for entry in entries:
        found[entry.figure] += entry.amount
    return found


def outstanding(billed: Iterable[tuple[date, Decimal]], settled: Decimal) -> list[tuple[date, Decimal]]:
    """W-6: what a customer still owes, bill by bill: what was collected or written off settles the oldest
    bills first, so the ageing of what is left runs from the oldest unpaid bill's due day."""
    left = settled
    owed = []
    for due, amount in sorted(billed):
        paid = min(amount, max(left, Decimal(0)))
        left -= paid
        if amount - paid > 0:
            owed.append((due, amount - paid))
    return owed


@dataclass(frozen=True, slots=True)
class Collection:
    """W-6, decision 492: a period's collection rate (回款率): collected ÷ due, to the fen."""

    due: Decimal
    collected: Decimal

    @property
    def rate(self) -> Decimal | None:
        """To a hundredth of a percent; None when nothing fell due."""
        if self.due <= 0:
            return None
        return (self.collected / self.due).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    def __add__(self, other: Collection) -> Collection:
        return Collection(due=self.due + other.due, collected=self.collected + other.collected)


NOTHING = Collection(due=Decimal(0), collected=Decimal(0))


def collection(lines: Iterable[tuple[str, Decimal, date]], first: date, last: date) -> Collection:
    """W-6, decision 492: one customer's collection of the period `first`..`last` from their diary lines
    (figure, amount, day; a bill's day is its due day).

    Due: what was still owed when the period began (bills before it, less what was collected or written
    off before it) plus the bills falling due in it. Collected: what came in during the period, up to
    what was due, so a payment in advance never makes up for another customer's arrears. A write-off
    is not collected: it stays due and lowers the rate.
    """
    before = within = paid = Decimal(0)
    for figure, amount, day in lines:
        if day > last:
            continue
        if figure == BILLED:
            if day < first:
                before += amount
            else:
                within += amount
        elif figure in (COLLECTED, WRITTEN_OFF) and day < first:
            before -= amount
        elif figure == COLLECTED:
            paid += amount
    due = max(before, Decimal(0)) + within
    return Collection(due=due, collected=min(paid, due))


def collections_of(lines: Iterable[tuple[str, str, Decimal, date]], first: date, last: date) -> dict[str, Collection]:
    """W-6: each customer's collection of the period, from (customer, figure, amount, day) lines."""
    by_customer: dict[str, list[tuple[str, Decimal, date]]] = defaultdict(list)
    for customer, figure, amount, day in lines:
        by_customer[customer].append((figure, amount, day))
    return {customer: collection(rows, first, last) for customer, rows in by_customer.items()}

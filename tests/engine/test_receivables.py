"""Receivables (W-6): the reconciliation finds every planted difference and nothing else; ageing; bad debt."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadledger.engine.errors import DomainError
from leadledger.engine.receivables import (
    AMOUNT,
    BILLED,
    BUCKETS,
    COLLECTED,
    FIGURES,
    ONLY_FINANCE,
    ONLY_OURS,
    WRITTEN_OFF,
    Entry,
    ageing,
    bad_debt,
    bucket,
    outstanding,
    reconcile,
)

customers = st.sampled_from([f"c{i}" for i in range(12)])
figures = st.sampled_from(FIGURES)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500000"), places=2)
entries = st.lists(st.builds(Entry, customers, figures, amounts), max_size=40)


def _key(entry: Entry) -> tuple[str, str]:
    return entry.customer, entry.figure


@given(entries, st.randoms())
def test_the_same_figures_in_any_order_reconcile_with_no_difference(ours: list[Entry], rng: object) -> None:
    theirs = list(ours)
    rng.shuffle(theirs)  # type: ignore[attr-defined]
    assert reconcile(ours, theirs) == []


@given(entries, st.data())
def test_every_planted_difference_is_found_and_nothing_else(ours: list[Entry], data: st.DataObject) -> None:
    theirs = list(ours)
    keys = sorted({_key(e) for e in ours})
    planted: dict[tuple[str, str], str] = {}
    for key in data.draw(st.lists(st.sampled_from(keys), unique=True), label="changed") if keys else []:
        how = data.draw(st.sampled_from([AMOUNT, ONLY_OURS]), label=f"how {key}")
        if how == AMOUNT:  # finance booked one more fen
            theirs.append(Entry(key[0], key[1], Decimal("0.01")))
        else:  # finance never booked it
            theirs = [e for e in theirs if _key(e) != key]
        planted[key] = how
    extra = data.draw(st.lists(st.tuples(customers, figures), unique=True, max_size=4), label="finance only")
    for key in extra:
        if key not in {_key(e) for e in ours}:
            theirs.append(Entry(key[0], key[1], Decimal("100")))
            planted[key] = ONLY_FINANCE
    found = {(d.customer, d.figure): d.kind for d in reconcile(ours, theirs)}
    assert found == planted


def test_differences_are_listed_per_figure_never_netted() -> None:
    ours = [Entry("张伟", BILLED, Decimal("1000")), Entry("张伟", COLLECTED, Decimal("900"))]
    theirs = [Entry("张伟", BILLED, Decimal("1100")), Entry("张伟", COLLECTED, Decimal("1000"))]
    found = reconcile(ours, theirs)
    assert [(d.figure, d.gap) for d in found] == [(BILLED, Decimal("-100")), (COLLECTED, Decimal("-100"))]


def test_amounts_are_compared_to_the_fen() -> None:
    assert reconcile([Entry("c", BILLED, Decimal("10.004"))], [Entry("c", BILLED, Decimal("10.00"))]) == []
    assert reconcile([Entry("c", BILLED, Decimal("10.01"))], [Entry("c", BILLED, Decimal("10.00"))])


def test_an_unknown_figure_is_refused() -> None:
    with pytest.raises(DomainError):
        Entry("c", "refund", Decimal(1))


@pytest.mark.parametrize(
    ("days", "expected"),
    [(-1, None), (0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"), (91, "90+")],
)
def test_ageing_buckets_by_whole_days_past_due(days: int, expected: str | None) -> None:
    on = date(2026, 3, 31)
    assert bucket(on - timedelta(days=days), on) == expected


@given(st.lists(st.tuples(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30)), amounts), max_size=30))
def test_ageing_adds_up_to_everything_past_due(rows: list[tuple[date, Decimal]]) -> None:
    on = date(2026, 3, 31)
    totals = ageing(rows, on)
    assert list(totals) == list(BUCKETS)
    assert sum(totals.values()) == sum((amount for due, amount in rows if due <= on), Decimal(0))


def test_the_bad_debt_rate_against_two_percent() -> None:
    assert bad_debt(Decimal("2000"), Decimal("100000")).rate == Decimal("0.0200")
    assert bad_debt(Decimal("2000"), Decimal("100000")).met
    assert not bad_debt(Decimal("2001"), Decimal("100000")).met
    assert bad_debt(Decimal("0"), Decimal("0")).rate is None
    assert WRITTEN_OFF in FIGURES


def test_payments_settle_the_oldest_bills_first() -> None:
    bills = [(date(2026, 3, 1), Decimal("100")), (date(2026, 1, 1), Decimal("100")), (date(2026, 2, 1), Decimal("100"))]
    assert outstanding(bills, Decimal("150")) == [(date(2026, 2, 1), Decimal("50")), (date(2026, 3, 1), Decimal("100"))]
    assert outstanding(bills, Decimal("400")) == []
    totals = ageing(outstanding(bills, Decimal("150")), date(2026, 3, 31))
    assert totals == {"0-30": Decimal("100"), "31-60": Decimal("50"), "61-90": Decimal(0), "90+": Decimal(0)}


@given(
    st.lists(st.tuples(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 6, 30)), amounts), max_size=10),
    amounts,
)
def test_what_is_outstanding_is_billed_less_settled_never_below_zero(
    rows: list[tuple[date, Decimal]], paid: Decimal
) -> None:
    assert sum((a for _, a in outstanding(rows, paid)), Decimal(0)) == max(
        sum((a for _, a in rows), Decimal(0)) - paid, Decimal(0)
    )

"""W-6, decision 492: the collection rate (回款率) of a period, collected ÷ due, per customer and summed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import receivables as r

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_arrears_carried_in_and_bills_of_the_month_are_due_and_a_write_off_is_not_collected() -> None:
    lines = [
        (r.BILLED, Decimal("100000"), date(2026, 2, 5)),
        (r.COLLECTED, Decimal("60000"), date(2026, 2, 20)),  # 40,000 still owed on March 1
        (r.BILLED, Decimal("60000"), date(2026, 3, 10)),
        (r.COLLECTED, Decimal("50000"), date(2026, 3, 25)),
        (r.WRITTEN_OFF, Decimal("1000"), date(2026, 3, 28)),
        (r.BILLED, Decimal("999999"), date(2026, 4, 1)),  # April's
    ]
    march = r.collection(lines, *MARCH)
    assert (march.due, march.collected, march.rate) == (Decimal("100000"), Decimal("50000"), Decimal("0.5000"))


def test_nothing_due_has_no_rate_and_an_advance_never_covers_another_customers_arrears() -> None:
    assert r.collection([], *MARCH).rate is None
    both = r.collections_of(
        [
            ("HT-1", r.BILLED, Decimal("100"), date(2026, 3, 1)),
            ("HT-1", r.COLLECTED, Decimal("300"), date(2026, 3, 2)),  # 200 in advance
            ("HT-2", r.BILLED, Decimal("100"), date(2026, 3, 1)),
        ],
        *MARCH,
    )
    total = sum(both.values(), r.NOTHING)
    assert (total.due, total.collected, total.rate) == (Decimal("200"), Decimal("100"), Decimal("0.5000"))


amounts = st.integers(min_value=1, max_value=10**6).map(Decimal)
lines = st.lists(
    st.tuples(
        st.sampled_from(["HT-1", "HT-2", "HT-3"]),
        st.sampled_from(r.FIGURES),
        amounts,
        st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 5, 31)),
    ),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(lines)
def test_the_rate_is_between_nought_and_one_and_the_sum_of_customers_is_the_whole(
    diary: list[tuple[str, str, Decimal, date]],
) -> None:
    each = r.collections_of(diary, *MARCH)
    total = sum(each.values(), r.NOTHING)
    for found in each.values():
        assert Decimal(0) <= found.collected <= found.due
        assert found.rate is None or Decimal(0) <= found.rate <= 1
    assert total.due == sum((c.due for c in each.values()), Decimal(0))
    assert total.rate is None or Decimal(0) <= total.rate <= 1


@settings(max_examples=60, deadline=None)
@given(lines, amounts, st.integers(min_value=1, max_value=31))
def test_a_payment_in_the_month_never_lowers_the_rate(
    diary: list[tuple[str, str, Decimal, date]], paid: Decimal, day: int
) -> None:
    before = sum(r.collections_of(diary, *MARCH).values(), r.NOTHING)
    after = sum(r.collections_of([*diary, ("HT-1", r.COLLECTED, paid, date(2026, 3, day))], *MARCH).values(), r.NOTHING)
    assert after.due == before.due and after.collected >= before.collected

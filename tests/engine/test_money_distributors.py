"""The distributors' commission of a deal (C-6, C-7, decision 470): priced by each company's contract,
split as the deal's channel says, balanced, falling due with the consultants' trigger, reversed on a return."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import money

PLAN = money.plan_from(
    {
        "bands": [{"up_to": None, "rate": "0.003"}],
        "schedule": [{"stage": "signing", "share": "0.5"}, {"stage": "collection", "share": "0.5"}],
        "distributors": {
            "安居分销": [{"up_to": "1000000", "rate": "0.01"}, {"up_to": None, "fixed": "12000"}],
            "好房分销": [{"up_to": None, "fixed": "8000"}],
        },
    }
)


def test_agents_of_one_company_add_up_and_an_agent_of_no_company_counts_for_nothing() -> None:
    channel = {"7": Fraction(1, 2), "8": Fraction(1, 2), "9": Fraction(0)}
    assert money.firm_shares(channel, {"7": "1", "8": "1", "9": "2"}) == {"1": Fraction(1)}
    assert money.firm_shares({"7": Fraction(1)}, {}) == {}


def test_two_companies_share_by_their_own_contracts() -> None:
    """Decision 470: 0.5 each (D-9, C-6) of what each one's contract gives for the unit."""
    shares = {"安居分销": Fraction(1, 2), "好房分销": Fraction(1, 2)}
    assert money.channel_commissions(PLAN, shares, Decimal("800000")) == {
        "安居分销": Decimal("4000.00"),
        "好房分销": Decimal("4000.00"),
    }
    assert money.channel_commissions(PLAN, {"安居分销": Fraction(1)}, Decimal("1500000")) == {
        "安居分销": Decimal("12000.00")
    }
    assert money.channel_commissions(PLAN, {"无合同分销": Fraction(1)}, Decimal("800000")) == {}  # no contract


def test_the_channels_posting_gives_from_the_deal_to_each_distributor() -> None:
    lines = money.channel_accrual({"dist:1": Decimal("4000.00"), "dist:2": Decimal("4000.00")})
    assert [(line.account, line.kind, line.amount) for line in lines] == [
        ("deal", "channel", Decimal("-8000.00")),
        ("dist:1", "allocation", Decimal("4000.00")),
        ("dist:2", "allocation", Decimal("4000.00")),
    ]
    assert money.channel_accrual({}) == [] and money.is_distributor(money.distributor_account(3))
    assert not money.is_distributor("3") and not money.is_distributor(money.POOL)


prices = st.decimals(min_value=Decimal("1"), max_value=Decimal("30000000"), places=2)
firms = st.dictionaries(st.sampled_from(["安居分销", "好房分销", "无合同分销"]), st.integers(1, 5), min_size=1)


@settings(max_examples=60, deadline=None)
@given(prices, firms, st.decimals(min_value=Decimal("0"), max_value=Decimal("30000000"), places=2))
def test_distributor_lines_balance_fall_due_exactly_and_a_return_leaves_nothing(
    price: Decimal, weights: dict[str, int], collected: Decimal
) -> None:
    """C-7 for the channel: the posting balances, what falls due never passes the commission and is all of it
    once collected, and the return's reversal leaves every account at zero."""
    whole = sum(weights.values())
    shares = {name: Fraction(weight, whole) for name, weight in weights.items()}
    amounts = {
        money.distributor_account(i): amount
        for i, amount in enumerate(money.channel_commissions(PLAN, shares, price).values())
    }
    posting = money.channel_accrual(amounts)
    assert money.balance(posting) == 0
    total = sum(amounts.values(), Decimal(0))
    due_shares = money.channel_shares(amounts)
    assert sum(due_shares.values(), Fraction(0)) == (1 if total else 0)
    part = money.earned(PLAN, total, price, {"signing"}, collected)
    lines = [*posting, *money.falling_due(due_shares, Decimal(0), part)]
    rest = money.earned(PLAN, total, price, {"signing"}, price)
    lines += money.falling_due(due_shares, part, rest)
    assert money.balance(lines) == 0 and part <= rest == total
    assert {k: v for k, v in money.by_account(lines, ["due"]).items() if v} == {k: v for k, v in amounts.items() if v}
    undone = [*lines, *money.reversal(lines)]
    assert not any(money.by_account(undone).values())

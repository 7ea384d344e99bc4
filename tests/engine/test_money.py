"""The money of a deal (C-7, IH-13, IH-14): plans, instalments, payments, returns, penalties."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import money
from leadledger.engine.inhouse import ONE
from leadledger.engine.splits import InhouseSplit

INSTALMENTS = {
    "bands": [{"up_to": "1000000", "rate": "0.003"}, {"up_to": None, "fixed": "5000"}],
    "schedule": [
        {"stage": "collection", "share": "0.7"},
        {"stage": "loan", "share": "0.2"},
        {"stage": "handover", "share": "0.1"},
    ],
    "distributors": {"安居分销": [{"up_to": None, "rate": "0.01"}]},
}


def _split(
    commission: dict[str, Fraction], pool: Fraction = Fraction(0), fines: dict[str, Decimal] | None = None
) -> InhouseSplit:
    return InhouseSplit(
        performance={next(iter(commission), "s1"): ONE},
        commission=commission,
        pool=pool,
        fines=fines or {},
        points={},
        suspensions={},
        reasons=(),
    )


def test_a_plan_reads_back_as_it_was_written() -> None:
    plan = money.plan_from(INSTALMENTS)
    assert money.plan_from(money.plan_data(plan)) == plan


def test_bands_price_a_unit_by_rate_or_fixed_amount() -> None:
    plan = money.plan_from(INSTALMENTS)
    assert money.consultant_commission(plan, Decimal("800000")) == Decimal("2400.00")
    assert money.consultant_commission(plan, Decimal("1000000.01")) == Decimal("5000.00")
    assert money.distributor_commission(plan, "安居分销", Decimal("800000")) == Decimal("8000.00")
    assert money.distributor_commission(plan, "好房分销", Decimal("800000")) == Decimal("0.00")


@pytest.mark.parametrize(
    ("plan", "field"),
    [
        ({"bands": []}, "bands"),
        ({"bands": [{"up_to": None, "rate": "0.003", "fixed": "10"}]}, "bands[0]"),
        ({"bands": [{"up_to": None, "rate": "3"}]}, "bands[0]"),
        ({"bands": [{"up_to": "200", "fixed": "1"}, {"up_to": "100", "fixed": "2"}]}, "bands[1]"),
        ({"bands": [{"up_to": None, "fixed": "1"}], "schedule": [{"stage": "signing", "share": "0.5"}]}, "schedule"),
        ({"bands": [{"up_to": None, "fixed": "1"}], "schedule": [{"stage": "lunch", "share": "1"}]}, "schedule[0]"),
    ],
)
def test_a_plan_that_cannot_be_used_is_refused_naming_its_part(plan: dict, field: str) -> None:
    with pytest.raises(money.PlanError) as refused:
        money.plan_from(plan)
    assert refused.value.field == field


def test_seventy_on_collection_twenty_after_the_loan_ten_at_handover() -> None:
    plan = money.plan_from(INSTALMENTS)
    price, commission = Decimal("800000"), Decimal("2400.00")
    assert money.earned(plan, commission, price, set(), Decimal("240000")) == Decimal("504.00")  # 70% of 30%
    assert money.earned(plan, commission, price, set(), price) == Decimal("1680.00")
    assert money.earned(plan, commission, price, {"loan"}, price) == Decimal("2160.00")
    assert money.earned(plan, commission, price, {"loan", "handover"}, price) == commission


def test_a_dismissed_consultant_forfeits_what_is_unpaid_to_the_pool_a_laid_off_one_keeps_it() -> None:
    unpaid = {"s1": Decimal("120.50")}
    lines = money.departure(unpaid, "s1", "dismissed")
    assert money.by_account(lines) == {"s1": Decimal("-120.50"), "pool": Decimal("120.50")}
    assert money.departure(unpaid, "s1", "laid_off") == []
    assert money.departure(unpaid, "s1", "resigned") == []


def test_a_return_reverses_commission_and_due_but_the_fine_stands() -> None:
    split = _split({"s1": ONE}, fines={"s2": Decimal("300")})
    posted = money.accrual(split, Decimal("1000")) + money.falling_due({"s1": ONE}, Decimal(0), Decimal("1000"))
    after = posted + money.reversal(posted)
    assert money.balance(after) == 0
    assert money.by_account(after) == {"deal": 0, "s1": 0, "s2": Decimal("-300"), "pool": Decimal("300")}


def test_the_phone_call_dispute_of_s3_balances_to_the_yuan() -> None:
    path = resources.files("leadledger") / "examples" / "arbitrations" / "c-7-phone-call-dispute.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    result, steps = money.arbitration_from(data)
    assert result.balanced
    assert result.lines[-1].account == "team_dinner"
    assert result.lines[-1].amount == Decimal(data["expect"]["remainder"])
    assert steps == [Decimal(step) for step in data["expect"]["pot_before_remainder"]]
    totals = money.by_account(result.lines)
    assert totals["phone_consultant"] == Decimal("300")  # 150 + 200 reward - 50 fine
    assert totals["desk_consultant"] == Decimal("450")
    assert totals["company"] == Decimal("-500") and totals["supervisor"] == Decimal("-100")


def test_penalties_keep_to_the_ranges_of_section_6() -> None:
    assert money.penalty_problems(Decimal("300"), -20, 7) == []
    assert money.penalty_problems(Decimal("0"), 5, 0) == []
    assert [f for f, _ in money.penalty_problems(Decimal("20"), 0, 0)] == ["fine"]
    assert [f for f, _ in money.penalty_problems(Decimal("0"), -30, 9)] == ["points", "days"]
    assert [f for f, _ in money.penalty_problems(Decimal("0"), 0, 0)] == ["fine"]


shares = st.dictionaries(st.sampled_from(["s1", "s2", "s3", "s4"]), st.integers(1, 9), min_size=1).map(
    lambda w: {k: Fraction(v, sum(w.values())) for k, v in w.items()}
)


@st.composite
def schedules(draw: st.DrawFn) -> list[dict[str, str]]:
    stages = draw(st.lists(st.sampled_from(money.STAGES), min_size=1, max_size=4, unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(stages) - 1, max_size=len(stages) - 1, unique=True)))
    bounds = [0, *cuts, 100]
    return [{"stage": s, "share": str(Fraction(bounds[i + 1] - bounds[i], 100))} for i, s in enumerate(stages)]


@settings(max_examples=150, deadline=None)
@given(
    shares,
    st.sampled_from([Fraction(0), Fraction(3, 10), Fraction(1)]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
    schedules(),
    st.lists(st.integers(1, 60), min_size=1, max_size=6),
    st.booleans(),
)
def test_every_posting_balances_and_shares_sum_to_one(
    weights: dict[str, Fraction],
    pool: Fraction,
    commission: Decimal,
    schedule: list[dict[str, str]],
    payments: list[int],
    returned: bool,
) -> None:
    split = _split({k: v * (1 - pool) for k, v in weights.items() if pool != 1}, pool=pool, fines={"s9": Decimal("50")})
    parts = money.shares_of(split)
    assert sum(parts.values()) == 1
    plan = money.plan_from({"bands": [{"up_to": None, "fixed": "1"}], "schedule": schedule})
    price = Decimal("100")
    accrued = money.accrual(split, commission)
    assert money.balance(accrued) == 0
    assert sum(line.amount for line in accrued if line.kind == "allocation") == commission  # C-7
    lines = list(accrued)
    reached: set[str] = set()
    collected, before = Decimal(0), Decimal(0)
    for i, paid in enumerate(payments):
        collected += paid
        if i < len(money.STAGES):
            reached.add(money.STAGES[i])
        now = money.earned(plan, commission, price, reached, collected)
        assert before <= now <= commission
        posting = money.falling_due(parts, before, now)
        assert money.balance(posting) == 0
        lines += posting
        before = now
    final = money.falling_due(parts, before, money.earned(plan, commission, price, money.STAGES, price))
    lines += final
    due = money.by_account(lines, ("due",))
    allocated = money.by_account(accrued, ("allocation",))
    assert {k: v for k, v in due.items() if v} == {k: v for k, v in allocated.items() if v}
    for account, value in allocated.items():  # the due lines move money between kinds, not accounts
        assert money.by_account(lines, ("allocation", "accrued", "due")).get(account) == value
    if returned:
        lines += money.reversal(lines)
        left = {k: v for k, v in money.by_account(lines).items() if v}
        assert left == {"s9": Decimal("-50"), "pool": Decimal("50")}
    assert money.balance(lines) == 0


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2)
entries = st.lists(
    st.tuples(st.sampled_from(["s1", "s2", "s3", "pool"]), st.sampled_from(["allocation", "reward", "fine"]), amounts),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=2), entries, st.booleans())
def test_every_arbitration_balances_and_its_return_leaves_only_the_fines(
    commission: Decimal, ruled: list[tuple[str, str, Decimal]], returned: bool
) -> None:
    """C-7: a manager may allocate any shares, fines and rewards; the lines still balance, the pot's
    remainder is what the entries leave, and a returned unit takes back all but the fines (decision 250)."""
    result = money.arbitration_from(
        {"commission": str(commission), "entries": [{"account": a, "kind": k, "amount": str(v)} for a, k, v in ruled]}
    )[0]
    assert result.balanced and money.balance(result.lines) == 0
    out = sum((v for _, k, v in ruled if k in ("allocation", "reward")), Decimal(0))
    fined = sum((v for _, k, v in ruled if k == "fine"), Decimal(0))
    assert result.lines[-1].amount == commission + fined - out  # the remainder, to the pool
    if returned:
        left = list(result.lines) + money.reversal(result.lines)
        assert money.balance(left) == 0
        expected: dict[str, Decimal] = {"pool": fined}  # the fines stand, now the pool's (decision 382)
        for account, kind, value in ruled:
            if kind == "fine":
                expected[account] = expected.get(account, Decimal(0)) - value
        assert {k: v for k, v in money.by_account(left).items() if v} == {k: v for k, v in expected.items() if v}


def test_a_contract_at_another_price_reallocates_and_the_fine_is_not_charged_twice() -> None:
    split = _split({"s1": Fraction(1, 2), "s2": Fraction(1, 2)}, fines={"s3": Decimal("300")})
    first = money.accrual(split, Decimal("3000.00"))
    again = money.repricing(first, split, Decimal("2940.00"))
    assert money.balance(again) == 0  # decision 380
    lines = first + again
    assert money.by_account(lines, ("allocation",)) == {"s1": Decimal("1470.00"), "s2": Decimal("1470.00")}
    assert money.by_account(lines, ("fine",)) == {"s3": Decimal("-300"), "pool": Decimal("300")}
    assert money.by_account(lines, ("commission",)) == {"deal": Decimal("-2940.00")}


@pytest.mark.parametrize("share", ["1e999999999", "1e-999999999", "NaN", "Infinity", ":", "", "1/0", "x"])
def test_a_share_that_is_no_fraction_is_refused_at_once(share: str) -> None:
    # Fraction("1e999999999") alone would build a number of a billion digits: a stalled worker (issue 13).
    plan = {"bands": [{"up_to": None, "fixed": "1"}], "schedule": [{"stage": "signing", "share": share}]}
    with pytest.raises(money.PlanError) as refused:
        money.plan_from(plan)
    assert refused.value.field == "schedule[0]"


@given(st.fractions(min_value=0, max_value=2, max_denominator=10**6))
def test_a_share_reads_back_exactly_as_stored_or_as_typed(share: Fraction) -> None:
    assert money.share_of(str(share)) == share
    assert money.share_of(f"{share.numerator / share.denominator}") == Fraction(
        str(share.numerator / share.denominator)
    )

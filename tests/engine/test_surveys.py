"""Satisfaction surveys (W-5): scores of 1 to 5, figures by customer, consultant and period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import duties as d
from leadledger.engine import surveys as s
from leadledger.engine.errors import DomainError


def _survey(customer: str, staff: str, score: int | None, period: str = "2026-03") -> s.Survey:
    return s.Survey(customer=customer, staff=staff, cadence=d.MONTHLY, period=period, score=score)


def test_satisfied_is_the_share_of_answers_scoring_four_or_five() -> None:
    found = s.figures([_survey("1", "7", 5), _survey("2", "7", 4), _survey("3", "7", 2), _survey("4", "7", None)])
    assert (found.sent, found.answered) == (4, 3)
    assert found.average == Decimal("3.67") and found.satisfied == Decimal("0.6667")
    assert found.response == Decimal("0.7500")
    nobody = s.figures([_survey("1", "7", None)])
    assert nobody.average is None and nobody.satisfied is None and nobody.response == 0
    assert s.figures([]).response is None


def test_figures_by_consultant_and_by_customer() -> None:
    rows = [_survey("1", "7", 5), _survey("2", "8", 1), _survey("1", "7", 3, period="2026-02")]
    staff = s.by(rows, lambda x: x.staff)
    assert staff["7"].average == Decimal("4.00") and staff["8"].satisfied == 0
    assert s.by(rows, lambda x: x.customer)["1"].answered == 2
    assert s.by(rows, lambda x: x.period)["2026-02"].sent == 1


def test_a_score_is_a_whole_one_to_five_and_periods_are_monthly_or_quarterly() -> None:
    assert s.score_of(" 4 ") == 4
    for bad in ("0", "6", "4.5", "", None, "五"):
        with pytest.raises(DomainError) as wrong:
            s.score_of(bad)
        assert wrong.value.field == "score"
    today = date(2026, 3, 14)
    assert s.period_for(d.QUARTERLY, "", today).name == "2026-Q1"
    with pytest.raises(DomainError):
        s.period_for(d.WEEKLY, "", today)
    with pytest.raises(DomainError):
        s.period_for(d.MONTHLY, "2026-04", today)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from("abcd"), max_size=8), st.lists(st.sampled_from("abcd"), max_size=8))
def test_each_customer_is_asked_once_a_period(customers: list[str], asked: list[str]) -> None:
    left = s.to_ask(customers, asked)
    assert len(left) == len(set(left)) and not set(left) & set(asked)
    assert set(left) | set(asked) >= set(customers)

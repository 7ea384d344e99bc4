"""Work reports (W-3): the period a report is for, its required parts, and its counted figures."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from leadledger.engine import duties as d
from leadledger.engine import workreports as w
from leadledger.engine.errors import DomainError

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 14)


@pytest.mark.parametrize(
    ("cadence", "name", "first", "last"),
    [
        (d.WEEKLY, "2026-W11", date(2026, 3, 9), date(2026, 3, 15)),
        (d.MONTHLY, "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (d.QUARTERLY, "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (d.YEARLY, "2025", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_a_named_period_of_each_cadence_is_the_reports(cadence: str, name: str, first: date, last: date) -> None:
    period = w.period_for(cadence, name, TODAY)
    assert (period.first, period.last) == (first, last)
    assert w.kind_of(cadence) == f"{cadence}_report" and w.kind_of(cadence) in d.WORK_KINDS


def test_no_name_means_the_period_under_way_and_the_previous_is_the_one_before() -> None:
    month = w.period_for(d.MONTHLY, "", TODAY)
    assert month.name == "2026-03"
    assert w.previous(d.MONTHLY, month).name == "2026-02"
    assert w.previous(d.QUARTERLY, w.period_for(d.QUARTERLY, "", TODAY)).name == "2025-Q4"


def test_a_period_not_yet_begun_or_mistyped_is_refused_beside_the_period() -> None:
    with pytest.raises(DomainError) as future:
        w.period_for(d.MONTHLY, "2026-04", TODAY)  # decision 460
    assert future.value.field == "period" and "尚未开始" in future.value.zh
    with pytest.raises(DomainError) as wrong:
        w.period_for(d.MONTHLY, "2026-3", TODAY)
    assert wrong.value.field == "period"
    with pytest.raises(DomainError):
        w.period_for(d.DAILY, "", TODAY)  # a day has a work log, not a report


def test_results_and_plan_are_required_in_that_order() -> None:
    assert w.missing({"results": " ", "plan": ""}) == ["results", "plan"]
    assert w.missing({"results": "回访12组", "plan": "下月开盘"}) == []


def test_the_figures_count_the_periods_work_and_sum_the_money_collected() -> None:
    def work(i: int, kind: str, day: date, customer: str) -> d.Work:
        at = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)
        return d.Work(id=str(i), at=at, seq=i, type=kind, staff="7", customer=customer, day=day)

    log = d.WorkLog(
        [
            work(1, "visit", date(2026, 2, 27), "c1"),  # February: not March's
            work(2, "call", date(2026, 3, 2), "c1"),  # a callback to an existing prospect
            work(3, "call", date(2026, 3, 3), "c2"),  # a new prospect's first contact
            work(4, "deal", date(2026, 3, 5), "c1"),
        ]
    )
    month = w.period_for(d.MONTHLY, "2026-03", TODAY)
    until = datetime(2026, 3, 14, 18, tzinfo=ZONE)
    got = w.figures(log, "7", month, until=until, collected=[Decimal("1000.5"), Decimal("0.25")])
    assert got == {"calls": 2, "callbacks": 1, "visits": 0, "new_prospects": 1, "deal": 1, "collected": "1000.75"}
    assert w.figures(log, "7", month, until=until)["collected"] == "0.00"

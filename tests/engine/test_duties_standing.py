"""engine/duties.py's `standing` and `not_reached`, which the workbench's pages call (W-1, W-2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from helpers import SHANGHAI
from leadledger.engine import duties as d


def _work(n: int, kind: str, customer: str, when: datetime, staff: str = "alice") -> d.Work:
    return d.Work(id=f"e{n}", at=when, seq=n, type=kind, staff=staff, customer=customer, day=when.date())


def test_not_reached_lists_whom_the_person_has_not_contacted_in_the_period() -> None:
    noon = datetime(2026, 3, 12, 12, tzinfo=SHANGHAI)
    log = d.WorkLog([_work(1, "call", "zhang", noon), _work(2, "call", "li", noon, staff="bob")])
    day = d.period_of(d.DAILY, noon.date())
    assert d.not_reached(log, "alice", day, ["zhang", "li", "wang"]) == ["li", "wang"]
    assert d.not_reached(log, "alice", day, ["zhang"], until=noon - timedelta(hours=1)) == ["zhang"]


def test_a_day_off_owes_nothing_and_a_day_over_is_missed() -> None:
    log = d.WorkLog([])
    evening = datetime(2026, 3, 12, 20, tzinfo=SHANGHAI)
    kwargs = {"staff": "alice", "cadence": d.DAILY, "counts": d.CALLS, "target": 3, "zone": SHANGHAI}
    assert d.standing(log, now=evening, **kwargs).status == d.OPEN  # type: ignore[arg-type]
    off = d.standing(log, now=evening, days_off=[date(2026, 3, 12)], **kwargs)  # type: ignore[arg-type]
    assert (off.owed, off.status) == (0, d.MET)


@given(calls=st.integers(min_value=0, max_value=12), target=st.integers(min_value=0, max_value=12))
def test_standing_agrees_with_done_and_status_of(calls: int, target: int) -> None:
    start = datetime(2026, 3, 9, 9, tzinfo=SHANGHAI)  # a Monday
    log = d.WorkLog([_work(i, "call", f"c{i}", start + timedelta(hours=i)) for i in range(calls)])
    now = start + timedelta(days=2)
    got = d.standing(log, staff="alice", cadence=d.WEEKLY, counts=d.CALLS, target=target, now=now, zone=SHANGHAI)
    assert got.period.name == "2026-W11" and got.done == calls and got.owed == target
    assert got.status == (d.MET if calls >= target else d.OPEN)  # the week is not over on Wednesday

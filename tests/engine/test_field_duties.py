"""篇4's distribution duties counted from the field log (W-2, decisions 490, 491): stock checks and their
figures, each wholesaler called and visited, retail rounds of ten shops, the 旬 analysis."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import duties as d
from leadledger.engine.answers import answer

ZONE = ZoneInfo("Asia/Shanghai")
ZHANG = "zhang"


def _work(kind: str, day: date, *, who: str | None = None, size: int | None = None, seq: int = 0) -> d.Work:
    at = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE) + timedelta(minutes=seq)
    return d.Work(id=f"w{seq}", at=at, seq=seq, type=kind, staff=ZHANG, customer=who, day=day, size=size)


def test_only_a_check_with_its_figures_logs_the_stock() -> None:
    span = d.period_of(d.EVERY_N_DAYS, date(2026, 3, 3), n=5, joined=date(2026, 3, 1))
    log = d.WorkLog(
        [_work(d.STOCK_CHECK, date(2026, 3, 2), seq=1), _work(d.STOCK_CHECK, date(2026, 3, 3), size=0, seq=2)]
    )
    assert log.done(d.STOCK_CHECK, ZHANG, span) == 2
    assert log.done(d.STOCK_LOGGED, ZHANG, span) == 1  # zero cases is a figure; no figure is none


def test_a_visit_is_a_contact_but_a_call_is_never_a_visit() -> None:
    month = d.period_of(d.MONTHLY, date(2026, 3, 15))
    log = d.WorkLog(
        [
            _work(d.WHOLESALER_CALL, date(2026, 3, 2), who="li", seq=1),
            _work(d.WHOLESALER_VISIT, date(2026, 3, 3), who="wang", seq=2),
        ]
    )
    called = log.contacts(d.WHOLESALERS_CALLED, ZHANG, month, ["li", "wang", "zhao"])
    visited = log.contacts(d.WHOLESALERS_VISITED, ZHANG, month, ["li", "wang", "zhao"])
    assert d.each_standing(called, 1) == (2, 3, ["zhao"])
    assert d.each_standing(visited, 1) == (1, 3, ["li", "zhao"])


def test_the_standing_of_each_wholesaler_every_three_days_names_who_is_still_uncalled() -> None:
    start = date(2026, 3, 1)
    log = d.WorkLog([_work(d.WHOLESALER_CALL, date(2026, 3, 4), who="li", seq=i) for i in range(3)])
    now = datetime(2026, 3, 5, 12, tzinfo=ZONE)
    mine = d.standing(
        log, staff=ZHANG, cadence=d.EVERY_N_DAYS, counts=d.WHOLESALERS_CALLED, target=1, now=now, zone=ZONE,
        n=3, joined=start, each=["li", "wang"],
    )  # fmt: skip
    assert (mine.period.first, mine.period.last) == (date(2026, 3, 4), date(2026, 3, 6))
    assert (mine.done, mine.owed, mine.status, mine.short) == (1, 2, d.OPEN, ("wang",))  # three calls to 李 are one


def test_a_days_shops_add_up_to_one_round_and_a_round_needs_ten() -> None:
    works = [
        _work(d.RETAIL_ROUND, date(2026, 3, 2), size=6, seq=1),
        _work(d.RETAIL_ROUND, date(2026, 3, 2), size=5, seq=2),  # the same day: 11 shops, one round
        _work(d.RETAIL_ROUND, date(2026, 3, 9), size=9, seq=3),  # nine shops: logged, not a round
        _work(d.RETAIL_ROUND, date(2026, 3, 20), size=30, seq=4),  # thirty shops in a day: still one round
    ]
    assert d.retail_rounds(works) == 2


def test_the_dekad_analysis_of_a_28_day_february_is_owed_three_times() -> None:
    dekads = {d.period_of(d.DEKAD, date(2027, 2, 1) + timedelta(days=i)) for i in range(28)}
    assert sorted((p.first.day, p.last.day) for p in dekads) == [(1, 10), (11, 20), (21, 28)]
    log = d.WorkLog([_work(d.MARKET_ANALYSIS, date(2027, 2, 28), seq=1)])
    late = d.standing(
        log, staff=ZHANG, cadence=d.DEKAD, counts=d.MARKET_ANALYSIS, target=1,
        now=datetime(2027, 3, 1, 1, tzinfo=ZONE), zone=ZONE,
    )  # fmt: skip
    assert late.period.name == "2027-03-D1" and late.done == 0  # 2/28 counted in February's third 旬
    assert log.done(d.MARKET_ANALYSIS, ZHANG, d.period_named(d.DEKAD, "2027-02-D3")) == 1


wholesalers = st.lists(st.sampled_from(["li", "wang", "zhao", "qian", "sun"]), unique=True, min_size=1)
kinds = st.sampled_from([d.WHOLESALER_CALL, d.WHOLESALER_VISIT])
days = st.dates(min_value=date(2027, 2, 1), max_value=date(2027, 2, 28))


@settings(max_examples=40, deadline=None)
@given(
    wholesalers,
    st.lists(st.tuples(kinds, st.sampled_from(["li", "wang", "zhao", "qian", "sun", "zhou"]), days), max_size=12),
    st.integers(min_value=1, max_value=3),
)
def test_each_wholesaler_is_done_or_short_never_both_and_done_never_exceeds_owed(
    roster: list[str], contacts: list[tuple[str, str, date]], target: int
) -> None:
    log = d.WorkLog([_work(kind, day, who=who, seq=i) for i, (kind, who, day) in enumerate(contacts)])
    month = d.period_of(d.MONTHLY, date(2027, 2, 1))
    for counts in d.EACH:
        tally = log.contacts(counts, ZHANG, month, roster)
        done, owes, short = d.each_standing(tally, target)
        assert done <= owes == target * len(roster)
        assert set(short) <= set(roster) and (done == owes) == (not short)
        # One more contact with someone short never lowers what is done, and raises it by one.
        if short and counts == d.WHOLESALERS_VISITED:
            more = d.WorkLog([*log.items, _work(d.WHOLESALER_VISIT, date(2027, 2, 14), who=short[0], seq=99)])
            assert d.each_standing(more.contacts(counts, ZHANG, month, roster), target)[0] == done + 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(days, st.integers(min_value=0, max_value=25)), max_size=15))
def test_rounds_never_outnumber_the_days_and_need_ten_shops_a_day(rounds: list[tuple[date, int]]) -> None:
    works = [_work(d.RETAIL_ROUND, day, size=shops, seq=i) for i, (day, shops) in enumerate(rounds)]
    counted = d.retail_rounds(works)
    per_day: dict[date, int] = {}
    for day, shops in rounds:
        per_day[day] = per_day.get(day, 0) + shops
    assert counted == sum(1 for shops in per_day.values() if shops >= d.ROUND_SHOPS) <= len(per_day)
    assert counted * d.ROUND_SHOPS <= sum(shops for _, shops in rounds)


def test_a_duty_file_asks_each_wholesaler_and_names_who_is_short() -> None:
    data = {
        "kind": "duties",
        "staff": [{"id": ZHANG, "name": "张伟", "joined": "2026-03-01"}],
        "customers": [{"id": "li", "name": "李记批发"}, {"id": "wang", "name": "王氏商行"}],
        "duties": [
            {"id": "visit", "cadence": "monthly", "counts": d.WHOLESALERS_VISITED, "target": 1, "each": ["li", "wang"]},
            {"id": "rounds", "cadence": "monthly", "counts": d.RETAIL_ROUNDS, "target": 3},
        ],
        "events": [
            {
                "id": "e1",
                "at": "2026-03-05T10:00:00+08:00",
                "type": "wholesaler_visit",
                "staff": ZHANG,
                "customer": "li",
            },
            {"id": "e2", "at": "2026-03-06T10:00:00+08:00", "type": "retail_round", "staff": ZHANG, "shops": 12},
        ],
        "expect": [
            {"staff": ZHANG, "duty": "visit", "period": "2026-03", "done": 1, "owed": 2, "status": "missed"},
            {"staff": ZHANG, "duty": "rounds", "period": "2026-03", "done": 1, "owed": 3, "status": "missed"},
        ],
    }
    outcome = answer(data)
    assert outcome.mismatches == []
    visit, rounds = outcome.answers
    assert visit["short"] == ["wang"] and visit["ok"] and rounds["ok"]


def test_each_must_name_customers_of_the_file_and_only_an_each_duty_has_it() -> None:
    import pytest

    from leadledger.engine.errors import EngineError

    base = {
        "kind": "duties",
        "staff": [{"id": ZHANG, "name": "张伟"}],
        "customers": [{"id": "li", "name": "李记批发"}],
    }
    stranger = {"id": "v", "cadence": "monthly", "counts": d.WHOLESALERS_VISITED, "target": 1, "each": ["nobody"]}
    with pytest.raises(EngineError) as unknown:
        answer({**base, "duties": [stranger]})
    assert unknown.value.path == "$.duties[0].each[0]"
    misplaced = {"id": "r", "cadence": "monthly", "counts": d.RETAIL_ROUNDS, "target": 3, "each": ["li"]}
    with pytest.raises(EngineError) as wrong:
        answer({**base, "duties": [misplaced]})
    assert wrong.value.path == "$.duties[0].each"


def test_a_report_carries_field_work_only_for_someone_who_did_some() -> None:
    from leadledger.engine import workreports

    month = d.period_of(d.MONTHLY, date(2027, 2, 1))
    until = datetime(2027, 3, 1, tzinfo=ZONE)
    log = d.WorkLog([_work(d.RETAIL_ROUND, date(2027, 2, 3), size=10, seq=1)])
    assert workreports.figures(log, ZHANG, month, until=until)[d.RETAIL_ROUNDS] == 1
    assert d.RETAIL_ROUNDS not in workreports.figures(d.WorkLog([]), ZHANG, month, until=until)

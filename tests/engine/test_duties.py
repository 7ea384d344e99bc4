"""The workbench's duties (W-1 cadences, W-2 targets counted from logged work) and their scenario files."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import duties as d
from leadledger.engine.answers import answer
from leadledger.engine.duties import (
    CADENCES,
    DAILY,
    EVERY_N_DAYS,
    MET,
    MISSED,
    OPEN,
    WORK_KINDS,
    owed,
    period_named,
    period_of,
    status_of,
)
from leadledger.engine.errors import EngineError
from leadledger.replay import example_files, run

JOINED = date(2026, 3, 3)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
cadences = st.sampled_from(CADENCES)
spans = st.integers(min_value=1, max_value=40)


def _period(cadence: str, day: date, n: int = 5) -> Any:
    return period_of(cadence, day, n=n, joined=JOINED if cadence == EVERY_N_DAYS else None)


# --- periods (W-1) ---


@pytest.mark.parametrize(
    ("cadence", "day", "name", "first", "last"),
    [
        (DAILY, date(2026, 3, 12), "2026-03-12", date(2026, 3, 12), date(2026, 3, 12)),
        ("weekly", date(2026, 3, 12), "2026-W11", date(2026, 3, 9), date(2026, 3, 15)),
        ("weekly", date(2026, 1, 1), "2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("weekly", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("dekad", date(2026, 3, 10), "2026-03-D1", date(2026, 3, 1), date(2026, 3, 10)),
        ("dekad", date(2026, 3, 11), "2026-03-D2", date(2026, 3, 11), date(2026, 3, 20)),
        ("dekad", date(2026, 3, 31), "2026-03-D3", date(2026, 3, 21), date(2026, 3, 31)),
        ("dekad", date(2026, 2, 21), "2026-02-D3", date(2026, 2, 21), date(2026, 2, 28)),
        ("dekad", date(2028, 2, 29), "2028-02-D3", date(2028, 2, 21), date(2028, 2, 29)),
        ("monthly", date(2028, 2, 10), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("quarterly", date(2026, 5, 20), "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("yearly", date(2026, 5, 20), "2026", date(2026, 1, 1), date(2026, 12, 31)),
        (EVERY_N_DAYS, date(2026, 3, 9), "2026-03-08", date(2026, 3, 8), date(2026, 3, 12)),
    ],
)
def test_a_day_falls_in_the_period_the_format_names(
    cadence: str, day: date, name: str, first: date, last: date
) -> None:
    period = _period(cadence, day)
    assert (period.name, period.first, period.last) == (name, first, last)
    assert period_named(cadence, name, n=5, joined=JOINED) == period


@pytest.mark.parametrize(
    ("cadence", "name"),
    [
        (DAILY, "2026-02-30"),
        (DAILY, "2026-W11"),
        ("weekly", "2025-W53"),
        ("weekly", "2026-11"),
        ("dekad", "2026-03-D4"),
        ("monthly", "2026-13"),
        ("quarterly", "2026-Q5"),
        ("yearly", "26"),
        (EVERY_N_DAYS, "2026-03-04"),
        (EVERY_N_DAYS, "2026-02-26"),
    ],
)
def test_a_name_that_is_no_period_of_the_cadence_is_refused(cadence: str, name: str) -> None:
    with pytest.raises(EngineError):
        period_named(cadence, name, n=5, joined=JOINED)


@settings(max_examples=300)
@given(cadence=cadences, day=days, n=spans)
def test_the_periods_of_a_cadence_tile_the_calendar_without_gaps_or_overlaps(cadence: str, day: date, n: int) -> None:
    if cadence == EVERY_N_DAYS and day < JOINED:
        day = JOINED + (JOINED - day)
    period = _period(cadence, day, n)
    assert period.first <= day <= period.last
    following = _period(cadence, period.last + timedelta(days=1), n)
    assert following.first == period.last + timedelta(days=1)
    assert following.name != period.name
    assert _period(cadence, period.first, n) == period == _period(cadence, period.last, n)
    if period.first > JOINED or cadence != EVERY_N_DAYS:
        assert _period(cadence, period.first - timedelta(days=1), n).last == period.first - timedelta(days=1)
    assert period_named(cadence, period.name, n=n, joined=JOINED) == period


# --- what is owed (W-1) and the status (W-2) ---


@given(cadence=cadences, day=days, target=st.integers(min_value=0, max_value=500), offset=st.integers(0, 400))
def test_owed_never_exceeds_the_target_and_is_zero_only_for_a_zero_target(
    cadence: str, day: date, target: int, offset: int
) -> None:
    period = _period(cadence, max(day, JOINED))
    joined = period.first + timedelta(days=offset % period.days)
    owes = owed(target, period, joined=joined)
    assert 0 <= owes <= target
    assert (owes == 0) == (target == 0)
    assert owed(target, period, joined=period.first) == target
    assert owed(target, period, joined=period.first - timedelta(days=offset)) == target
    assert owed(target, period, joined=joined, day_off=True) == 0


def test_a_joiner_owes_the_share_of_the_period_left_rounded_up() -> None:
    april = period_named("monthly", "2026-04")
    assert owed(10, april, joined=date(2026, 4, 16)) == 5  # 15 of 30 days
    assert owed(10, april, joined=date(2026, 4, 17)) == 5  # 14 of 30: 4.67, rounded up
    assert owed(10, april, joined=date(2026, 4, 30)) == 1
    assert owed(7, period_named("dekad", "2026-02-D3"), joined=date(2026, 2, 27)) == 2  # 2 of 8 days
    assert owed(7, period_named("dekad", "2028-02-D3"), joined=date(2028, 2, 27)) == 3  # 3 of 9 days


def test_a_period_over_before_the_person_joined_owes_nothing() -> None:
    assert owed(3, period_named(DAILY, "2026-03-01"), joined=date(2026, 3, 2)) == 0
    assert owed(3, period_named("weekly", "2026-W09"), joined=date(2026, 3, 2)) == 0
    assert owed(3, period_named("weekly", "2026-W10"), joined=date(2026, 3, 2)) == 3


def test_met_holds_as_soon_as_done_reaches_owed_and_missed_needs_the_period_over() -> None:
    assert status_of(3, 3, over=False) == MET
    assert status_of(2, 3, over=False) == OPEN
    assert status_of(2, 3, over=True) == MISSED
    assert status_of(0, 0, over=True) == MET


# --- counting from the events (W-2), through scenario files ---

STAFF = [
    {"id": "m1", "name": "周敏", "role": "customer_manager", "joined": "2026-03-01"},
    {"id": "m2", "name": "吴强", "role": "customer_manager", "joined": "2026-03-01"},
]
CUSTOMERS = [{"id": f"c{i}", "name": f"客户{i}"} for i in range(1, 6)]
COUNTED = ("callbacks", "new_prospects", "visits", "calls", *WORK_KINDS)


def _file(events: list[dict[str, Any]], expect: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "kind": "duties",
        "staff": STAFF,
        "customers": CUSTOMERS,
        "duties": [
            {"id": counts, "cadence": cadence, "counts": counts, "target": 2}
            for counts in COUNTED
            for cadence in ("daily",)
        ]
        + [{"id": "weekly_callbacks", "cadence": "weekly", "counts": "callbacks", "target": 4}],
        "events": events,
        "expect": expect,
    } | extra


def _done(events: list[dict[str, Any]], staff: str, duty: str, period: str) -> int:
    outcome = answer(_file(events, [{"staff": staff, "duty": duty, "period": period}]))
    return int(outcome.answers[0]["done"])


def _event(i: int, at: str, kind: str, staff: str, customer: str | None) -> dict[str, Any]:
    event = {"id": f"e{i}", "at": at, "type": kind, "staff": staff}
    if customer is not None:
        event["customer"] = customer
    return event


def test_a_call_counts_as_a_callback_only_for_a_customer_first_contacted_on_an_earlier_day() -> None:
    events = [
        _event(1, "2026-03-10T10:00:00+08:00", "visit", "m2", "c1"),
        _event(2, "2026-03-11T09:00:00+08:00", "call", "m1", "c1"),  # first contacted the day before, by m2
        _event(3, "2026-03-11T09:30:00+08:00", "follow_up", "m1", "c1"),  # the same customer again
        _event(4, "2026-03-11T10:00:00+08:00", "call", "m1", "c2"),  # first contact: a new prospect
        _event(5, "2026-03-11T16:00:00+08:00", "follow_up", "m1", "c2"),  # same day as the first contact
        _event(6, "2026-03-12T09:00:00+08:00", "follow_up", "m1", "c2"),
    ]
    assert _done(events, "m1", "callbacks", "2026-03-11") == 1
    assert _done(events, "m1", "new_prospects", "2026-03-11") == 1
    assert _done(events, "m2", "new_prospects", "2026-03-10") == 1
    assert _done(events, "m1", "callbacks", "2026-03-12") == 1
    assert _done(events, "m1", "calls", "2026-03-11") == 2
    assert _done(events, "m2", "visits", "2026-03-10") == 1
    assert _done(events, "m1", "weekly_callbacks", "2026-W11") == 2  # c1 and c2, each once


def test_a_customer_first_seen_with_an_agent_is_nobody_s_new_prospect() -> None:
    data = _file(
        [
            {"id": "e1", "at": "2026-03-10T10:00:00+08:00", "type": "escorted_visit", "customer": "c1", "agent": "a1"},
            _event(2, "2026-03-10T11:00:00+08:00", "call", "m1", "c1"),
            _event(3, "2026-03-11T11:00:00+08:00", "call", "m1", "c1"),
        ],
        [
            {"staff": "m1", "duty": "new_prospects", "period": "2026-03-10", "done": 0},
            {"staff": "m1", "duty": "callbacks", "period": "2026-03-11", "done": 1},
        ],
        agents=[{"id": "a1", "name": "李明", "distributor": "d1"}],
    )
    outcome = answer(data)
    assert outcome.ok, outcome.mismatches


@pytest.mark.parametrize("kind", WORK_KINDS)
def test_logged_work_counts_by_its_type_in_the_day_it_was_logged_in_the_project_s_zone(kind: str) -> None:
    events = [
        _event(1, "2026-03-10T15:59:00Z", kind, "m1", None),  # 23:59 in Shanghai
        _event(2, "2026-03-10T16:00:00Z", kind, "m1", "c1"),  # 00:00 on the 11th
        _event(3, "2026-03-11T09:00:00+08:00", "work_log" if kind != "work_log" else "survey", "m1", None),
    ]
    assert _done(events, "m1", kind, "2026-03-10") == 1
    assert _done(events, "m1", kind, "2026-03-11") == 1
    outcome = answer(
        _file(events, [{"staff": "m1", "duty": kind, "period": "2026-03-10"}], policy={"time_zone": "UTC"})
    )
    assert outcome.answers[0]["done"] == 2


def _random_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=0, max_value=25))
    minutes = draw(st.lists(st.integers(0, 6 * 24 * 60), min_size=count, max_size=count, unique=True))
    start = "2026-03-09T00:00:00+08:00"
    events = []
    for i, minute in enumerate(minutes):
        kind = draw(st.sampled_from(("visit", "call", "follow_up", *WORK_KINDS)))
        customer = draw(st.sampled_from([c["id"] for c in CUSTOMERS]))
        staff = draw(st.sampled_from(["m1", "m2"]))
        moment = _shift(start, minute)
        events.append(_event(i, moment, kind, staff, customer))
    return events


def _shift(start: str, minutes: int) -> str:
    return (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_counting_does_not_depend_on_the_order_of_the_events_in_the_file(data: st.DataObject) -> None:
    events = data.draw(st.composite(_random_events)())
    shuffled = data.draw(st.permutations(events))
    questions = [
        {"staff": staff, "duty": duty, "period": f"2026-03-{day:02d}"}
        for staff in ("m1", "m2")
        for duty in ("callbacks", "new_prospects", "calls", "work_log")
        for day in range(9, 16)
    ] + [{"staff": "m1", "duty": "weekly_callbacks", "period": "2026-W11"}]
    before = [item["done"] for item in answer(_file(events, questions)).answers]
    after = [item["done"] for item in answer(_file(list(shuffled), questions)).answers]
    assert before == after


def test_an_answer_repeats_the_question_and_explains_itself_in_either_language() -> None:
    events = [_event(1, "2026-03-10T10:00:00+08:00", "work_log", "m1", None)]
    question = {"staff": "m1", "duty": "work_log", "period": "2026-03-10", "at": "2026-03-10T12:00:00+08:00"}
    zh = answer(_file(events, [question])).answers[0]
    en = answer(_file(events, [question]), lang="en").answers[0]
    assert {k: zh[k] for k in question} == question
    assert (zh["done"], zh["owed"], zh["status"], zh["cites"]) == (1, 2, OPEN, ["W-1", "W-2"])
    assert "周敏" in zh["explain"] and "工作日志" in zh["explain"]
    assert "work logs" in en["explain"] and "still open" in en["explain"]


def test_a_policy_gives_the_default_targets_of_w2_and_a_replay_may_override_them() -> None:
    data = _file([], [{"staff": "m1", "duty": "callbacks", "period": "2026-03-10"}])
    data["duties"] = [{"id": "callbacks", "cadence": "daily", "counts": "callbacks"}]
    assert answer(data).answers[0]["owed"] == 10
    data["policy"] = {"daily_callbacks": 6}
    assert answer(data).answers[0]["owed"] == 6
    assert answer(data, policy_override={"daily_callbacks": 4}).answers[0]["owed"] == 4


def test_a_day_off_lowers_only_daily_duties() -> None:
    data = _file(
        [],
        [
            {"staff": "m1", "duty": "work_log", "period": "2026-03-14"},
            {"staff": "m1", "duty": "weekly_callbacks", "period": "2026-W11"},
            {"staff": "m2", "duty": "work_log", "period": "2026-03-14"},
        ],
        days_off=[{"staff": "m1", "date": "2026-03-14"}],
    )
    owes = [item["owed"] for item in answer(data).answers]
    assert owes == [0, 4, 2]


BAD = [
    ({"duties": [{"id": "x", "cadence": "fortnightly", "counts": "calls", "target": 1}]}, "$.duties[0].cadence"),
    ({"duties": [{"id": "x", "cadence": "daily", "counts": "smiles", "target": 1}]}, "$.duties[0].counts"),
    ({"duties": [{"id": "x", "cadence": "daily", "counts": "calls", "target": -1}]}, "$.duties[0].target"),
    ({"duties": [{"id": "x", "cadence": "daily", "counts": "calls"}]}, "$.duties[0].target"),
    ({"duties": [{"id": "x", "cadence": "every_n_days", "counts": "calls", "target": 1}]}, "$.duties[0].n"),
    ({"duties": [{"id": "x", "cadence": "daily", "n": 3, "counts": "calls", "target": 1}]}, "$.duties[0].n"),
    ({"staff": [{"id": "m1", "joined": "2026-02-30"}]}, "$.staff[0].joined"),
    ({"days_off": [{"staff": "m9", "date": "2026-03-14"}]}, "$.days_off[0].staff"),
    ({"events": [{"id": "e1", "at": "2026-03-10T10:00:00+08:00", "type": "nap", "staff": "m1"}]}, "$.events[0].type"),
    ({"events": [{"id": "e1", "at": "2026-03-10T10:00:00", "type": "work_log", "staff": "m1"}]}, "$.events[0].at"),
    (
        {"events": [{"id": "e1", "at": "2026-03-10T10:00:00+08:00", "type": "survey", "staff": "m9"}]},
        "$.events[0].staff",
    ),
    (
        {"events": [{"id": "e1", "at": "2026-03-10T10:00:00+08:00", "type": "call", "staff": "m1"}]},
        "$.events[0].customer",
    ),
    ({"expect": [{"staff": "m1", "duty": "calls", "period": "2026-W11"}]}, "$.expect[0].period"),
    ({"expect": [{"staff": "m1", "duty": "nope", "period": "2026-03-10"}]}, "$.expect[0].duty"),
    ({"expect": [{"staff": "m1", "duty": "calls", "period": "2026-03-10", "status": "late"}]}, "$.expect[0].status"),
    ({"policy": {"daily_callbacks": "ten"}}, "$.policy.daily_callbacks"),
    ({"policy": {"time_zone": "Mars/Olympus"}}, "$.policy.time_zone"),
    ({"surprise": 1}, "$.surprise"),
]


@pytest.mark.parametrize(("change", "path"), BAD, ids=[b[1] for b in BAD])
def test_a_bad_duty_file_exits_2_naming_the_json_path(tmp_path: Path, change: dict[str, Any], path: str) -> None:
    data = {
        "kind": "duties",
        "staff": [{"id": "m1", "name": "周敏", "joined": "2026-03-01"}],
        "customers": CUSTOMERS,
        "duties": [{"id": "calls", "cadence": "daily", "counts": "calls", "target": 1}],
        "expect": [{"staff": "m1", "duty": "calls", "period": "2026-03-10"}],
    } | change
    name = tmp_path / "duties.json"
    name.write_text(json.dumps(data), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run([str(name)], lang="en", out=out, err=err) == 2
    assert path in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_duty_of_another_role_is_not_asked_of_a_person() -> None:
    data = _file([], [{"staff": "m1", "duty": "calls", "period": "2026-03-10"}])
    data["duties"] = [{"id": "calls", "role": "consultant", "cadence": "daily", "counts": "calls", "target": 1}]
    with pytest.raises(EngineError) as caught:
        answer(data)
    assert caught.value.path == "$.expect[0].duty"


def test_a_wrong_expectation_is_a_disagreement() -> None:
    outcome = answer(_file([], [{"staff": "m1", "duty": "calls", "period": "2026-03-10", "done": 1, "owed": 2}]))
    assert not outcome.ok and "done: expected 1, got 0" in outcome.mismatches[0]


def test_the_shipped_duty_examples_cover_every_cadence_and_both_rules() -> None:
    shipped = [json.loads(p.read_text(encoding="utf-8")) for p in example_files()]
    duties = [data for data in shipped if data.get("kind") == "duties"]
    assert {d["cadence"] for data in duties for d in data["duties"]} == set(CADENCES)
    assert {"W-1", "W-2"} <= {rule for data in duties for rule in data["rules"]}
    periods = {item["period"] for data in duties for item in data["expect"]}
    assert {"2026-02-D3", "2028-02-D3"} <= periods
    assert any(item.get("status") == OPEN for data in duties for item in data["expect"])


def test_a_person_the_file_gives_no_role_is_asked_every_duty() -> None:
    data = _file([], [{"staff": "m3", "duty": "calls", "period": "2026-03-10", "owed": 1}])
    data["staff"] = [*STAFF, {"id": "m3", "name": "冯涛", "joined": "2026-03-01"}]
    data["duties"] = [{"id": "calls", "role": "customer_manager", "cadence": "daily", "counts": "calls", "target": 1}]
    assert answer(data).ok


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(sorted(set(d.CADENCES) - {d.EVERY_N_DAYS})),
)
def test_every_period_reads_as_words_with_its_year_in_either_language(day: date, cadence: str) -> None:
    """W-1: no page shows a raw key such as 2026-W49 or 2026-12-D1; the words name the period's year."""
    period = d.period_of(cadence, day)
    zh, en = d.period_words(cadence, period.name, "zh-hans"), d.period_words(cadence, period.name, "en")
    assert zh != period.name and f"{period.name[:4]}年" in zh and "-" not in zh
    assert en != zh and period.name[:4] in en


def test_period_words_say_weeks_dekads_and_quarters_as_an_office_does() -> None:
    assert d.period_words(d.WEEKLY, "2026-W49") == "2026年第49周"
    assert d.period_words(d.WEEKLY, "2026-W49", "en") == "week 49 of 2026"
    assert d.period_words(d.DEKAD, "2027-02-D3") == "2027年2月下旬"
    assert d.period_words(d.DEKAD, "2027-02-D3", "en") == "21–28 Feb 2027"
    assert d.period_words(d.QUARTERLY, "2026-Q4") == "2026年第四季度"
    assert d.period_words(d.MONTHLY, "2026-12", "en") == "December 2026"
    assert d.period_words(d.WEEKLY, "not a week") == "not a week"  # shown as stored, never an error

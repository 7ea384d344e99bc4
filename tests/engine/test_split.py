"""A scenario cut into shares judged apart gives the answers of the whole, in the same order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leadledger.engine import split
from leadledger.engine.answers import answer, answer_share
from leadledger.engine.errors import EngineError
from leadledger.engine.split import read_share, split_scenario
from leadledger.replay import example_files

from .test_scenarios import PUBLIC

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_replay.py"


def _bench_file() -> dict[str, Any]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_replay", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data: dict[str, Any] = module.generate(400, 4000, 7)
    return data


def _attribution_files() -> list[Path]:
    found = []
    for path in [*example_files(), *PUBLIC]:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("kind", "attribution") == "attribution" and data.get("events"):
            found.append(path)
    return found


@pytest.fixture
def split_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split however small the file, however uneven the shares."""
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(split, "LARGEST_SHARE", 1.0)


def _answered_in_shares(data: dict[str, Any], shares: int) -> tuple[list[Any], list[str], list[int]]:
    plan = split_scenario(data, shares)
    assert plan is not None
    answers: dict[int, Any] = {}
    wrong: list[tuple[int, str]] = []
    sizes = []
    for index in range(shares):
        outcome, places = answer_share(data, plan, index)
        sizes.append(len(places))
        answers.update(zip(places, outcome.answers, strict=True))
        failed = [place for place, item in zip(places, outcome.answers, strict=True) if not item["ok"]]
        wrong += zip(failed, outcome.mismatches, strict=True)
    assert sorted(answers) == list(range(len(data.get("expect", []))))  # each question in one share
    return [answers[i] for i in range(len(answers))], [line for _, line in sorted(wrong)], sizes


@pytest.mark.usefixtures("split_anything")
@pytest.mark.parametrize("shares", [2, 3])
def test_every_example_judged_in_shares_answers_as_judged_whole(shares: int) -> None:
    # The examples put customers whose verdicts read each other's events side by side: referrals (IH-8),
    # an agent's registrations under a daily cap (D-12), departures (IH-13), a deal under a relative's
    # channel (D-5), corrections across customers. Cut into shares, each must still see all it needs.
    cut = 0
    for path in _attribution_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        whole = answer(data)
        answers, mismatches, sizes = _answered_in_shares(data, shares)
        assert (answers, mismatches) == (whole.answers, whole.mismatches), path.name
        cut += sum(1 for size in sizes if size) > 1
    assert cut >= 20  # most files hold several groups of customers, and are really cut


@pytest.mark.usefixtures("split_anything")
def test_a_generated_history_judged_in_shares_answers_as_judged_whole() -> None:
    data = _bench_file()
    for item in data["expect"][::5]:
        if "customer" in item:
            item["consultant"] = "s1"  # disagreements in every share
    whole = answer(data, lang="en")
    plan = split_scenario(data, 2)
    assert plan is not None and sorted(set(plan.share_of.values())) == [0, 1]
    answers: dict[int, Any] = {}
    for index in (0, 1):
        outcome, places = answer_share(data, plan, index, "en")
        answers.update(zip(places, outcome.answers, strict=True))
    assert [answers[i] for i in range(len(answers))] == whole.answers and whole.mismatches


@pytest.mark.usefixtures("split_anything")
def test_customers_whose_events_link_them_are_judged_in_one_share() -> None:
    data = _bench_file()
    plan = split_scenario(data, 2)
    assert plan is not None
    linked = 0
    for raw in data["events"]:
        for field in ("referrer", "introduced_by", "was_customer"):
            if raw.get(field):
                assert plan.share_of[raw[field]] == plan.share_of[raw["customer"]]
                linked += 1
        if raw["type"] == "deal" and raw.get("buyer"):
            assert plan.share_of[raw["buyer"]] == plan.share_of[raw["customer"]]
    for relation in data["relations"]:  # verified or not, of any kind
        assert plan.share_of[relation["a"]] == plan.share_of[relation["b"]]
    assert linked > 100


def test_a_small_file_or_one_group_of_customers_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _bench_file()
    assert split_scenario(data, 2) is None  # 4,000 events: below SPLIT_FROM
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    assert split_scenario(data, 1) is None
    everyone = [{"a": "c0", "b": customer["id"], "kind": "friend"} for customer in data["customers"][1:]]
    assert split_scenario({**data, "relations": everyone}, 2) is None  # one share would hold them all


@pytest.mark.usefixtures("split_anything")
@pytest.mark.parametrize("where", ["first", "last"])
def test_a_share_refuses_what_is_wrong_in_its_own_events(where: str) -> None:
    data = _bench_file()
    plan = split_scenario(data, 2)
    assert plan is not None
    events = data["events"]
    i = 3 if where == "first" else len(events) - 3
    events[i] = {**events[i], "at": "2025-02-30T10:00:00+08:00"}
    owner = plan.share_of[events[i]["customer"]]
    with pytest.raises(EngineError) as refused:
        read_share(data, plan, owner)
    assert refused.value.path == f"$.events[{i}].at"
    read_share(data, plan, 1 - owner)  # the other share does not read it


@pytest.mark.usefixtures("split_anything")
def test_an_event_id_twice_in_two_shares_is_refused_by_the_first() -> None:
    data = _bench_file()
    plan = split_scenario(data, 2)
    assert plan is not None
    events = data["events"]
    other = next(i for i, e in enumerate(events) if i > 10 and plan.share_of.get(e.get("customer")) == 1)
    first = next(i for i, e in enumerate(events) if i > other and plan.share_of.get(e.get("customer")) == 0)
    events[first] = {**events[first], "id": events[other]["id"]}
    read_share(data, plan, 1)
    with pytest.raises(EngineError) as refused:
        read_share(data, plan, 0)
    assert "duplicate event id" in refused.value.en


@pytest.mark.usefixtures("split_anything")
@pytest.mark.parametrize("first", [None, 0.4, 0.48])
def test_the_first_share_holds_the_part_of_the_customers_it_is_given(first: float | None) -> None:
    data = _bench_file()
    plan = split_scenario(data, 2, first=first)
    assert plan is not None
    held = sum(1 for share in plan.share_of.values() if share == 0) / len(plan.share_of)
    assert abs(held - (0.5 if first is None else first)) < 0.01


@pytest.mark.usefixtures("split_anything")
def test_a_deal_whose_buyer_is_no_relation_is_judged_with_the_buyers_history() -> None:
    # Found in review: a deal is filed under its buyer, but the plan joined only its link fields (the
    # confirmed customer) to the customer it is placed by; a buyer of no relation could fall in the other
    # share, and the deal was judged without the buyer's visit (performance to the closer, not 顾问2).
    example = next(p for p in example_files() if p.name == "d-6-companion-on-the-spot.json")
    data = json.loads(example.read_text(encoding="utf-8"))
    data["relations"] = []
    data["events"] = [
        {"id": "v1", "at": "2026-03-01T09:00:00+08:00", "type": "visit", "customer": "c4", "staff": "s2"},
        {"id": "e3", "at": "2026-03-01T10:00:00+08:00", "type": "escorted_visit", "customer": "c3", "agent": "a1"},
        {"id": "e4", "at": "2026-03-01T11:00:00+08:00", "type": "deal", "customer": "c3", "staff": "s1", "buyer": "c4"},
    ]
    data["expect"] = [{"deal": "e4", "channel": "house"}, {"deal": "e4", "performance": {"s2": "1"}}]
    plan = split_scenario(data, 2)
    assert plan is not None and plan.share_of["c3"] == plan.share_of["c4"]
    whole = answer(data)
    assert whole.ok
    assert _answered_in_shares(data, 2)[:2] == (whole.answers, whole.mismatches)


@pytest.mark.usefixtures("split_anything")
@pytest.mark.parametrize("parts", [2, 3])
def test_a_plan_read_in_parts_is_the_plan_read_whole(parts: int) -> None:
    # replay's two processes each read half of the customers and of the events' links, and swap them.
    for data in [_bench_file(), *(json.loads(p.read_text(encoding="utf-8")) for p in _attribution_files())]:
        whole = split_scenario(data, 2, first=0.48)
        pieces = [split.plan_part(data, index, parts) for index in range(parts)]
        apart = split_scenario(data, 2, first=0.48, parts=pieces)
        assert whole is not None and apart is not None
        assert (apart.share_of, apart.filed, apart.cast) == (whole.share_of, whole.filed, whole.cast)
        assert list(apart.cast.customers) == list(whole.cast.customers)  # in the file's order


@pytest.mark.usefixtures("split_anything")
def test_a_customer_given_twice_in_two_parts_is_found_when_they_are_put_together() -> None:
    data = _bench_file()
    data["customers"][-1] = {**data["customers"][-1], "id": data["customers"][0]["id"]}
    pieces = [split.plan_part(data, index, 2) for index in range(2)]  # each part alone is fine
    with pytest.raises(ValueError, match="twice"):
        split_scenario(data, 2, parts=pieces)
    with pytest.raises(EngineError):
        split_scenario(data, 2)


@pytest.mark.usefixtures("split_anything")
@pytest.mark.parametrize("where", [0, -1])
def test_a_wrong_customer_is_refused_by_the_part_that_reads_it(where: int) -> None:
    data = _bench_file()
    data["customers"][where] = {**data["customers"][where], "phone": "12345"}
    owner = 0 if where == 0 else 1
    with pytest.raises(EngineError) as refused:
        split.plan_part(data, owner, 2)
    assert refused.value.path == f"$.customers[{where % len(data['customers'])}].phone"
    split.plan_part(data, 1 - owner, 2)

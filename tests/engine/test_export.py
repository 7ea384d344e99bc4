"""A timeline written out as a scenario file replays to the same verdicts (a dispute, exported)."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from leadledger.engine import Timeline
from leadledger.engine.answers import answer
from leadledger.engine.scenario import read_scenario, scenario_data
from leadledger.replay import example_files

ATTRIBUTION = [
    p for p in example_files() if json.loads(p.read_text("utf-8")).get("kind", "attribution") == "attribution"
]


@pytest.mark.parametrize("path", ATTRIBUTION, ids=lambda p: p.stem)
def test_every_example_round_trips_through_an_exported_file(path: object) -> None:
    data = json.loads(path.read_text("utf-8"))  # type: ignore[attr-defined]
    scenario = read_scenario(data)
    timeline = Timeline(scenario.cast, scenario.policy, scenario.events)
    moment = max(e.at for e in scenario.events)
    expect = []
    for cid in scenario.cast.customers:
        verdict = timeline.verdict(cid, moment).as_dict("zh")
        expect.append(
            {"at": moment.isoformat(), "customer": cid, **{k: verdict[k] for k in ("consultant", "channel", "status")}}
        )
    exported = scenario_data(
        title=scenario.title,
        cast=scenario.cast,
        policy=data.get("policy", {}),
        events=scenario.events,
        expect=expect,
        zone=ZoneInfo("Asia/Shanghai"),
    )
    outcome = answer(json.loads(json.dumps(exported, ensure_ascii=False)))
    assert outcome.mismatches == []

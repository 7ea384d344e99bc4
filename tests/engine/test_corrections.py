"""A registration corrected at the desk (docs/decisions.md 220-222): a new event, read from its moment on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import ALICE, BOB, ZHAO, Story, at, minutes
from leadledger.engine.model import Correction
from leadledger.engine.scenario import read_scenario, scenario_data
from leadledger.engine.timeline import Timeline

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "leadledger" / "examples" / "ih-1-corrected-registration.json"


def correct(
    story: Story, when, visit: str, *, customer: str = "zhang", was: str = "zhang", staff: str = BOB, **kw
) -> str:
    kw.setdefault("reason", "登记时选错了顾问")
    return story._add(Correction, when, visit=visit, customer=customer, was_customer=was, staff=staff, by=ZHAO, **kw)


def _correction(timeline: Timeline, visit: str, when, **fields) -> Correction:
    values = {"customer": "zhang", "was_customer": "zhang", "staff": BOB, "by": ZHAO, "reason": "选错了顾问"}
    values.update(fields)
    return Correction(id="new", at=when, seq=99, visit=visit, **values)


def test_the_wrong_consultant_corrected_owns_from_the_correction_on_and_not_before(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    fix = correct(story, at(1, 10, 20), visit)
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(1, 10, 10)).owners == {ALICE: 1}
    after = timeline.verdict("zhang", at(1, 11))
    assert after.owners == {BOB: 1} and after.events == (fix,)
    # The claim still dates from the visit: the follow-up window runs from 10:00, not from the fix.
    assert after.until == at(8)


def test_the_dispute_reads_the_correction_with_the_verdict_before_and_after(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    fix = correct(story, at(1, 10, 20), visit)
    before, after = story.timeline().verdicts_around("zhang", fix)
    assert before.owners == {ALICE: 1} and after.owners == {BOB: 1}


def test_the_wrong_customer_corrected_frees_the_one_picked_and_claims_the_visitor(story: Story) -> None:
    first = story.visit(at(1), "zhang", ALICE)  # Alice owns 张伟 since the morning
    wrong = story.visit(at(1, 14), "zhang", BOB)  # 李娜 came; the desk picked 张伟: an assist for Bob
    correct(story, at(1, 14, 5), wrong, customer="li", was="zhang", staff=BOB)
    timeline = story.timeline()
    assert timeline.verdict("li", at(1, 14, 1)).owners is None
    assert timeline.verdict("li", at(1, 15)).owners == {BOB: 1}
    zhang = timeline.verdict("zhang", at(1, 15))
    assert zhang.owners == {ALICE: 1} and "IH-11" not in zhang.cites and zhang.events == (first,)


def test_corrected_notes_replace_the_registered_ones_and_decide_nothing(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE, party=2, source="walk_in")
    correct(story, at(1, 10, 5), visit, staff=ALICE, party=3, intent="A")
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(2)).owners == {ALICE: 1}
    assert timeline.corrected(visit) is not None


def test_a_correction_of_an_unknown_or_later_visit_is_refused_when_read(story: Story) -> None:
    correct(story, at(1), "e9")
    with pytest.raises(ValueError, match="no earlier visit"):
        story.timeline()


def test_a_visit_is_corrected_once(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    correct(story, at(1, 10, 5), visit)
    correct(story, at(1, 10, 6), visit, staff=ALICE)
    with pytest.raises(ValueError, match="corrected already"):
        story.timeline()


def test_a_timeline_given_the_correction_before_its_visit_reads_the_same(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    correct(story, at(1, 10, 20), visit)
    story.events.reverse()
    assert story.timeline().verdict("zhang", at(2)).owners == {BOB: 1}


def test_a_correction_added_later_drops_what_was_cached(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(1, 11)).owners == {ALICE: 1}
    timeline.add(
        Correction(
            id="fix",
            at=at(1, 10, 20),
            seq=5,
            visit=visit,
            customer="zhang",
            was_customer="zhang",
            staff=BOB,
            by=ZHAO,
            reason="选错了顾问",
        )
    )
    assert timeline.verdict("zhang", at(1, 11)).owners == {BOB: 1}


# -- when a correction may be made (decision 221) ----------------------------------------------------


def test_a_same_day_correction_before_anything_else_happened_is_allowed(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    timeline = story.timeline()
    assert timeline.correction_refusal(_correction(timeline, visit, at(1, 18))) is None


@pytest.mark.parametrize(
    ("when", "fields", "words"),
    [
        (at(2, 9), {}, "当天"),  # the next day: the manager rules
        (at(1, 11), {"staff": ALICE}, "相同"),  # nothing changes
        (at(1, 11), {"reason": "  "}, "原因"),
        (at(1, 11), {"was_customer": "li"}, "已登记的来访"),
    ],
)
def test_a_correction_is_refused_outside_its_limits(story: Story, when, fields, words) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    timeline = story.timeline()
    refused = timeline.correction_refusal(_correction(timeline, visit, when, **fields))
    assert refused is not None and words in refused.zh


@pytest.mark.parametrize("later", ["follow_up", "ruling", "visit"])
def test_nothing_may_be_corrected_after_a_follow_up_a_ruling_or_another_visit(story: Story, later: str) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    {
        "follow_up": lambda: story.follow_up(at(1, 11), "zhang", ALICE),
        "ruling": lambda: story.ruling(at(1, 11), "zhang", ALICE),
        "visit": lambda: story.visit(at(1, 11), "zhang", BOB),
    }[later]()
    timeline = story.timeline()
    refused = timeline.correction_refusal(_correction(timeline, visit, at(1, 12)))
    assert refused is not None and "经理裁定" in refused.zh


def test_the_customer_corrected_to_must_have_nothing_after_the_visit_either(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    story.ruling(at(1, 11), "li", BOB)  # the manager ruled on 李娜: no correction moves a visit onto her
    timeline = story.timeline()
    refused = timeline.correction_refusal(_correction(timeline, visit, at(1, 12), customer="li"))
    assert refused is not None


def test_a_second_correction_is_refused(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    correct(story, at(1, 10, 5), visit)
    timeline = story.timeline()
    refused = timeline.correction_refusal(_correction(timeline, visit, at(1, 11), staff=ALICE))
    assert refused is not None and "更正过" in refused.zh


# -- files ----------------------------------------------------------------------------------------------


def test_the_shipped_example_reads_and_its_events_export_as_they_were_read() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    scenario = read_scenario(data)
    corrections = [e for e in scenario.events if isinstance(e, Correction)]
    assert len(corrections) == 2
    exported = scenario_data(
        title="t", cast=scenario.cast, policy={}, events=scenario.events, expect=[], zone=scenario.policy.zone
    )
    again = read_scenario({**exported, "expect": []})
    assert [e for e in again.events if isinstance(e, Correction)] == [
        Correction(**{**_fields(c), "seq": _seq(again, c.id)}) for c in corrections
    ]


def _fields(event: Correction) -> dict:
    from dataclasses import fields

    return {f.name: getattr(event, f.name) for f in fields(event)}


def _seq(scenario, event_id: str) -> int:
    return next(e.seq for e in scenario.events if e.id == event_id)


def test_scenario_reader_names_a_missing_reason() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del data["events"][1]["reason"]
    from leadledger.engine import EngineError

    with pytest.raises(EngineError) as caught:
        read_scenario(data)
    assert "$.events[1]" in str(caught.value.path) or "reason" in caught.value.en


def test_a_correction_a_minute_after_the_visit_counts_a_minute_later(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    correct(story, at(1) + minutes(1), visit)
    assert story.timeline().verdict("zhang", at(1) + minutes(2)).owners == {BOB: 1}

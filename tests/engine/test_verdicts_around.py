"""Timeline.verdicts_around: the verdict just before and just after one event, in the engine's order."""

from __future__ import annotations

import pytest

from helpers import ALICE, BOB, Story, at


def test_before_the_first_visit_nobody_owns_the_customer_and_after_it_the_consultant_does(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    before, after = story.timeline().verdicts_around("zhang", visit)
    assert before.owners is None and before.status == "free"
    assert after.owners == {ALICE: 1} and "IH-1" in after.cites


def test_two_events_at_the_same_moment_are_told_apart_by_their_order_of_recording(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    ruling = story.ruling(at(1), "zhang", BOB)  # the same second: the engine folds the visit first
    timeline = story.timeline()
    visit_before, visit_after = timeline.verdicts_around("zhang", visit)
    ruling_before, ruling_after = timeline.verdicts_around("zhang", ruling)
    assert visit_before.owners is None and visit_after.owners == {ALICE: 1}
    assert ruling_before.owners == {ALICE: 1} and ruling_after.owners == {BOB: 1}
    assert ruling_after.owners == timeline.verdict("zhang", at(1)).owners


def test_a_departure_at_the_moment_of_a_visit_counts_only_from_its_own_place_in_the_order(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    left = story.left(at(2), ALICE)
    timeline = story.timeline()
    before, after = timeline.verdicts_around("zhang", left)
    assert before.owners == {ALICE: 1}
    assert after.status == "pool" and "IH-13" in after.cites


def test_a_household_members_event_moves_the_verdict_of_the_customer_asked_about(story: Story) -> None:
    from leadledger.engine import Relation

    story.relations = (Relation(a="zhang", b="li", kind="spouse", verified=True),)
    visit = story.visit(at(1), "li", BOB)
    before, after = story.timeline().verdicts_around("zhang", visit)
    assert before.owners is None and after.owners == {BOB: 1}


def test_both_verdicts_are_judged_at_the_events_moment(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    later = story.visit(at(20), "zhang", BOB)  # alice's claim lapsed for want of a follow-up (IH-4)
    before, after = story.timeline().verdicts_around("zhang", later)
    assert before.at == after.at == at(20)
    assert before.owners != after.owners and after.owners == {BOB: 1}


def test_an_unknown_customer_or_event_is_refused(story: Story) -> None:
    visit = story.visit(at(1), "zhang", ALICE)
    timeline = story.timeline()
    with pytest.raises(KeyError):
        timeline.verdicts_around("nobody", visit)
    with pytest.raises(KeyError):
        timeline.verdicts_around("zhang", "e999")

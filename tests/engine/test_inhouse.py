"""In-house attribution edges that the example files do not show on their own."""

import pytest

from helpers import ALICE, BOB, CHARLIE, Story, at
from leadledger.engine import Relation


def test_a_leaver_of_a_split_claim_leaves_it_to_the_co_owner(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE, site="市区")
    story.visit(at(1, 15), "zhang", BOB, site="工地")
    story.left(at(2), BOB)
    verdict = story.timeline().verdict("zhang", at(2, 12))
    assert verdict.consultant == ALICE and "IH-13" in verdict.cites


def test_a_departed_consultant_registers_nothing(story: Story) -> None:
    story.left(at(1), ALICE)
    story.visit(at(2), "zhang", ALICE)
    story.visit(at(3), "zhang", BOB)
    assert story.timeline().verdict("zhang", at(3, 12)).consultant == BOB


def test_a_referral_logged_by_someone_who_since_left_gives_nothing(story: Story) -> None:
    story.referral(at(1), CHARLIE, "li")
    story.left(at(2), CHARLIE)
    story.visit(at(3), "li", BOB)
    assert story.timeline().verdict("li", at(3, 12)).consultant == BOB


def test_a_referral_naming_someone_elses_customer_gives_nothing(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.referral(at(2), BOB, "li", referrer="zhang")
    story.visit(at(3), "li", CHARLIE)
    verdict = story.timeline().verdict("li", at(3, 12))
    assert verdict.consultant == CHARLIE


def test_an_approved_renewal_while_pending_counts_as_the_follow_up(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.renewal(at(4), "zhang", ALICE)
    verdict = story.timeline().verdict("zhang", at(9))
    assert (verdict.consultant, verdict.status) == (ALICE, "active")
    assert verdict.until == at(7, month=5)  # 60 days after the window ends on March 8


def test_a_ruling_by_a_consultant_is_ignored_and_said(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.ruling(at(2), "zhang", BOB, by=BOB)
    verdict = story.timeline().verdict("zhang", at(2, 12))
    assert verdict.consultant == ALICE
    assert "only a manager may rule" in verdict.explain("en")


def test_events_added_out_of_order_give_the_verdicts_of_a_sorted_history(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(9), "zhang", ALICE)
    story.visit(at(10), "zhang", BOB)
    events = list(story.events)
    sorted_timeline = story.timeline()
    story.events = [events[2], events[0], events[1]]
    shuffled = story.timeline()
    piecemeal = Story().timeline()
    for event in reversed(events):
        piecemeal.add(event)
    for timeline in (shuffled, piecemeal):
        assert timeline.verdict("zhang", at(10, 12)).owners == sorted_timeline.verdict("zhang", at(10, 12)).owners
    assert sorted_timeline.verdict("zhang", at(10, 12)).consultant == BOB  # late follow-up: void, so Bob's


def test_a_customer_unknown_to_the_timeline_is_a_key_error(story: Story) -> None:
    with pytest.raises(KeyError):
        story.timeline().verdict("nobody", at(1))


def test_an_event_id_recorded_twice_is_refused(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    timeline = story.timeline()
    with pytest.raises(ValueError, match="already recorded"):
        timeline.add(story.events[0])


def test_a_household_member_deal_credits_the_households_owner() -> None:
    story = Story(relations=(Relation(a="zhang", b="li", kind="spouse", verified=True),))
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    deal = story.deal(at(10), "li", BOB)
    verdict = story.timeline().deal(deal)
    assert verdict.performance == {ALICE: 1}


def test_the_explanation_reads_aloud_in_chinese_with_dates_in_the_project_zone(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(4, 15), "zhang", ALICE)
    verdict = story.timeline().verdict("zhang", at(5))
    assert verdict.explain().startswith("王芳于 2026-03-01 10:00 首次登记来访")
    assert "归属有效至 2026-05-07 10:00" in verdict.explain()
    assert verdict.explain().endswith("（IH-1, IH-4, IH-5, D-1）")
    assert verdict.policy_version.startswith("default@")


def test_a_long_courted_customer_still_gets_one_short_sentence(story: Story) -> None:
    # Bug: every contest the owner survived added a sentence; after months the explanation ran to pages.
    story.visit(at(1, month=1), "zhang", ALICE)
    story.follow_up(at(2, month=1), "zhang", ALICE)
    for day in range(1, 29):  # the claim lapsed in March; Bob keeps registering, Alice keeps following up
        story.follow_up(at(day, 9, month=6), "zhang", ALICE)
        story.visit(at(day, 10, month=6), "zhang", BOB)
        story.renewal(at(day, 11, month=6), "zhang", ALICE, approved_by=None)
    verdict = story.timeline().verdict("zhang", at(28, 12, month=6))
    assert verdict.consultant == ALICE and verdict.status == "lapsed"
    codes = [r.code for r in verdict.reasons]
    assert codes.count("contest_kept") == 1 and codes.count("renewal_ignored") == 1
    assert "2026-06-28 10:00" in verdict.explain()  # the latest contest is the one said
    assert len(verdict.explain()) < 400


def test_a_timeline_told_its_ids_are_unique_indexes_them_when_first_asked(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)
    first, second = story.events
    timeline = story.timeline(ids_unique=True)
    assert timeline.event(second.id) is second
    assert timeline.events == (first, second)
    with pytest.raises(ValueError, match="already recorded"):
        timeline.add(first)  # the index made on demand still refuses a repeat

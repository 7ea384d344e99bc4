"""Splits and the ledger (C-1..C-7): exact shares, balanced lines, the worked arbitration of S3."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from helpers import ALICE, BOB, CHARLIE, Story, at
from leadledger.engine import arbitrate, commission_lines
from leadledger.engine.splits import allocate, split_inhouse


def _alice_owns_zhang(story: Story) -> None:
    story.visit(at(1), "zhang", ALICE)
    story.follow_up(at(2), "zhang", ALICE)


def test_a_decisive_helper_gets_three_tenths(story: Story) -> None:
    _alice_owns_zhang(story)
    deal = story.deal(at(20), "zhang", ALICE, helper=BOB, help="decisive")
    verdict = story.timeline().deal(deal)
    assert verdict.performance == {ALICE: 1}
    assert verdict.commission == {ALICE: Fraction(7, 10), BOB: Fraction(3, 10)}
    assert "C-4" in verdict.cites


def test_a_poacher_is_fined_and_loses_points_but_gets_nothing(story: Story) -> None:
    _alice_owns_zhang(story)
    deal = story.deal(at(20), "zhang", BOB, poacher=BOB)
    verdict = story.timeline().deal(deal)
    assert verdict.performance == {ALICE: 1} and verdict.commission == {ALICE: 1}
    assert verdict.fines == {BOB: Decimal("300")} and verdict.points == {BOB: -20}
    assert verdict.suspensions == {}


def test_under_zhidu_the_poacher_is_fined_100_and_suspended_a_week() -> None:
    story = Story({"preset": "制度"})
    _alice_owns_zhang(story)
    deal = story.deal(at(20), "zhang", ALICE, poacher=CHARLIE)
    verdict = story.timeline().deal(deal)
    assert verdict.fines == {CHARLIE: Decimal("100")} and verdict.suspensions == {CHARLIE: 7}


def test_a_complaint_transfer_after_a_ruling_halves_with_the_owner_before_the_ruling(story: Story) -> None:
    _alice_owns_zhang(story)
    story.ruling(at(10), "zhang", BOB)
    deal = story.deal(at(20), "zhang", BOB, complaint_transfer=True)
    verdict = story.timeline().deal(deal)
    assert verdict.performance == {BOB: 1}
    assert verdict.commission == {ALICE: Fraction(1, 2), BOB: Fraction(1, 2)}


def test_the_owner_closing_their_own_deal_needs_no_split(story: Story) -> None:
    _alice_owns_zhang(story)
    deal = story.deal(at(20), "zhang", ALICE, unknowing=True)
    assert story.timeline().deal(deal).commission == {ALICE: 1}


def test_a_customer_free_at_signing_is_the_closers(story: Story) -> None:
    deal = story.deal(at(20), "zhang", CHARLIE)
    verdict = story.timeline().deal(deal)
    assert verdict.performance == {CHARLIE: 1} and verdict.commission == {CHARLIE: 1}


def test_a_dismissal_after_the_deal_forfeits_commission_to_the_pool_but_not_before_it_is_known(story: Story) -> None:
    _alice_owns_zhang(story)
    deal = story.deal(at(20), "zhang", ALICE)
    story.left(at(25), ALICE, "dismissed")
    timeline = story.timeline()
    assert timeline.deal(deal).pool == 1 and timeline.deal(deal).commission == {}
    assert timeline.deal(deal, as_of=at(24)).commission == {ALICE: 1}


def test_the_worked_arbitration_of_the_phone_dispute_balances() -> None:
    # S3 界定5: commission 500; the company adds 500; fines go in, rewards and allocations come out,
    # and the 350 left pays for the team dinner.
    result = arbitrate(
        Decimal("500"),
        [
            ("company", "penalty", Decimal("500")),
            ("supervisor", "fine", Decimal("100")),
            ("phone_consultant", "allocation", Decimal("150")),
            ("phone_consultant", "fine", Decimal("50")),
            ("phone_consultant", "reward", Decimal("200")),
            ("desk_consultant", "allocation", Decimal("500")),
            ("desk_consultant", "fine", Decimal("50")),
        ],
        remainder_to="team_fund",
    )
    assert result.balanced
    assert result.lines[-1].account == "team_fund" and result.lines[-1].amount == Decimal("350")


@given(
    st.dictionaries(st.sampled_from("abcdefg"), st.integers(min_value=1, max_value=97), min_size=1),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999"), places=2),
)
def test_allocation_into_cents_always_adds_up_to_the_amount(weights: dict[str, int], amount: Decimal) -> None:
    total = sum(weights.values())
    shares = {k: Fraction(v, total) for k, v in weights.items()}
    parts = allocate(amount, shares)
    assert sum(parts.values()) == amount
    assert all(value >= 0 for value in parts.values())


def test_commission_lines_add_up_to_the_deal_commission(story: Story) -> None:
    _alice_owns_zhang(story)
    deal_id = story.deal(at(20), "zhang", BOB, unknowing=True, helper=CHARLIE, help="decisive")
    timeline = story.timeline()
    state = timeline._fold_household(timeline.identity.household["zhang"], None, through=timeline.event(deal_id))
    split = split_inhouse(state.deals[deal_id], timeline.cast, timeline.policy, {})
    lines = commission_lines(split, Decimal("1000.01"))
    assert sum(line.amount for line in lines) == Decimal("1000.01")

"""Properties that hold for every history, checked on random timelines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import AGENTS, ALICE, BOB, CHARLIE, CUSTOMERS, STAFF, ZHAO, at
from leadledger.engine import (
    Call,
    Cast,
    Customer,
    Deal,
    Desk,
    EscortedVisit,
    Event,
    FollowUp,
    ReferralLogged,
    Relation,
    Renewal,
    Ruling,
    StaffLeft,
    Timeline,
    Visit,
    policy_from,
)

CUSTOMER_IDS = sorted(CUSTOMERS)
CONSULTANTS = [ALICE, BOB, CHARLIE]
START = at(1, month=1)
HORIZON_MINUTES = 200 * 24 * 60

moments = st.integers(min_value=0, max_value=HORIZON_MINUTES).map(lambda m: START + timedelta(minutes=m))
customers = st.sampled_from(CUSTOMER_IDS)
consultants = st.sampled_from(CONSULTANTS)


@st.composite
def events(draw: st.DrawFn) -> Event:
    kind = draw(
        st.sampled_from(
            [
                "visit",
                "visit",
                "call",
                "follow_up",
                "follow_up",
                "renewal",
                "referral",
                "ruling",
                "left",
                "escort",
                "escort",
                "deal",
            ]
        )
    )
    common = {"id": "", "at": draw(moments)}
    if kind == "visit":
        return Visit(
            **common,
            customer=draw(customers),
            staff=draw(consultants),
            registered=draw(st.booleans()),
            site=draw(st.sampled_from([None, "市区", "工地"])),
            asks_for=draw(st.sampled_from([None, None, ALICE])),
        )
    if kind == "call":
        return Call(**common, customer=draw(customers), staff=draw(consultants))
    if kind == "follow_up":
        return FollowUp(**common, customer=draw(customers), staff=draw(consultants))
    if kind == "renewal":
        return Renewal(
            **common, customer=draw(customers), staff=draw(consultants), approved_by=draw(st.sampled_from([ZHAO, None]))
        )
    if kind == "referral":
        return ReferralLogged(
            **common,
            staff=draw(consultants),
            customer=draw(customers),
            referrer=draw(st.sampled_from([None, *CUSTOMER_IDS])),
        )
    if kind == "ruling":
        return Ruling(**common, customer=draw(customers), staff=draw(st.sampled_from([None, *CONSULTANTS])), by=ZHAO)
    if kind == "left":
        return StaffLeft(**common, staff=draw(consultants), reason=draw(st.sampled_from(["resigned", "dismissed"])))
    if kind == "escort":
        return EscortedVisit(**common, customer=draw(customers), agent=draw(st.sampled_from(sorted(AGENTS))))
    return Deal(
        **common,
        customer=draw(customers),
        buyer=draw(customers),
        staff=draw(consultants),
        helper=draw(st.sampled_from([None, BOB])),
        help=draw(st.sampled_from([None, "decisive", "signing_only"])),
        unknowing=draw(st.booleans()),
        complaint_transfer=draw(st.booleans()),
        on_the_spot=draw(st.booleans()),
    )


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Event], tuple[Relation, ...], dict[str, object]]:
    raw = draw(st.lists(events(), max_size=30))
    numbered = [replace(e, id=f"e{i}", seq=i) for i, e in enumerate(raw)]
    relations = tuple(
        Relation(a=a, b=b, kind=kind, verified=verified)
        for a, b, kind, verified in draw(
            st.lists(
                st.tuples(
                    customers,
                    customers,
                    st.sampled_from(["spouse", "parent_child", "sibling", "friend", "same_person"]),
                    st.booleans(),
                ),
                max_size=2,
            )
        )
        if a != b
    )
    policy = draw(st.sampled_from([{}, {"preset": "制度"}, {"preset": "方法"}, {"preset": "界定5"}]))
    return numbered, relations, policy


def _timeline(events: list[Event], relations: tuple[Relation, ...], policy: dict[str, object]) -> Timeline:
    cast = Cast(customers=dict(CUSTOMERS), staff=dict(STAFF), agents=dict(AGENTS), relations=relations)
    return Timeline(cast, policy_from(policy), events)


def _key(verdict: object) -> tuple[object, ...]:
    return (
        verdict.owners,
        verdict.status,
        verdict.until,
        verdict.channel,
        verdict.channel_status,  # type: ignore[attr-defined]
        verdict.channel_until,
        verdict.cites,
    )  # type: ignore[attr-defined]


@settings(max_examples=150, deadline=None)
@given(histories(), moments)
def test_a_verdict_at_t_depends_only_on_events_up_to_t(history, moment) -> None:
    events, relations, policy = history
    everything = _timeline(events, relations, policy)
    known = _timeline([e for e in events if e.at <= moment], relations, policy)
    for customer in CUSTOMER_IDS:
        assert _key(everything.verdict(customer, moment)) == _key(known.verdict(customer, moment))


@settings(max_examples=150, deadline=None)
@given(histories(), st.randoms(use_true_random=False), moments)
def test_the_order_events_are_handed_in_changes_no_verdict(history, rng, moment) -> None:
    events, relations, policy = history
    shuffled = list(events)
    rng.shuffle(shuffled)
    a, b = _timeline(events, relations, policy), _timeline(shuffled, relations, policy)
    for customer in CUSTOMER_IDS:
        assert _key(a.verdict(customer, moment)) == _key(b.verdict(customer, moment))
    for event in events:
        if isinstance(event, Deal):
            assert a.deal(event.id).as_dict() == b.deal(event.id).as_dict()


@settings(max_examples=100, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_file_order_matters_only_between_equal_times(history, rng) -> None:
    events, relations, policy = history
    distinct = {e.at: e for e in events}.values()  # one event per moment
    renumbered = list(distinct)
    rng.shuffle(renumbered)
    renumbered = [replace(e, seq=i) for i, e in enumerate(renumbered)]
    a, b = _timeline(list(distinct), relations, policy), _timeline(renumbered, relations, policy)
    end = START + timedelta(minutes=HORIZON_MINUTES)
    for customer in CUSTOMER_IDS:
        assert _key(a.verdict(customer, end)) == _key(b.verdict(customer, end))


@settings(max_examples=150, deadline=None)
@given(histories(), moments)
def test_shares_always_add_up_to_one(history, moment) -> None:
    events, relations, policy = history
    timeline = _timeline(events, relations, policy)
    for customer in CUSTOMER_IDS:
        verdict = timeline.verdict(customer, moment)
        for shares in (verdict.owners, verdict.channel):
            assert shares is None or sum(shares.values(), Fraction(0)) == 1
    for event in events:
        if isinstance(event, Deal):
            deal = timeline.deal(event.id)
            assert sum(deal.commission.values(), Fraction(0)) + deal.pool == 1
            assert sum(deal.performance.values(), Fraction(0)) == 1
            assert deal.channel is None or sum(deal.channel.values(), Fraction(0)) == 1


@settings(max_examples=60, deadline=None)
@given(histories())
def test_replay_is_deterministic(history) -> None:
    events, relations, policy = history
    first = _timeline(events, relations, policy).verdicts(START + timedelta(days=200))
    second = _timeline(events, relations, policy).verdicts(START + timedelta(days=200))
    render = lambda vs: json.dumps({k: v.as_dict("en") for k, v in vs.items()}, sort_keys=True)  # noqa: E731
    assert render(first) == render(second)


@settings(max_examples=60, deadline=None)
@given(histories())
def test_rebuilding_everyone_at_once_equals_judging_each_alone(history) -> None:
    events, relations, policy = history
    timeline = _timeline(events, relations, policy)
    end = START + timedelta(days=200)
    for customer, verdict in timeline.verdicts(end).items():
        assert _key(verdict) == _key(timeline.verdict(customer, end))


@settings(max_examples=100, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_adding_events_one_by_one_while_judging_equals_judging_the_whole_history(history, rng) -> None:
    events, relations, policy = history
    whole = _timeline(events, relations, policy)
    growing = _timeline([], relations, policy)
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        growing.add(event)
        growing.verdict(rng.choice(CUSTOMER_IDS), event.at)  # warms the incremental cache as the desk would
    end = START + timedelta(days=200)
    for customer in CUSTOMER_IDS:
        assert _key(growing.verdict(customer, end)) == _key(whole.verdict(customer, end))
        for moment in (START + timedelta(days=d) for d in (10, 50, 120)):
            assert _key(growing.verdict(customer, moment)) == _key(whole.verdict(customer, moment))


@settings(max_examples=100, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_adding_events_one_by_one_in_any_order_while_judging_equals_judging_the_whole_history(history, rng) -> None:
    # An import or a late entry adds the past: order of recording (seq) only breaks ties of time.
    events, relations, policy = history
    whole = _timeline(events, relations, policy)
    growing = _timeline([], relations, policy)
    for event in rng.sample(events, len(events)):
        growing.add(event)
        growing.verdict(rng.choice(CUSTOMER_IDS), rng.choice([event.at, START + timedelta(days=200)]))
    end = START + timedelta(days=200)
    for customer in CUSTOMER_IDS:
        assert _key(growing.verdict(customer, end)) == _key(whole.verdict(customer, end))


ROSTER = ("s1", "s2", "s3", "s4")
people = st.sampled_from([*ROSTER, "s5"])
steps = st.one_of(
    st.tuples(st.just("walk_in"), st.sampled_from([None, *ROSTER]), st.sampled_from([None, "s1", "s5"]), st.booleans()),
    st.tuples(st.sampled_from(["done", "away", "back", "suspend", "reinstate"]), people),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(steps, max_size=40))
def test_the_rotation_never_gives_a_new_walk_in_to_someone_away_or_suspended_while_someone_eligible_exists(
    plan,
) -> None:
    desk = Desk(roster=ROSTER)
    for step in plan:
        if step[0] == "walk_in":
            _, asks_for, owner, signed = step
            eligible = [s for s in ROSTER if desk.eligible(s)]
            before = desk
            desk, assignment = desk.walk_in("v", asks_for=asks_for, owner=owner, signed=signed)
            if assignment.staff is not None and assignment.staff != owner and assignment.staff != asks_for and eligible:
                assert before.present(assignment.staff) and assignment.staff not in before.suspended
                assert assignment.staff in eligible
            assert Desk.from_json(json.loads(json.dumps(desk.to_json()))) == desk
        else:
            kind, who = step
            desk = {
                "done": desk.finish,
                "away": desk.go_away,
                "back": desk.come_back,
                "suspend": desk.suspend,
                "reinstate": desk.reinstate,
            }[kind](who)


def test_events_at_one_moment_keep_their_order_of_recording_whatever_their_kinds() -> None:
    # Found by the two properties above: a bulk load routed contacts before other kinds, so a
    # renewal or ruling recorded first, at the same minute, was folded after the visit.
    events: list[Event] = [
        Call(id="e0", at=START, seq=0, customer="li", staff="alice"),
        Visit(id="e1", at=START, seq=1, customer="li", staff="alice", registered=False),
        Ruling(id="e2", at=START, seq=2, customer="li", staff=None, by="zhao"),
        Visit(id="e3", at=START, seq=3, customer="li", staff="alice"),
    ]
    given_order = _timeline(events, (), {})
    for order in (events[::-1], events[1:] + events[:1]):
        assert _key(_timeline(order, (), {}).verdict("li", START)) == _key(given_order.verdict("li", START))
    assert given_order.verdict("li", START).owners == {"alice": 1}  # the visit after the ruling claims
    renewal_first = [
        Renewal(id="e0", at=START, seq=0, customer="li", staff="alice", approved_by="zhao"),
        Visit(id="e1", at=START, seq=1, customer="li", staff="alice", registered=False),
    ]
    growing = _timeline([], (), {})
    for event in renewal_first:
        growing.add(event)
    end = START + timedelta(days=200)
    assert _key(growing.verdict("li", end)) == _key(_timeline(renewal_first, (), {}).verdict("li", end))


def _added_one_by_one(
    events: list[Event], order: list[int], relations: tuple[Relation, ...], policy: dict[str, object], customer: str
) -> Timeline:
    growing = _timeline([], relations, policy)
    for i in order:
        growing.add(events[i])
        growing.verdict(customer, START + timedelta(days=400))  # warms the incremental cache
    return growing


def test_a_referral_asked_about_while_a_household_is_caught_up_does_not_apply_the_visit_twice() -> None:
    # Found by the property above: the registered visit asks who owned the referrer (IH-8), which
    # folded the household again from the cached state being caught up, applied the same visit
    # twice, and lost the reason that a customer in the pool is claimed afresh (IH-13).
    later = START + timedelta(minutes=1)
    events: list[Event] = [
        Ruling(id="e0", at=START, seq=0, customer="li", staff=None, by=ZHAO),
        Visit(id="e1", at=START, seq=1, customer="li", staff=ALICE, registered=False),
        Visit(id="e2", at=later, seq=2, customer="li", staff=ALICE),
        ReferralLogged(id="e3", at=START, seq=3, staff=ALICE, customer="li", referrer="li"),
        Visit(id="e4", at=START, seq=4, customer="li", staff=ALICE, registered=False),
        Visit(id="e5", at=START, seq=5, customer="li", staff=ALICE, registered=False),
    ]
    policy: dict[str, object] = {"preset": "方法"}
    end = START + timedelta(days=400)
    whole = _timeline(events, (), policy).verdict("li", end)
    assert "IH-13" in whole.cites  # the pool's customer is new at the next registered visit
    for order in ([1, 4, 0, 5, 3, 2], [0, 1, 3, 4, 5, 2]):
        assert _key(_added_one_by_one(events, order, (), policy, "li").verdict("li", end)) == _key(whole)


def test_a_referral_by_a_household_member_judged_while_adding_equals_judging_the_whole_history() -> None:
    # The same cause with a referrer the input accepts: a spouse (ID-3) is in the same household.
    spouse = (Relation(a="zhang", b="li", kind="spouse", verified=True),)
    events: list[Event] = [
        Ruling(id="e0", at=START, seq=0, customer="zhang", staff=None, by=ZHAO),
        ReferralLogged(id="e1", at=START, seq=1, staff=BOB, customer="li", referrer="zhang"),
        Visit(id="e2", at=START + timedelta(minutes=1), seq=2, customer="li", staff=BOB),
    ]
    end = START + timedelta(days=400)
    for policy in ({}, {"preset": "方法"}):
        whole = _timeline(events, spouse, policy)
        growing = _added_one_by_one(events, [0, 1, 2], spouse, policy, "li")
        for customer in ("zhang", "li"):
            assert _key(growing.verdict(customer, end)) == _key(whole.verdict(customer, end))


@settings(max_examples=150, deadline=None)
@given(histories(), st.randoms(use_true_random=False), moments)
def test_a_history_in_the_ledgers_order_loads_as_a_shuffled_one_does(history, rng, moment) -> None:
    # Recorded in time and numbered in that order, as the ledger is: the bulk load skips its sort
    # and, with ids_unique, its index by id. Neither may change a verdict or a deal.
    events, relations, policy = history
    recorded = [replace(e, seq=i) for i, e in enumerate(sorted(events, key=lambda e: (e.at, e.seq)))]
    shuffled = list(recorded)
    rng.shuffle(shuffled)
    cast = Cast(customers=dict(CUSTOMERS), staff=dict(STAFF), agents=dict(AGENTS), relations=relations)
    in_order = Timeline(cast, policy_from(policy), recorded, ids_unique=True)
    reference = _timeline(shuffled, relations, policy)
    assert in_order.last_at == reference.last_at
    for customer in CUSTOMER_IDS:
        assert _key(in_order.verdict(customer, moment)) == _key(reference.verdict(customer, moment))
    for event in recorded:
        if isinstance(event, Deal):
            assert in_order.deal(event.id).as_dict() == reference.deal(event.id).as_dict()
    assert in_order.events == tuple(recorded)


@settings(max_examples=150, deadline=None)
@given(histories(), moments)
def test_a_standing_is_the_verdict_without_its_reasons(history, moment) -> None:
    events, relations, policy = history
    timeline = _timeline(events, relations, policy)
    moments_by_customer = {customer: moment for customer in CUSTOMER_IDS}
    verdicts = timeline.verdicts_at(moments_by_customer)
    for customer, standing in timeline.standings_at(moments_by_customer).items():
        verdict = verdicts[customer]
        assert standing == (verdict.owners, verdict.status, verdict.channel, verdict.channel_status)


@settings(max_examples=300, deadline=None)
@given(histories())
def test_a_deal_judged_after_its_household_equals_a_deal_judged_first(history) -> None:
    # A deal's split reuses the snapshot a whole judgement of its household took on the way (replay asks
    # of the deals after every customer); it must be the one a fold up to the deal takes.
    events, relations, policy = history
    deals = [e.id for e in events if isinstance(e, Deal)]
    first = _timeline(events, relations, policy)
    before = [first.deal(d).as_dict("zh") for d in deals]
    after_all = _timeline(events, relations, policy)
    for customer in CUSTOMER_IDS:
        after_all.verdict(customer, START + timedelta(minutes=HORIZON_MINUTES + 1))
    assert [after_all.deal(d).as_dict("zh") for d in deals] == before


@settings(max_examples=200, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_a_verdict_is_the_same_whoever_was_judged_before_it(history, rng) -> None:
    # A referrer's owners at a moment are kept once worked out (unless a referral loop was cut short
    # on the way): judging customers in any order, at any moments, in one timeline, must answer as a
    # fresh timeline does for each.
    events, relations, policy = history
    shared = _timeline(events, relations, policy)
    asked = [
        (rng.choice(CUSTOMER_IDS), START + timedelta(minutes=rng.randint(0, HORIZON_MINUTES + 10))) for _ in range(12)
    ]
    asked += [(e.customer, e.at) for e in events if isinstance(e, ReferralLogged)]
    rng.shuffle(asked)
    for customer, moment in asked:
        alone = _timeline(events, relations, policy).verdict(customer, moment)
        assert _key(shared.verdict(customer, moment)) == _key(alone)


@st.composite
def referral_loops(draw: st.DrawFn) -> list[Event]:
    """Visits and referrals at two moments only: referral loops at one instant, several deep."""
    moment = st.sampled_from([START, START + timedelta(minutes=1)])
    raw: list[Event] = []
    for _ in range(draw(st.integers(2, 12))):
        at_, customer = draw(moment), draw(customers)
        if draw(st.booleans()):
            raw.append(Visit(id="", at=at_, customer=customer, staff=draw(consultants)))
        else:
            referrer = draw(customers)
            raw.append(ReferralLogged(id="", at=at_, customer=customer, staff=draw(consultants), referrer=referrer))
    return [replace(e, id=f"e{i}", seq=i) for i, e in enumerate(raw)]


@settings(max_examples=300, deadline=None)
@given(referral_loops(), st.randoms(use_true_random=False))
def test_a_verdict_amid_referral_loops_is_the_same_whoever_was_judged_before_it(events, rng) -> None:
    shared = _timeline(events, (), {})
    asked = [(c, m) for c in CUSTOMER_IDS for m in (START, START + timedelta(minutes=1), START + timedelta(days=1))]
    rng.shuffle(asked)
    for customer, moment in asked:
        assert _key(shared.verdict(customer, moment)) == _key(_timeline(events, (), {}).verdict(customer, moment))


def test_a_referrers_owners_worked_out_inside_a_referral_loop_are_not_kept_for_others() -> None:
    # 张伟 and 李娜 were each logged as referred by the other; 王磊 as referred by 李娜. Asked from inside
    # 张伟's registration, 李娜's owners leave out her referral to 张伟 (the loop is cut there); asked for
    # 王磊, it counts. Kept from the first, 王磊's verdict would depend on who was judged before him.
    t0, t1 = START, START + timedelta(minutes=1)
    events: list[Event] = [
        ReferralLogged(id="e0", at=t0, seq=0, customer="zhang", staff=CHARLIE, referrer="li"),
        ReferralLogged(id="e1", at=t0, seq=1, customer="li", staff=ALICE, referrer="zhang"),
        ReferralLogged(id="e2", at=t0, seq=2, customer="wang", staff=BOB, referrer="li"),
        Visit(id="e3", at=t1, seq=3, customer="zhang", staff=ALICE),
        Visit(id="e4", at=t1, seq=4, customer="li", staff=BOB),
        Visit(id="e5", at=t1, seq=5, customer="wang", staff=CHARLIE),
    ]
    end = t1 + timedelta(days=1)
    alone = {c: _key(_timeline(events, (), {}).verdict(c, end)) for c in ("zhang", "li", "wang")}
    for order in (["zhang", "li", "wang"], ["li", "zhang", "wang"], ["wang", "li", "zhang"]):
        shared = _timeline(events, (), {})
        assert {c: _key(shared.verdict(c, end)) for c in order} == alone, order


@settings(max_examples=300, deadline=None)
@given(referral_loops(), st.randoms(use_true_random=False))
def test_referrals_at_one_instant_added_one_by_one_while_judging_equal_the_whole_history(events, rng) -> None:
    # Events recorded at the instant a referrer's owners were worked out change them: what was kept goes.
    whole = _timeline(events, (), {})
    growing = _timeline([], (), {})
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        growing.add(event)
        growing.verdict(rng.choice(CUSTOMER_IDS), event.at)
    for customer in CUSTOMER_IDS:
        for moment in (START, START + timedelta(minutes=1), START + timedelta(days=1)):
            assert _key(growing.verdict(customer, moment)) == _key(whole.verdict(customer, moment))


def test_a_referral_logged_within_the_referrers_own_household_does_not_count_the_registration_itself() -> None:
    # Found by the property above: 张伟 logged as referred by himself; asked at his own registration, his
    # owners then took in that registration (so the referral counted) when judged whole, and not when
    # judged as the history grew. His owners *before* it are asked: none, and the referral does not count.
    t0, t1 = START, START + timedelta(minutes=1)
    events: list[Event] = [
        Visit(id="e0", at=t1, seq=0, customer="zhang", staff=ALICE),
        Visit(id="e1", at=t1, seq=1, customer="li", staff=ALICE),
        ReferralLogged(id="e2", at=t0, seq=2, customer="zhang", staff=ALICE, referrer="zhang"),
        ReferralLogged(id="e3", at=t0, seq=3, customer="li", staff=ALICE, referrer="zhang"),
    ]
    whole = _timeline(events, (), {})
    growing = _timeline([], (), {})
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        growing.add(event)
        growing.verdict("li" if event.id == "e2" else "zhang", event.at)
    for customer in ("zhang", "li"):
        assert _key(growing.verdict(customer, t1)) == _key(whole.verdict(customer, t1))
    assert "IH-8" not in whole.verdict("zhang", t1).cites  # his own referral: nobody owned him before
    assert "IH-8" in whole.verdict("li", t1).cites  # 李娜's: 王芳 owned 张伟 by then


def test_a_referral_loop_across_two_moments_is_answered_the_same_whoever_was_judged_first() -> None:
    # Found by the nineteenth session's review: 李娜 referred by 张伟 on the 2nd and 张伟 by 李娜 on the
    # 17th, then 李娜 by 张伟 again on the 20th. The loop guard cut by household, not by moment, so
    # 张伟's owners as 李娜's second visit asked depended on whether 张伟 had been judged first.
    policy = {"follow_up_days": None, "valid_days": 15, "grace_days": 0}
    zhang, li = "zhang", "li"
    raw: list[Event] = [
        Visit(id="", at=at(1, month=3), customer=zhang, staff=ALICE),
        ReferralLogged(id="", at=at(2, month=3), customer=li, staff=ALICE, referrer=zhang),
        Visit(id="", at=at(3, month=3), customer=li, staff=BOB),
        ReferralLogged(id="", at=at(17, month=3), customer=zhang, staff=ALICE, referrer=li),
        Visit(id="", at=at(17, 12, month=3), customer=zhang, staff=CHARLIE),
        ReferralLogged(id="", at=at(20, month=3), customer=li, staff=ALICE, referrer=zhang),
        Visit(id="", at=at(20, 12, month=3), customer=li, staff=BOB),
    ]
    events = [replace(e, id=f"e{i}", seq=i) for i, e in enumerate(raw)]
    asked = [(zhang, at(18, 12, month=3)), (li, at(21, 12, month=3))]
    alone = {c: _key(_timeline(events, (), policy).verdict(c, m)) for c, m in asked}
    for order in (asked, asked[::-1]):
        shared = _timeline(events, (), policy)
        assert {c: _key(shared.verdict(c, m)) for c, m in order} == alone, order


two = st.sampled_from(["zhang", "li"])


@st.composite
def referrals_while_claims_lapse(draw: st.DrawFn) -> list[Event]:
    """Two customers over three weeks of 15-day claims: each day one of them visits, or is logged by
    王芳 as referred by the other and visits two hours later (the review's reproduction is one such)."""
    events: list[Event] = []
    for _ in range(draw(st.integers(2, 8))):
        day, customer, staff = draw(st.integers(0, 20)), draw(two), draw(consultants)
        moment = START + timedelta(days=day, hours=10)
        if draw(st.booleans()):
            other = "li" if customer == "zhang" else "zhang"
            events.append(ReferralLogged(id="", at=moment, customer=customer, staff=ALICE, referrer=other))
            moment += timedelta(hours=2)
        events.append(Visit(id="", at=moment, customer=customer, staff=staff))
    events.sort(key=lambda e: e.at)
    return [replace(e, id=f"e{i}", seq=i) for i, e in enumerate(events)]


@settings(max_examples=300, deadline=None)
@given(referrals_while_claims_lapse(), st.randoms(use_true_random=False))
def test_a_verdict_amid_referral_loops_over_many_days_is_the_same_whoever_was_judged_before_it(events, rng) -> None:
    # Loops across different moments (two customers referring each other while claims lapse): each
    # referrer's owners are read as of an earlier moment, so however the questions are ordered, every
    # answer is the one a fresh timeline gives.
    policy = {"follow_up_days": None, "valid_days": 15, "grace_days": 0}
    asked = [(c, START + timedelta(days=d, hours=13)) for c in ("zhang", "li") for d in range(22)]
    rng.shuffle(asked)
    shared = _timeline(events, (), policy)
    for customer, moment in asked:
        assert _key(shared.verdict(customer, moment)) == _key(_timeline(events, (), policy).verdict(customer, moment))


def test_a_referral_chain_of_any_depth_is_followed_to_its_first_owner() -> None:
    # IH-8: the chain continues. A chain of 2,000 customers, each referred by the one before, once ran
    # out of Python's stack (one nested fold per link) past about 150 links.
    count = 2000
    customers = {f"c{i}": Customer(id=f"c{i}", name=f"客户{i}", phone=None) for i in range(count)}
    events: list[Event] = []
    moment = START
    for i in range(count):
        if i:
            events.append(
                ReferralLogged(
                    id=f"r{i}", at=moment, seq=len(events), customer=f"c{i}", staff=ALICE, referrer=f"c{i - 1}"
                )
            )
            moment += timedelta(minutes=1)
        events.append(Visit(id=f"v{i}", at=moment, seq=len(events), customer=f"c{i}", staff=ALICE if i == 0 else BOB))
        moment += timedelta(minutes=1)
    cast = Cast(customers=customers, staff=dict(STAFF), agents=dict(AGENTS), relations=())
    verdict = Timeline(cast, policy_from({}), events).verdict(f"c{count - 1}", moment + timedelta(hours=1))
    assert verdict.owners == {ALICE: 1}

"""Referrers' owners through chains longer than the engine nests (IH-8, decision 541).

A shared Timeline (caches kept across questions, referrers asked too deep answered by a stand-in and
worked out again) must answer every question as a fresh Timeline does, on chains longer than _DEEPEST
mixed with referral loops, renewals, lapses, departures, rulings, deals, corrections and same-instant
events with repeated seq; and work out each referrer a bounded number of times (written by the
twentieth session's review).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import AGENTS, ALICE, BOB, CHARLIE, STAFF, ZHAO, at
from leadledger.engine import (
    Call,
    Cast,
    Customer,
    Deal,
    Event,
    FollowUp,
    ReferralLogged,
    Renewal,
    Ruling,
    StaffLeft,
    Timeline,
    Visit,
    policy_from,
)
from leadledger.engine.model import Correction

START = at(1, month=1)
LAPSING = {"follow_up_days": None, "valid_days": 15, "grace_days": 0}
CONSULTANTS = [ALICE, BOB, CHARLIE]


def _cast(count: int) -> Cast:
    customers = {f"c{i}": Customer(id=f"c{i}", name=f"客户{i}", phone=None) for i in range(count)}
    return Cast(customers=customers, staff=dict(STAFF), agents=dict(AGENTS), relations=())


def _answer(verdict: object) -> tuple[object, ...]:
    return (
        verdict.owners,  # type: ignore[attr-defined]
        verdict.status,  # type: ignore[attr-defined]
        verdict.until,  # type: ignore[attr-defined]
        verdict.cites,  # type: ignore[attr-defined]
        tuple(r.code for r in verdict.reasons),  # type: ignore[attr-defined]
    )


@st.composite
def chained_histories(draw: st.DrawFn) -> tuple[int, list[Event], dict[str, object]]:
    count = draw(st.integers(41, 95))
    # Chain moments in hours: non-decreasing, often equal (same-instant events).
    # (a referral logged at the referred customer's visit does not count, so that gap is rarely 0)
    gaps = []
    for _ in range(count):
        gaps.append(draw(st.sampled_from([1, 1, 2, 24])))  # the visit, after its referral
        gaps.append(draw(st.sampled_from([0, 0, 1, 24 * 9])))  # the referral, after the referrer's visit
    hours = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    moment = lambda h: START + timedelta(hours=h)  # noqa: E731
    raw: list[Event] = [Visit(id="", at=moment(hours[0]), customer="c0", staff=ALICE)]
    for i in range(1, count):
        raw.append(
            ReferralLogged(id="", at=moment(hours[2 * i - 1]), customer=f"c{i}", staff=ALICE, referrer=f"c{i - 1}")
        )
        raw.append(Visit(id="", at=moment(hours[2 * i]), customer=f"c{i}", staff=draw(st.sampled_from([BOB, CHARLIE]))))
    end = hours[-1] + 24 * 40
    people = st.integers(0, count - 1).map(lambda i: f"c{i}")
    when = st.one_of(st.sampled_from(hours), st.integers(0, end)).map(moment)
    extra = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["visit", "referral", "referral", "follow", "renew", "left", "ruling", "deal", "call"]),
                when,
                people,
                people,
                st.sampled_from(CONSULTANTS),
            ),
            max_size=25,
        )
    )
    for kind, at_, who, other, staff in extra:
        common = {"id": "", "at": at_}
        if kind == "visit":
            raw.append(Visit(**common, customer=who, staff=staff))
        elif kind == "referral":  # loops: a later customer refers an earlier one
            raw.append(ReferralLogged(**common, customer=who, staff=staff, referrer=other))
        elif kind == "follow":
            raw.append(FollowUp(**common, customer=who, staff=staff))
        elif kind == "renew":
            raw.append(Renewal(**common, customer=who, staff=staff, approved_by=ZHAO))
        elif kind == "left":
            raw.append(StaffLeft(**common, staff=staff, reason="resigned"))
        elif kind == "ruling":
            raw.append(Ruling(**common, customer=who, staff=draw(st.sampled_from([None, staff])), by=ZHAO))
        elif kind == "deal":
            raw.append(Deal(**common, customer=who, buyer=who, staff=staff))
        else:
            raw.append(Call(**common, customer=who, staff=staff))
    # seq: file order, or small numbers that repeat (events at one instant with one seq)
    repeated = draw(st.booleans())
    events: list[Event] = []
    for i, event in enumerate(sorted(raw, key=lambda e: e.at) if not repeated else raw):
        seq = draw(st.integers(0, 3)) if repeated else i
        events.append(replace(event, id=f"e{i}", seq=seq))
    if draw(st.booleans()):  # a correction of one chain visit, to another customer, some time later
        visits = [e for e in events if type(e) is Visit]
        visit = draw(st.sampled_from(visits))
        later = draw(st.integers(1, 24 * 20))
        events.append(
            Correction(
                id="fix",
                at=visit.at + timedelta(hours=later),
                seq=10_000,
                visit=visit.id,
                customer=draw(people),
                was_customer=visit.customer,
                staff=draw(st.sampled_from(CONSULTANTS)),
                by=ZHAO,
                reason="录错",
            )
        )
    policy = draw(st.sampled_from([LAPSING, {}]))
    return count, events, policy


@settings(max_examples=300, deadline=None)
@given(chained_histories(), st.data())
def test_a_shared_timeline_answers_as_a_fresh_one_amid_long_chains_and_loops(history, data) -> None:
    count, events, policy = history
    cast = _cast(count)
    try:
        shared = Timeline(cast, policy_from(policy), events)
    except ValueError:  # a correction the engine refuses (not an earlier visit of that customer)
        return
    last = max(e.at for e in events)
    moments = st.one_of(st.sampled_from(sorted({e.at for e in events})), st.just(last + timedelta(days=1)))
    questions = data.draw(
        st.lists(st.tuples(st.integers(0, count - 1).map(lambda i: f"c{i}"), moments), min_size=3, max_size=12)
    )
    for customer, moment in questions:
        fresh = Timeline(cast, policy_from(policy), events)
        assert _answer(shared.verdict(customer, moment)) == _answer(fresh.verdict(customer, moment)), (customer, moment)
    # the other ways in: standings, verdicts_around, deals
    moment = last + timedelta(days=1)
    wanted = {f"c{i}": moment for i in range(count)}
    fresh = Timeline(cast, policy_from(policy), events)
    assert shared.standings_at(wanted) == fresh.standings_at(wanted)
    event = data.draw(st.sampled_from([e for e in events if hasattr(e, "customer")]))
    fresh = Timeline(cast, policy_from(policy), events)
    pair = shared.verdicts_around(event.customer, event.id)  # type: ignore[attr-defined]
    again = fresh.verdicts_around(event.customer, event.id)  # type: ignore[attr-defined]
    assert [_answer(v) for v in pair] == [_answer(v) for v in again]
    for deal in (e for e in events if type(e) is Deal):
        fresh = Timeline(cast, policy_from(policy), events)
        assert shared.deal(deal.id).performance == fresh.deal(deal.id).performance


@settings(max_examples=200, deadline=None)
@given(chained_histories(), st.data())
def test_a_timeline_grown_event_by_event_answers_as_a_fresh_one(history, data) -> None:
    count, events, policy = history
    if any(type(e) is Correction for e in events):
        events = [e for e in events if type(e) is not Correction]
    cast = _cast(count)
    ordered = sorted(events, key=lambda e: (e.at, e.seq))
    cuts = sorted(set(data.draw(st.lists(st.integers(1, len(ordered)), min_size=1, max_size=6))))
    growing = Timeline(cast, policy_from(policy), ordered[: cuts[0]])
    done = cuts[0]
    for cut in [*cuts[1:], len(ordered)]:
        for event in ordered[done:cut]:
            growing.add(event)
        done = cut
        known = ordered[:cut]
        last = known[-1].at
        for customer in data.draw(st.lists(st.integers(0, count - 1).map(lambda i: f"c{i}"), min_size=1, max_size=4)):
            fresh = Timeline(cast, policy_from(policy), known)
            assert _answer(growing.verdict(customer, last)) == _answer(fresh.verdict(customer, last))


class _Written:
    """Events written one after another, a second apart, numbered in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.moment = START

    def add(self, cls: type, **fields: object) -> None:
        self.events.append(cls(id=f"e{len(self.events)}", at=self.moment, seq=len(self.events), **fields))
        self.moment += timedelta(seconds=1)


def _fan_at_depth(chain: int, fan: int) -> tuple[Cast, list[Event], object]:
    """c0 is registered after `fan` referrals that do not count (bob owns each referrer, alice logged
    them); c1..c{chain} each referred by the one before. Judging c{chain} asks c0's referrers at
    nesting depth `chain`."""
    customers = {f"r{i}": Customer(id=f"r{i}", name=f"荐{i}", phone=None) for i in range(fan)}
    customers.update({f"c{i}": Customer(id=f"c{i}", name=f"客{i}", phone=None) for i in range(chain + 1)})
    written = _Written()
    add = written.add
    for i in range(fan):
        add(Visit, customer=f"r{i}", staff=BOB)
    for i in range(fan):
        add(ReferralLogged, customer="c0", staff=ALICE, referrer=f"r{i}")
    add(Visit, customer="c0", staff=ALICE)
    for i in range(1, chain + 1):
        add(ReferralLogged, customer=f"c{i}", staff=ALICE, referrer=f"c{i - 1}")
        add(Visit, customer=f"c{i}", staff=BOB)
    return Cast(customers=customers, staff=dict(STAFF), agents={}, relations=()), written.events, written.moment


def _applied(monkeypatch, timeline: Timeline, customer: str, moment: object) -> int:
    """How many events the folds applied to judge one customer (each handler call counted)."""
    from leadledger.engine import inhouse

    count = 0

    def counting(handle):  # type: ignore[no-untyped-def]
        def counted(event, state, ctx):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1
            return handle(event, state, ctx)

        return counted

    for kind, handle in list(inhouse.HANDLERS.items()):
        monkeypatch.setitem(inhouse.HANDLERS, kind, counting(handle))
    timeline.verdict(customer, moment)  # type: ignore[arg-type]
    monkeypatch.undo()
    return count


def test_many_referrers_asked_at_the_deepest_nesting_are_not_folded_again_for_each(monkeypatch) -> None:
    # Each of the 1,500 referrers asked at nesting depth _DEEPEST threw _Deeper (aa88cd4), and the whole chain
    # above it (and c0's own fold up to its registration) is folded again: quadratic in the referrers
    # (about 1.2 million events applied for a history of 3,081; 12 s against 0.06 s one link shorter).
    cast, events, end = _fan_at_depth(40, 1500)
    timeline = Timeline(cast, policy_from({}), events)
    assert timeline.verdict("c40", end).owners == {ALICE: 1}
    applied = _applied(monkeypatch, Timeline(cast, policy_from({}), events), "c40", end)
    assert applied < 4 * len(events), applied


def test_many_deep_chains_behind_one_referrer_do_not_fold_it_again_for_each(monkeypatch) -> None:
    # f's registration follows 1,000 referral logs, each naming the end of its own chain of 45 that
    # nobody has asked about: each chain threw _Deeper (aa88cd4) and f's fold restarted from its beginning.
    customers: dict[str, Customer] = {}
    written = _Written()
    add = written.add
    chains, depth = 1000, 45
    for j in range(chains):
        for d in range(depth):
            customers[f"x{j}_{d}"] = Customer(id=f"x{j}_{d}", name=f"链{j}_{d}", phone=None)
            if d:
                add(ReferralLogged, customer=f"x{j}_{d}", staff=CHARLIE, referrer=f"x{j}_{d - 1}")
            add(Visit, customer=f"x{j}_{d}", staff=BOB)
    for name in ("f", "top"):
        customers[name] = Customer(id=name, name=name, phone=None)
    for j in range(chains):  # none counts: bob owns every x, alice logged them
        add(ReferralLogged, customer="f", staff=ALICE, referrer=f"x{j}_{depth - 1}")
    add(Visit, customer="f", staff=ALICE)
    add(ReferralLogged, customer="top", staff=ALICE, referrer="f")
    add(Visit, customer="top", staff=BOB)
    cast = Cast(customers=customers, staff=dict(STAFF), agents={}, relations=())
    applied = _applied(monkeypatch, Timeline(cast, policy_from({}), written.events), "top", written.moment)
    assert applied < 4 * len(written.events), (applied, len(written.events))


@settings(max_examples=200, deadline=None)
@given(chained_histories(), st.data(), st.sampled_from([1, 2, 3, 7]))
def test_a_shallow_nesting_limit_changes_no_answer(history, data, deepest) -> None:
    # The same questions with _DEEPEST as low as 1 (every nested question left for later) as with the
    # default: whatever the limit, a stand-in leaves no cache half-updated and no answer changed.
    import leadledger.engine.timeline as timeline_module

    count, events, policy = history
    cast = _cast(count)
    try:
        expected_timeline = Timeline(cast, policy_from(policy), events)
    except ValueError:
        return
    last = max(e.at for e in events)
    moments = st.one_of(st.sampled_from(sorted({e.at for e in events})), st.just(last + timedelta(days=1)))
    questions = data.draw(
        st.lists(st.tuples(st.integers(0, count - 1).map(lambda i: f"c{i}"), moments), min_size=3, max_size=12)
    )
    expected = [_answer(expected_timeline.verdict(c, m)) for c, m in questions]
    default = timeline_module._DEEPEST
    timeline_module._DEEPEST = deepest
    try:
        shallow = Timeline(cast, policy_from(policy), events)
        assert [_answer(shallow.verdict(c, m)) for c, m in questions] == expected
    finally:
        timeline_module._DEEPEST = default

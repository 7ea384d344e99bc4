"""Registrations (报备), protection schemes, refusals, appeals and risk signals (D-11..D-14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from itertools import count
from random import Random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import AGENTS, ALICE, BOB, CUSTOMERS, STAFF, ZHAO, at, minutes
from leadledger.engine import (
    Agent,
    Call,
    Cast,
    ChannelRuling,
    Customer,
    Deal,
    EngineError,
    EscortedVisit,
    Event,
    PolicyError,
    Registration,
    Relation,
    Staff,
    Timeline,
    Visit,
    policy_from,
)
from leadledger.engine.answers import answer
from leadledger.engine.distributor import agrees, read_typed_phone

MING, JIE, GANG = "ming", "jie", "gang"  # three agents of three distributors
SUN = "sun"  # the channel manager
AGENT_CAST = {**AGENTS, GANG: Agent(id=GANG, name="吴刚", distributor="置家分销")}
STAFF_CAST = {**STAFF, SUN: Staff(id=SUN, name="孙丽", role="channel_manager")}


class Channel:
    """A distributor's story: who registered, escorted, bought, and what the channel manager ruled."""

    def __init__(self, policy: dict[str, Any] | None = None, relations: tuple[Relation, ...] = ()) -> None:
        self.policy = policy_from(policy or {})
        self.relations = relations
        self.events: list[Event] = []
        self._ids = count(1)

    def _add(self, kind: type[Event], when: datetime, **fields: Any) -> str:
        event_id = f"e{next(self._ids)}"
        self.events.append(kind(id=event_id, at=when, seq=len(self.events), **fields))
        return event_id

    def register(self, when: datetime, customer: str, agent: str, **kw: Any) -> str:
        return self._add(Registration, when, customer=customer, agent=agent, **kw)

    def escort(self, when: datetime, customer: str, agent: str) -> str:
        return self._add(EscortedVisit, when, customer=customer, agent=agent)

    def visit(self, when: datetime, customer: str, staff: str = ALICE) -> str:
        return self._add(Visit, when, customer=customer, staff=staff)

    def call(self, when: datetime, customer: str, staff: str = ALICE) -> str:
        return self._add(Call, when, customer=customer, staff=staff)

    def deal(self, when: datetime, customer: str, staff: str = ALICE, **kw: Any) -> str:
        kw.setdefault("buyer", customer)
        return self._add(Deal, when, customer=customer, staff=staff, **kw)

    def rule(self, when: datetime, customer: str, agent: str | None, by: str = SUN, **kw: Any) -> str:
        return self._add(ChannelRuling, when, customer=customer, agent=agent, by=by, **kw)

    def timeline(self, customers: dict[str, Customer] | None = None) -> Timeline:
        cast = Cast(
            customers=customers or dict(CUSTOMERS),
            staff=dict(STAFF_CAST),
            agents=dict(AGENT_CAST),
            relations=self.relations,
        )
        return Timeline(cast, self.policy, self.events)


def _refusal(story: Channel, event: str, **kw: Any) -> str | None:
    return story.timeline(**kw).registration(event).refusal


# -- policy -------------------------------------------------------------------------------------


def test_the_registration_parameters_have_the_defaults_of_the_catalogue() -> None:
    policy = policy_from({})
    assert (policy.protection_scheme, policy.report_lead_minutes, policy.report_visit_days) == ("visit", 30, 7)
    assert (policy.report_phone_mode, policy.report_daily_cap, policy.appeal_days) == ("前三后四", 20, 7)
    assert policy.risk_window_hours == 24
    assert policy_from({"preset": "方法"}).protection_scheme == "visit"  # they apply to every preset


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("protection_scheme", "报备"),
        ("protection_scheme", 1),
        ("report_phone_mode", "前二后五"),
        ("report_daily_cap", 0),
        ("report_daily_cap", True),
        ("report_lead_minutes", -1),
        ("report_visit_days", 0),
        ("appeal_days", "7"),
        ("risk_window_hours", 0),
    ],
)
def test_a_bad_registration_parameter_is_refused_with_its_path(name: str, value: object) -> None:
    with pytest.raises(PolicyError) as caught:
        policy_from({name: value})
    assert caught.value.path == f"$.policy.{name}"


def test_the_new_parameters_at_their_defaults_keep_the_policy_version_stored_verdicts_record() -> None:
    # The versions of these policies before D-11..D-14 existed; a stored verdict records them.
    assert policy_from({}).version == "default@4b42f5620c88"
    assert policy_from({"preset": "制度"}).version == "制度@8b5c3819ad9d"
    assert policy_from({"report_daily_cap": 21}).version != policy_from({}).version


# -- what an agent typed ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "mode", "acceptable"),
    [
        ("13800005678", "前三后四", True),
        ("138 0000 5678", "full", True),
        ("+86 138-0000-5678", "前四后三", True),
        ("１３８００００５６７８", "full", True),  # full-width digits of a Chinese input method
        ("138****5678", "前三后四", True),
        ("138****5678", "前四后三", False),
        ("1380****678", "前四后三", True),
        ("1380****678", "前三后四", False),
        ("138****5678", "full", False),
        ("0571-88888888", "前三后四", False),  # a landline is not a mainland mobile
        ("+1 650 253 0000", "full", False),
        ("12345", "前三后四", False),
        ("", "前三后四", False),
    ],
)
def test_a_typed_number_is_acceptable_only_as_a_mainland_mobile_or_the_projects_mask(
    typed: str, mode: str, acceptable: bool
) -> None:
    assert (read_typed_phone(typed, mode) is not None) is acceptable


def test_a_mask_agrees_with_a_record_by_its_visible_digits_and_the_surname() -> None:
    zhang = CUSTOMERS["zhang"]  # 张伟 +8613800000001

    def registration(phone: str, name: str | None = None) -> Registration:
        return Registration(id="r", at=at(1), customer="zhang", agent=MING, phone=phone, name=name)

    assert agrees(registration("138****0001", "张先生"), zhang, "前三后四")
    assert agrees(registration("138****0001"), zhang, "前三后四")  # no name typed: the record's
    assert not agrees(registration("138****0001", "王先生"), zhang, "前三后四")
    assert not agrees(registration("138****0002", "张伟"), zhang, "前三后四")
    assert agrees(registration("13800000001"), zhang, "full")
    assert not agrees(registration("13800000009"), zhang, "full")


# -- D-12: refusals and their order ----------------------------------------------------------------


def test_each_refusal_is_one_of_the_rules_words_and_never_names_who_holds_the_customer() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    first = story.register(at(1), "zhang", MING)
    second = story.register(at(1, 11), "zhang", JIE)
    timeline = story.timeline()
    assert timeline.registration(first).accepted
    refused = timeline.registration(second)
    assert (refused.accepted, refused.refusal, refused.until) == (False, "已被报备", None)
    for lang in ("zh", "en"):
        said = refused.explain(lang)
        assert "李明" not in said and "安居" not in said  # the holder's agent and distributor stay unsaid


def test_the_cap_is_checked_first_then_the_number() -> None:
    story = Channel({"report_daily_cap": 1})
    story.register(at(1, 9), "li", MING)
    both = story.register(at(1, 10), "zhang", MING, phone="12345")
    assert _refusal(story, both) == "超出当日报备上限"


def test_an_invalid_number_comes_before_a_household_that_bought() -> None:
    story = Channel()
    story.deal(at(1), "zhang")
    assert _refusal(story, story.register(at(2), "zhang", MING, phone="0571-88888888")) == "号码无效"
    assert _refusal(story, story.register(at(2, 11), "zhang", MING)) == "已成交业主"


def test_a_household_that_bought_comes_before_a_duplicate() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    story.deal(at(2), "zhang")
    assert _refusal(story, story.register(at(3), "zhang", MING)) == "已成交业主"


def test_a_spouse_who_bought_makes_the_household_an_owner() -> None:
    story = Channel(relations=(Relation(a="zhang", b="li", kind="spouse", verified=True),))
    story.deal(at(1), "li")
    assert _refusal(story, story.register(at(2), "zhang", MING)) == "已成交业主"


def test_a_duplicate_comes_before_taken_when_a_split_claim_holds_the_agent_and_another() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.escort(at(1), "zhang", JIE)  # D-9: split
    assert _refusal(story, story.register(at(2), "zhang", MING)) == "重复报备"
    assert _refusal(story, story.register(at(2, 11), "zhang", GANG)) == "已被报备"


def test_taken_comes_before_known_to_the_house() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    story.visit(at(2), "zhang")  # after the registration: does not undo it
    assert _refusal(story, story.register(at(3), "zhang", JIE)) == "已被报备"


def test_an_in_house_contact_in_the_lookback_refuses_and_one_before_it_does_not() -> None:
    # "In the N days before t" is [t - N days, t): a contact exactly 90 days before still counts.
    story = Channel()
    story.call(at(1, month=1), "zhang")
    known = story.register(at(1, 10, month=4), "zhang", MING)  # exactly 90 days later
    fresh = story.register(at(1, 11, month=4), "li", MING)
    assert _refusal(story, known) == "案场已有接触"
    assert _refusal(story, fresh) is None
    later = Channel()
    later.call(at(1, month=1), "zhang")
    assert _refusal(later, later.register(at(1, 10, 1, month=4), "zhang", MING)) is None


def test_a_lapsed_distributor_customer_may_be_registered_again_despite_in_house_contact() -> None:
    story = Channel({"protection_scheme": "report"})
    story.register(at(1), "zhang", MING)
    story.visit(at(10), "zhang")
    again = story.register(at(1, month=6), "zhang", JIE)  # the first protection ended on 30 May
    verdict = story.timeline().registration(again)
    assert verdict.accepted
    assert story.timeline().verdict("zhang", at(2, month=6)).channel == {JIE: 1}


def test_a_registration_of_a_customer_with_no_mainland_mobile_on_record_has_an_invalid_number() -> None:
    customers = {
        **CUSTOMERS,
        "lin": Customer(id="lin", name="林峰", phone=None),
        "ho": Customer(id="ho", name="何宝", phone="+85291234567"),
    }
    story = Channel()
    nothing = story.register(at(1), "lin", MING)
    foreign = story.register(at(1), "ho", MING)
    typed = story.register(at(1, 11), "lin", MING, phone="13600000007")
    timeline = story.timeline(customers)
    assert timeline.registration(nothing).refusal == "号码无效"
    assert timeline.registration(foreign).refusal == "号码无效"
    assert timeline.registration(typed).accepted


def test_the_daily_cap_counts_refused_attempts_and_the_projects_calendar_day() -> None:
    story = Channel({"report_daily_cap": 2, "time_zone": "Asia/Shanghai"})
    story.register(at(1, 9), "zhang", MING, phone="12345")  # refused, but an attempt
    story.register(at(1, 10), "li", MING)
    over = story.register(at(1, 23, 59), "wang", MING)
    next_day = story.register(at(2, 0, 1), "wang", MING)  # same UTC day (16:01Z), a new day in Shanghai
    other_agent = story.register(at(1, 23, 59), "wang", JIE)
    timeline = story.timeline()
    assert timeline.registration(over).refusal == "超出当日报备上限"
    assert timeline.registration(next_day).accepted
    assert timeline.registration(other_agent).accepted


def test_the_daily_cap_follows_the_projects_time_zone() -> None:
    story = Channel({"report_daily_cap": 1, "time_zone": "UTC"})
    story.register(at(1, 9), "zhang", MING)  # 01:00Z on the 1st
    late = story.register(at(2, 0, 1), "li", MING)  # 16:01Z on the 1st: the same day in UTC
    assert _refusal(story, late) == "超出当日报备上限"


# -- D-11: the three schemes -----------------------------------------------------------------------


@pytest.mark.parametrize(("lead", "claims"), [(29, False), (30, True), (31, True)])
def test_under_report_visit_the_registration_must_come_30_minutes_before_the_visit(lead: int, claims: bool) -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    story.escort(at(1) + minutes(lead), "zhang", MING)
    verdict = story.timeline().verdict("zhang", at(1, 12))
    assert verdict.channel == ({MING: 1} if claims else None)
    assert "D-11" in verdict.cites


@pytest.mark.parametrize(("late", "claims"), [(timedelta(0), True), (timedelta(minutes=1), False)])
def test_under_report_visit_the_registration_holds_report_visit_days(late: timedelta, claims: bool) -> None:
    story = Channel({"protection_scheme": "report_visit", "report_visit_days": 3})
    registration = story.register(at(1), "zhang", MING)
    story.escort(at(4) + late, "zhang", MING)
    timeline = story.timeline()
    assert timeline.registration(registration).until == at(4)
    assert (timeline.verdict("zhang", at(5)).channel is not None) is claims


def test_under_report_visit_a_registration_holds_the_person_against_others_until_it_ends() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    during = story.register(at(8), "zhang", JIE)  # exactly 7 days: still held
    after = story.register(at(8, 10, 1), "zhang", JIE)
    timeline = story.timeline()
    assert timeline.registration(during).refusal == "已被报备"
    assert timeline.registration(after).accepted


def test_under_report_visit_the_lookback_is_measured_from_the_registration() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    story.visit(at(2), "zhang", BOB)
    story.escort(at(3), "zhang", MING)
    verdict = story.timeline().verdict("zhang", at(3, 12))
    assert verdict.channel == {MING: 1}
    assert verdict.owners == {BOB: 1}  # the house's consultant keeps the in-house claim


def test_under_report_visit_another_agents_visit_without_registration_is_the_houses() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.escort(at(1), "zhang", JIE)
    assert story.timeline().verdict("zhang", at(2)).channel is None


def test_under_report_the_registration_is_the_claim_and_a_deal_follows_it() -> None:
    story = Channel({"protection_scheme": "report"})
    registration = story.register(at(1), "zhang", MING)
    deal = story.deal(at(20), "zhang")
    timeline = story.timeline()
    assert timeline.registration(registration).until == at(1) + timedelta(days=90)
    assert timeline.verdict("zhang", at(1, 11)).channel == {MING: 1}
    assert timeline.deal(deal).channel == {MING: 1}


def test_under_report_an_escorted_visit_without_registration_claims_nothing() -> None:
    story = Channel({"protection_scheme": "report"})
    story.escort(at(1), "zhang", MING)
    deal = story.deal(at(2), "zhang")
    assert story.timeline().deal(deal).channel is None


def test_under_visit_an_accepted_registration_protects_nothing() -> None:
    story = Channel()
    registration = story.register(at(1), "zhang", MING)
    story.escort(at(2), "zhang", JIE)
    timeline = story.timeline()
    accepted = timeline.registration(registration)
    assert (accepted.accepted, accepted.until) == (True, None)
    assert timeline.verdict("zhang", at(3)).channel == {JIE: 1}


def test_a_masked_registration_applies_only_when_the_full_number_agrees() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING, phone="138****0001", name="张先生")
    story.register(at(1), "li", MING, phone="139****0002", name="王女士")  # another surname
    story.escort(at(2), "zhang", MING)
    story.escort(at(2), "li", MING)
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(3)).channel == {MING: 1}
    assert timeline.verdict("li", at(3)).channel is None


def test_a_masked_registration_never_wins_over_an_earlier_exact_one() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1, 9), "zhang", JIE)
    masked = story.register(at(1, 10), "zhang", MING, phone="138****0001", name="张伟")
    story.escort(at(2), "zhang", MING)
    story.escort(at(2, 11), "zhang", JIE)
    timeline = story.timeline()
    assert timeline.registration(masked).refusal == "已被报备"
    assert timeline.verdict("zhang", at(2, 10, 30)).channel is None
    assert timeline.verdict("zhang", at(2, 12)).channel == {JIE: 1}


def test_under_report_visit_a_same_moment_split_needs_each_agents_own_registration() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1, 9), "zhang", MING)
    story.escort(at(2), "zhang", MING)
    story.escort(at(2), "zhang", JIE)  # no registration of his own: D-8, the first keeps it
    assert story.timeline().verdict("zhang", at(3)).channel == {MING: 1}


def test_under_report_a_lapsed_customer_is_not_claimed_again_by_an_escorted_visit() -> None:
    story = Channel({"protection_scheme": "report"})
    story.register(at(1), "zhang", MING)
    story.escort(at(1, month=6), "zhang", JIE)  # after the protection ended on 30 May
    verdict = story.timeline().verdict("zhang", at(2, month=6))
    assert (verdict.channel, verdict.channel_status) == (None, "public")


def test_a_deal_where_the_person_was_only_confirmed_for_another_buyer_makes_no_owner() -> None:
    story = Channel()
    story.deal(at(1), "zhang", buyer="wang")
    assert _refusal(story, story.register(at(2), "zhang", MING)) is None
    assert _refusal(story, story.register(at(2, 11), "wang", MING)) == "已成交业主"


# -- D-13: rulings and appeals ----------------------------------------------------------------------


def test_an_upheld_appeal_is_a_ruling_the_verdict_and_the_deal_follow() -> None:
    story = Channel()
    story.call(at(1), "zhang")
    story.escort(at(10), "zhang", MING)  # D-1: the house's
    story.rule(at(17), "zhang", MING, reason="误拨", appeal=True)  # exactly appeal_days later
    deal = story.deal(at(20), "zhang")
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(16)).channel is None
    upheld = timeline.verdict("zhang", at(17, 11))
    assert upheld.channel == {MING: 1}
    assert "D-13" in upheld.cites
    assert timeline.deal(deal).channel == {MING: 1}


def test_an_appeal_after_appeal_days_changes_nothing() -> None:
    story = Channel()
    story.call(at(1), "zhang")
    story.escort(at(10), "zhang", MING)
    story.rule(at(17, 10, 1), "zhang", MING, appeal=True)
    verdict = story.timeline().verdict("zhang", at(18))
    assert verdict.channel is None
    assert "D-13" in verdict.cites


def test_an_appeal_against_a_refused_registration_is_heard() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.call(at(1), "zhang")
    refused = story.register(at(5), "zhang", MING)
    story.rule(at(6), "zhang", MING, appeal=True, reason="来电系误拨")
    timeline = story.timeline()
    assert timeline.registration(refused).refusal == "案场已有接触"
    assert timeline.verdict("zhang", at(7)).channel == {MING: 1}


def test_a_channel_ruling_to_the_house_ends_a_distributors_claim() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.rule(at(5), "zhang", None, reason="客户自行到访")
    deal = story.deal(at(6), "zhang")
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(5, 11)).channel is None
    assert "D-10" in timeline.verdict("zhang", at(5, 11)).cites
    assert timeline.deal(deal).channel is None


def test_a_ruling_to_the_house_ends_registrations_too() -> None:
    story = Channel({"protection_scheme": "report_visit"})
    story.register(at(1), "zhang", MING)
    story.rule(at(2), "zhang", None, reason="客户否认经纪人推荐")
    story.escort(at(3), "zhang", MING)
    other = story.register(at(2, 11), "zhang", JIE)
    timeline = story.timeline()
    assert timeline.verdict("zhang", at(4)).channel is None
    assert timeline.registration(other).accepted


def test_a_rejected_appeal_is_a_ruling_to_the_house_whenever_it_comes() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.rule(at(1, month=5), "zhang", None, appeal=True, reason="证据不足")
    verdict = story.timeline().verdict("zhang", at(2, month=5))
    assert verdict.channel is None
    assert "D-13" in verdict.cites


def test_a_channel_ruling_by_someone_without_authority_is_ignored() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.rule(at(5), "zhang", None, by=ALICE)
    assert story.timeline().verdict("zhang", at(6)).channel == {MING: 1}


def test_a_ruling_manager_may_be_any_manager() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.rule(at(5), "zhang", JIE, by=ZHAO)
    assert story.timeline().verdict("zhang", at(6)).channel == {JIE: 1}


# -- D-14: risk signals -------------------------------------------------------------------------


def test_risk_signals_name_the_events_behind_them() -> None:
    story = Channel(relations=(Relation(a="zhang", b="li", kind="spouse", verified=True),))
    first = story.register(at(1), "zhang", MING)
    second = story.register(at(1, 11), "li", JIE)
    story.escort(at(1, 14), "zhang", MING)
    deal = story.deal(at(2, 9), "zhang")
    signals = [(signal.code, signal.events) for signal in story.timeline().risk_signals("zhang")]
    assert sorted(signals) == [
        ("risk_deal_soon", (first, deal)),
        ("risk_deal_soon", (second, deal)),  # the spouse's registration is the household's too
        ("risk_several", (first, second)),
    ]


def test_a_deal_after_risk_window_hours_is_no_signal() -> None:
    story = Channel({"risk_window_hours": 2})
    story.register(at(1), "zhang", MING)
    story.deal(at(1, 12, 1), "zhang")
    assert story.timeline().risk_signals("zhang") == []


def test_a_registered_name_or_number_that_differs_from_the_record_is_a_signal() -> None:
    story = Channel()
    renamed = story.register(at(1), "zhang", MING, name="张玮")
    story.register(at(1), "li", MING, name="李女士")  # a surname only: how agents register
    renumbered = story.register(at(1), "wang", JIE, phone="13700000009")
    timeline = story.timeline()
    assert [s.events for s in timeline.risk_signals("zhang")] == [(renamed,)]
    assert timeline.risk_signals("li") == []
    assert [s.events for s in timeline.risk_signals("wang")] == [(renumbered,)]


def test_risk_signals_are_cited_by_the_verdict_and_change_nothing_in_it() -> None:
    story = Channel()
    story.register(at(1), "zhang", MING, name="张玮")
    story.escort(at(2), "zhang", MING)
    with_signal = story.timeline().verdict("zhang", at(3))
    quiet = Channel()
    quiet.register(at(1), "zhang", MING)
    quiet.escort(at(2), "zhang", MING)
    without = quiet.timeline().verdict("zhang", at(3))
    assert "D-14" in with_signal.cites and "D-14" not in without.cites
    assert (with_signal.owners, with_signal.channel, with_signal.channel_until, with_signal.status) == (
        without.owners,
        without.channel,
        without.channel_until,
        without.status,
    )


def test_a_project_without_registrations_has_no_risk_signals() -> None:
    story = Channel()
    story.escort(at(1), "zhang", MING)
    story.deal(at(1, 11), "zhang")
    assert story.timeline().risk_signals("zhang") == []


# -- scenario files ---------------------------------------------------------------------------------


def _scenario(events: list[dict[str, Any]], expect: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "customers": [{"id": "c1", "name": "张伟", "phone": "13800000001"}],
        "staff": [{"id": "cm", "name": "孙丽", "role": "channel_manager"}],
        "agents": [{"id": "a1", "name": "李明", "distributor": "安居分销"}],
        "events": events,
        "expect": expect,
    }


REGISTRATION = {"id": "r1", "at": "2026-03-01T10:00:00+08:00", "type": "registration", "customer": "c1", "agent": "a1"}


@pytest.mark.parametrize(
    ("events", "expect", "path"),
    [
        ([{**REGISTRATION, "agent": "a9"}], [], "$.events[0].agent"),
        ([{**REGISTRATION, "phone": 13800000001}], [], "$.events[0].phone"),
        ([{**REGISTRATION, "by": "cm"}], [], "$.events[0].by"),
        (
            [{"id": "x", "at": "2026-03-01T10:00:00+08:00", "type": "channel_ruling", "customer": "c1", "agent": None}],
            [],
            "$.events[0].by",
        ),
        (
            [
                {
                    "id": "x",
                    "at": "2026-03-01T10:00:00+08:00",
                    "type": "channel_ruling",
                    "customer": "c1",
                    "agent": None,
                    "by": "cm",
                    "appeal": "yes",
                }
            ],
            [],
            "$.events[0].appeal",
        ),
        ([REGISTRATION], [{"registration": "r9"}], "$.expect[0].registration"),
        ([REGISTRATION], [{"registration": "r1", "accepted": "yes"}], "$.expect[0].accepted"),
        ([REGISTRATION], [{"registration": "r1", "reason": "不行"}], "$.expect[0].reason"),
        ([REGISTRATION], [{"registration": "r1", "until": "2026-03-08"}], "$.expect[0].until"),
        ([REGISTRATION], [{"registration": "r1", "channel": "a1"}], "$.expect[0].channel"),
    ],
)
def test_a_bad_registration_or_ruling_in_a_file_names_its_json_path(
    events: list[dict[str, Any]], expect: list[dict[str, Any]], path: str
) -> None:
    with pytest.raises(EngineError) as caught:
        answer(_scenario(events, expect))
    assert caught.value.path == path


def test_an_invalid_typed_number_in_a_file_is_a_refusal_not_an_error() -> None:
    outcome = answer(
        _scenario(
            [{**REGISTRATION, "phone": "0571-8888"}],
            [{"registration": "r1", "accepted": False, "reason": "号码无效", "cites": ["D-12"]}],
        )
    )
    assert outcome.ok, outcome.mismatches
    assert outcome.answers[0]["until"] is None


def test_a_registration_answer_compares_until_as_a_moment() -> None:
    data = _scenario([REGISTRATION], [{"registration": "r1", "accepted": True, "until": "2026-03-08T02:00:00Z"}])
    data["policy"] = {"protection_scheme": "report_visit"}
    assert answer(data).ok
    data["expect"][0]["until"] = "2026-03-08T10:01:00+08:00"
    outcome = answer(data)
    assert not outcome.ok and "until" in outcome.mismatches[0]


# -- properties -----------------------------------------------------------------------------------

START = at(1, month=1)
_moments = st.integers(min_value=0, max_value=60 * 24 * 4).map(lambda quarter: START + timedelta(minutes=15 * quarter))
_customers = st.sampled_from(sorted(CUSTOMERS))
_agents = st.sampled_from(sorted(AGENT_CAST))


@st.composite
def _channel_event(draw: st.DrawFn) -> Event:
    kind = draw(st.sampled_from(["register", "register", "register", "escort", "escort", "visit", "call", "deal"]))
    when, customer = draw(_moments), draw(_customers)
    if kind == "register":
        phone = draw(st.sampled_from([None, None, "138****0001", "139****0002", "12345", "13700000003"]))
        return Registration(id="", at=when, customer=customer, agent=draw(_agents), phone=phone)
    if kind == "escort":
        return EscortedVisit(id="", at=when, customer=customer, agent=draw(_agents))
    if kind == "visit":
        return Visit(id="", at=when, customer=customer, staff=draw(st.sampled_from([ALICE, BOB])))
    if kind == "call":
        return Call(id="", at=when, customer=customer, staff=ALICE)
    return Deal(id="", at=when, customer=customer, buyer=customer, staff=ALICE)


@st.composite
def _channel_history(draw: st.DrawFn) -> list[Event]:
    raw = draw(st.lists(_channel_event(), max_size=25))
    rulings = draw(
        st.lists(
            st.tuples(_moments, _customers, st.sampled_from([None, MING, JIE]), st.sampled_from([SUN, ALICE])),
            max_size=2,
        )
    )
    raw += [ChannelRuling(id="", at=when, customer=c, agent=a, by=by) for when, c, a, by in rulings]
    return [replace(event, id=f"e{i}", seq=i) for i, event in enumerate(raw)]


def _cast() -> Cast:
    relations = (Relation(a="zhang", b="li", kind="spouse", verified=True),)
    return Cast(customers=dict(CUSTOMERS), staff=dict(STAFF_CAST), agents=dict(AGENT_CAST), relations=relations)


def _outcomes(timeline: Timeline, events: list[Event]) -> list[tuple[object, ...]]:
    """Every customer's verdict at every event and after all, and every deal's channel."""
    found: list[tuple[object, ...]] = []
    for moment in sorted({e.at for e in events} | {START + timedelta(days=200)}):
        for cid in sorted(CUSTOMERS):
            v = timeline.verdict(cid, moment)
            found.append((cid, moment, v.owners, v.status, v.until, v.channel, v.channel_status, v.channel_until))
    found.extend((e.id, timeline.deal(e.id).channel) for e in events if isinstance(e, Deal))
    return found


@settings(max_examples=60, deadline=None)
@given(_channel_history())
def test_under_visit_registrations_claim_nothing(events: list[Event]) -> None:
    policy = policy_from({})
    with_them = Timeline(_cast(), policy, events)
    without = [e for e in events if not isinstance(e, Registration)]
    assert _outcomes(with_them, events) == _outcomes(Timeline(_cast(), policy, without), events)


@settings(max_examples=60, deadline=None)
@given(_channel_history(), st.sampled_from(["visit", "report_visit", "report"]))
def test_a_refused_registration_never_changes_any_verdict(events: list[Event], scheme: str) -> None:
    # The daily cap counts refused attempts by design; here it is out of reach, so that dropping a
    # refused registration cannot make a later one the agent's 20th.
    policy = policy_from({"protection_scheme": scheme, "report_daily_cap": 1000})
    whole = Timeline(_cast(), policy, events)
    refused = {e.id for e in events if isinstance(e, Registration) and not whole.registration(e.id).accepted}
    kept = [e for e in events if e.id not in refused]
    assert _outcomes(whole, events) == _outcomes(Timeline(_cast(), policy, kept), events)


@settings(max_examples=40, deadline=None)
@given(_channel_history(), st.sampled_from(["visit", "report_visit", "report"]), st.randoms(use_true_random=False))
def test_registrations_are_judged_alike_whatever_order_they_were_recorded_in(
    events: list[Event], scheme: str, rng: Random
) -> None:
    policy = policy_from({"protection_scheme": scheme, "report_daily_cap": 2})
    bulk = Timeline(_cast(), policy, events)
    shuffled = list(events)
    rng.shuffle(shuffled)
    one_by_one = Timeline(_cast(), policy, shuffled[:1])
    for event in shuffled[1:]:
        one_by_one.add(event)
    for event in events:
        if isinstance(event, Registration):
            a, b = bulk.registration(event.id), one_by_one.registration(event.id)
            assert (a.accepted, a.refusal, a.until) == (b.accepted, b.refusal, b.until)
    assert _outcomes(bulk, events) == _outcomes(one_by_one, events)

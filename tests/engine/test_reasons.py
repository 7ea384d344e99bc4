"""Sentences name each person from the right roster: the ledger numbers customers, staff and agents alike."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from leadledger.engine import Agent, Cast, Customer, EscortedVisit, Relation, Staff, Timeline, Visit, policy_from
from leadledger.engine.reasons import Describer, reason

AT = datetime(2026, 3, 1, 2, tzinfo=UTC)


def _timeline() -> Timeline:
    # Customer 1, staff 1 and agent 1 are three different people, as in a fresh database.
    cast = Cast(
        customers={"1": Customer(id="1", name="张伟"), "2": Customer(id="2", name="李娜")},
        staff={"1": Staff(id="1", name="王芳"), "2": Staff(id="2", name="刘洋"), "3": Staff(id="3", name="陈静")},
        agents={"1": Agent(id="1", name="链家小马", distributor="链家")},
        relations=(Relation(a="1", b="2", kind="spouse", verified=True),),
    )
    events = [
        EscortedVisit(id="e1", at=AT, seq=1, customer="2", agent="1"),
        Visit(id="e2", at=AT, seq=2, customer="1", staff="2"),
    ]
    return Timeline(cast, policy_from({}), events)


def test_a_household_member_is_named_as_the_customer_not_as_the_staff_member_with_the_same_id() -> None:
    sentence = _timeline().verdict("2", AT).explain("zh")
    assert "家庭成员张伟" in sentence
    assert "王芳" not in sentence
    assert "刘洋于 2026-03-01 10:00 首次登记来访" in sentence


def test_an_agent_is_named_as_the_agent() -> None:
    sentence = _timeline().verdict("2", AT).explain("en")
    assert "链家小马" in sentence
    assert "张伟" in sentence and "王芳" not in sentence


def test_a_number_that_is_not_a_person_stays_a_number() -> None:
    describer = _timeline().describer
    assert describer._value(3, "zh", None) == "3"  # e.g. a grace of 3 days, with a staff member numbered 3


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_a_moment_reads_as_its_local_minute_whatever_the_year_and_each_time_it_is_shown(moment: datetime) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    describer = Describer(lambda m: m.astimezone(zone), customers={}, agents={}, staff={})
    expected = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert describer.render(reason("pending", None, deadline=moment)).startswith(f"须在 {expected} 前追访")
    assert describer.render(reason("pending", None, deadline=moment), "en") == (
        f"a follow-up is due by {expected} or the claim is void"
    )


def test_a_distributor_is_named_by_its_firm_whatever_id_the_ledger_gave_it() -> None:
    # The ledger's agents carry their firm's id (D-14 tells firms apart by it); a sentence names the firm.
    describer = Describer(
        lambda m: m,
        customers={},
        agents={"1": "李明"},
        staff={"7": "王芳"},
        distributors={"7": "安居分销", "8": "好房分销"},
    )
    said = describer.render(reason("risk_several", None, firms=["8", "7"], count=2))
    assert said == "风控提示：2 家分销（安居分销、好房分销）报备了同一家庭"
    escorted = describer.render(reason("d_valid", None, agent="1", distributor="7", at=AT, lookback=90), "en")
    assert escorted.startswith("李明 (安居分销) escorted the customer") and "王芳" not in escorted
    assert (
        Describer(lambda m: m, customers={}, agents={}, staff={}).render(  # unnamed: as it was given
            reason("risk_several", None, firms=["x"], count=1)
        )
        == "风控提示：1 家分销（x）报备了同一家庭"
    )

"""One-to-many notices (S-3): the latest agreement decides, and a notice reaches only those who agreed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadledger.engine import notices as n
from leadledger.engine.errors import DomainError

T0 = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _change(customer: str, channel: str, agreed: bool, minutes: int) -> n.ConsentChange:
    return n.ConsentChange(customer=customer, channel=channel, agreed=agreed, at=T0 + timedelta(minutes=minutes))


def test_the_latest_change_decides_whatever_the_order_given() -> None:
    changes = [_change("1", n.SMS, False, 30), _change("1", n.SMS, True, 0), _change("1", n.WECHAT, True, 10)]
    assert n.agreed(changes) == {("1", n.SMS): False, ("1", n.WECHAT): True}


def test_two_changes_at_the_same_moment_the_later_given_decides() -> None:
    """The property below once took the earlier of two changes at one moment as the latest (a test bug that
    Hypothesis found now and then): the engine, as documented, takes the later given."""
    refused_then_agreed = [_change("1", n.SMS, False, 0), _change("1", n.SMS, True, 0)]
    assert n.agreed(refused_then_agreed) == {("1", n.SMS): True}
    assert n.agreed(list(reversed(refused_then_agreed))) == {("1", n.SMS): False}


def test_a_notice_reaches_only_who_agreed_with_a_number_and_counts_the_rest() -> None:
    people = [
        n.Recipient(customer="1"),
        n.Recipient(customer="2"),  # never agreed
        n.Recipient(customer="3", erased=True),  # agreed, then erased
        n.Recipient(customer="4", has_number=False),  # agreed to SMS but no number kept
        n.Recipient(customer="1"),  # two deals: one notice
    ]
    agreements = {("1", n.SMS): True, ("3", n.SMS): True, ("4", n.SMS): True, ("4", n.WECHAT): True}
    sms = n.audience(people, agreements, n.SMS)
    assert sms.to == ["1"] and sms.left_out == {n.NO_CONSENT: 1, n.ERASED: 1, n.NO_NUMBER: 1}
    assert n.audience(people, agreements, n.WECHAT).to == ["4"]  # WeChat needs no number here
    with pytest.raises(DomainError):
        n.audience(people, agreements, "email")


customers = st.lists(st.sampled_from("abcdef"), max_size=8)
changes = st.lists(
    st.builds(_change, st.sampled_from("abcdef"), st.sampled_from(n.CHANNELS), st.booleans(), st.integers(0, 100)),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(customers, changes, st.sampled_from(n.CHANNELS), st.sets(st.sampled_from("abcdef")))
@example(["a"], [_change("a", n.SMS, False, 0), _change("a", n.SMS, True, 0)], n.SMS, set())  # found on CI
def test_nobody_is_reached_without_a_standing_agreement_and_everyone_is_accounted_for(
    ids: list[str], history: list[n.ConsentChange], channel: str, erased: set[str]
) -> None:
    people = [n.Recipient(customer=c, erased=c in erased) for c in ids]
    agreements = n.agreed(history)
    found = n.audience(people, agreements, channel)
    for customer in found.to:
        # The latest decides; two changes at the same moment: the later given (a stable sort keeps their order).
        latest = sorted((c for c in history if (c.customer, c.channel) == (customer, channel)), key=lambda c: c.at)[-1]
        assert latest.agreed and customer not in erased
    assert len(found.to) + sum(found.left_out.values()) == len(set(ids))
    assert len(found.to) == len(set(found.to))


def test_a_notice_needs_a_topic_channel_title_and_text_within_their_lengths() -> None:
    good = {"topic": n.HANDOVER, "channel": n.SMS, "title": "6月30日交房", "text": "请携带购房合同到售楼处办理。"}
    assert n.notice_refusal(**good) is None
    for field, bad in (("topic", ""), ("channel", "fax"), ("title", " "), ("title", "长" * 61), ("text", "")):
        refusal = n.notice_refusal(**{**good, field: bad})
        assert refusal is not None and refusal.field == field

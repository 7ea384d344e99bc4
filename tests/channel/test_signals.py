"""The "worked" mark on D-14's risk signals (decision 483): the channel team marks a signal looked at or dealt
with, with a note; the page shows who and when; open signals come first.

The cast of tests/channel/test_cases.py: 孙红 the channel manager, 钱多 the specialist, 李明 of 安居分销.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from channel.test_cases import _file, _spouse_bought, evidence_dir, sun  # noqa: F401 (fixtures)
from channel.test_escort import Channel, _client, _register, channel  # noqa: F401 (fixture)
from leadledger.channel import case_selectors, cases, signals
from leadledger.channel.models import SignalMark
from leadledger.engine.errors import DomainError
from leadledger.ledger import models
from office import _staff


def _a_signal(channel: Channel, sun: models.Staff) -> case_selectors.Signal:  # noqa: F811
    _spouse_bought(channel)
    case = cases.situation_open(
        staff=channel.qian,
        agent=channel.liming,
        phone="13900000011",
        other_phone="13900000022",
        kind="spouse",
        statement="夫妻",
    )
    cases.evidence_add(case=case, user=channel.qian.user, kind="marriage", upload=_file())
    cases.note_add(staff=channel.qian, case=case, method="interview", text="面谈确认")
    cases.case_decide(manager=sun, case=case, decision="upheld", reason="结婚证")
    found = case_selectors.risk_signals(channel.office.project, timezone.now(), "zh")
    assert found
    return found[0]


def _team(username: str) -> Any:
    return _client(username).get(reverse("channel_team", args=["hz-1"]))


def test_a_signal_is_marked_with_a_note_and_the_page_says_who_and_when(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    signal = _a_signal(channel, sun)
    client = _client("qian")
    url = reverse("channel_signal_mark", args=["hz-1"])
    empty = client.post(url, {"key": signal.key, "state": "looked", "note": "  "})
    assert empty.status_code == 400 and "请写下查看或处理的情况" in empty.content.decode()
    done = client.post(url, {"key": signal.key, "state": "looked", "note": "已电话回访陈红"}, follow=True)
    page = done.content.decode()
    assert "已标记风控提示" in page and "已电话回访陈红" in page and "钱多" in page and "已查看" in page
    mark = SignalMark.objects.get()
    assert (mark.by, mark.state, mark.code) == (channel.qian, "looked", signal.code)
    client.post(url, {"key": signal.key, "state": "dealt", "note": "确认夫妻关系，无异常"})
    again = case_selectors.risk_signals(channel.office.project, timezone.now(), "zh")[0]
    assert again.dealt and [m.state for m in again.marks] == ["dealt", "looked"]  # the latest first, none lost


def test_open_signals_come_first(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    first = _a_signal(channel, sun)
    _register(channel.zhoutao, "陈丽", "13900000022")  # 王强's number under another name: the details differ
    listed = case_selectors.risk_signals(channel.office.project, timezone.now(), "zh")
    assert len(listed) >= 2 and listed[0].key == first.key
    signals.signal_mark(staff=channel.qian, key=first.key, state="dealt", note="已处理", now=timezone.now())
    after = case_selectors.risk_signals(channel.office.project, timezone.now(), "zh")
    assert not after[0].dealt and after[-1].key == first.key and after[-1].dealt
    looked = after[0]
    signals.signal_mark(staff=channel.qian, key=looked.key, state="looked", note="在核实", now=timezone.now())
    assert case_selectors.risk_signals(channel.office.project, timezone.now(), "zh")[0].key == looked.key  # still open


def test_a_mark_names_a_signal_the_page_lists_and_the_team_only(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    signal = _a_signal(channel, sun)
    with pytest.raises(DomainError):
        signals.signal_mark(staff=channel.qian, key="risk_details:1,2", state="dealt", note="x", now=timezone.now())
    with pytest.raises(DomainError):
        signals.signal_mark(staff=channel.qian, key=signal.key, state="closed", note="x", now=timezone.now())
    manager = channel.office.zhao  # a sales manager: not the channel team
    with pytest.raises(DomainError):
        signals.signal_mark(staff=manager, key=signal.key, state="dealt", note="x", now=timezone.now())
    url = reverse("channel_signal_mark", args=["hz-1"])
    assert _client("zhao").post(url, {"key": signal.key, "state": "dealt", "note": "x"}).status_code == 403
    other = models.Project.objects.create(code="sh-2", name="上海二期")
    stranger = _staff(other, "sh2qian", "钱二", models.Staff.Role.CHANNEL_SPECIALIST)
    with pytest.raises(DomainError):  # another project's team cannot mark this project's signal
        signals.signal_mark(staff=stranger, key=signal.key, state="dealt", note="x", now=timezone.now())
    assert not SignalMark.objects.exists()

"""The channel team's cases: a distributor's appeal (申诉, D-13) and a special case with its evidence (D-5, D-10).

The cast of tests/channel/test_escort.py: 李明 of 安居分销 and 周涛 of 好房分销, agents; 钱多 the channel
specialist; and 孙红 the channel manager. The project runs 报备→到访→成交 (D-11).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channel.test_escort import Channel, _client, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger.channel import cases
from leadledger.channel.models import Case
from leadledger.engine.errors import DomainError
from leadledger.engine.model import DEAL, body_for
from leadledger.ledger import models
from leadledger.ledger import selectors as ledger_selectors
from leadledger.ledger import services as ledger_services
from office import _staff

PDF = b"%PDF-1.4\n% a marriage certificate, scanned\n" + b"0" * 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 500


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    settings.LEADLEDGER_EVIDENCE_DIR = str(tmp_path / "evidence")
    return tmp_path / "evidence"


@pytest.fixture
def sun(channel: Channel) -> models.Staff:  # noqa: F811
    return _staff(channel.office.project, "sunhong", "孙红", models.Staff.Role.CHANNEL_MANAGER)


def _file(data: bytes = PDF, name: str = "结婚证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _channel_of(project: models.Project, customer: int) -> Any:
    return models.Verdict.objects.get(project=project, customer_id=customer).channel


# -- appeals (D-13) ------------------------------------------------------------------------------


def _refused_to_zhoutao(channel: Channel) -> tuple[models.Event, models.Event]:  # noqa: F811
    held = _register(channel.liming, "陈红", "13900000011", ago=timedelta(hours=3))
    refused = _register(channel.zhoutao, "陈红", "13900000011", ago=timedelta(hours=2))
    assert json.loads(refused.body)["agent"] == str(channel.zhoutao.pk)
    return held, refused


def test_an_upheld_appeal_is_a_ruling_and_the_customer_follows_it(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    _held, refused = _refused_to_zhoutao(channel)
    case = cases.appeal_file(
        agent=channel.zhoutao,
        user=channel.zhoutao.user,
        seq=refused.seq,
        statement="客户先找的我们",
        kind="calls",
        upload=_file(PNG, "通话记录.png"),
    )
    assert case.evidence.get().content_type == "image/png"
    decided = cases.case_decide(manager=sun, case=case, decision="upheld", reason="通话记录早于对方报备")
    ruling = models.Event.objects.get(project=channel.office.project, seq=decided.ruling_seq)
    body = json.loads(ruling.body)
    assert ruling.kind == "channel_ruling" and body["appeal"] is True and body["agent"] == str(channel.zhoutao.pk)
    assert _channel_of(channel.office.project, case.customer_id) == {str(channel.zhoutao.pk): "1"}


def test_a_rejected_appeal_writes_no_event_and_the_holder_keeps_the_customer(
    channel: Channel,  # noqa: F811
    sun: models.Staff,
) -> None:
    _held, refused = _refused_to_zhoutao(channel)
    before = models.Event.objects.filter(project=channel.office.project).count()
    case = cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="不服")
    cases.case_decide(manager=sun, case=case, decision="rejected", reason="对方报备在先")
    assert models.Event.objects.filter(project=channel.office.project).count() == before
    assert Case.objects.get(pk=case.pk).decision == "rejected"


def test_an_agent_appeals_only_their_own_registrations_once_at_a_time(channel: Channel) -> None:  # noqa: F811
    held, refused = _refused_to_zhoutao(channel)
    with pytest.raises(DomainError):  # 李明's registration is not 周涛's to appeal
        cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=held.seq, statement="x")
    cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="第一次")
    with pytest.raises(DomainError):
        cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="第二次")


def test_only_the_channel_manager_decides(channel: Channel) -> None:  # noqa: F811
    _held, refused = _refused_to_zhoutao(channel)
    case = cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="x")
    for who in (channel.qian, channel.office.zhao):  # the specialist; the sales manager (no channel work)
        with pytest.raises(DomainError):
            cases.case_decide(manager=who, case=case, decision="upheld", reason="y")
    assert Case.objects.get(pk=case.pk).decision == ""


# -- evidence ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"MZ\x90\x00 an exe renamed", "结婚证.pdf"), (b"<html><script>", "x.png"), (b"", "empty.pdf")],
)
def test_evidence_is_judged_by_its_bytes_not_its_name(channel: Channel, data: bytes, name: str) -> None:  # noqa: F811
    _held, refused = _refused_to_zhoutao(channel)
    with pytest.raises(DomainError) as raised:
        cases.appeal_file(
            agent=channel.zhoutao,
            user=channel.zhoutao.user,
            seq=refused.seq,
            statement="x",
            kind="other",
            upload=_file(data, name),
        )
    assert raised.value.field == "file"
    assert not Case.objects.exists()  # nothing half-filed


def test_evidence_over_the_size_limit_is_refused(channel: Channel, settings: Any) -> None:  # noqa: F811
    settings.LEADLEDGER_EVIDENCE_MAX_BYTES = 1000
    _held, refused = _refused_to_zhoutao(channel)
    with pytest.raises(DomainError, match="over"):
        cases.appeal_file(
            agent=channel.zhoutao,
            user=channel.zhoutao.user,
            seq=refused.seq,
            statement="x",
            kind="other",
            upload=_file(),
        )


def test_evidence_is_stored_outside_the_web_root_under_its_hash(channel: Channel, evidence_dir: Path) -> None:  # noqa: F811
    _held, refused = _refused_to_zhoutao(channel)
    case = cases.appeal_file(
        agent=channel.zhoutao,
        user=channel.zhoutao.user,
        seq=refused.seq,
        statement="x",
        kind="marriage",
        upload=_file(name="../../etc/passwd.pdf"),
    )
    stored = case.evidence.get()
    assert stored.name == "passwd.pdf"
    files = [p for p in evidence_dir.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [stored.sha256] and files[0].read_bytes() == PDF


# -- a special case: the spouse buys (D-5, D-10) ------------------------------------------------------


def _spouse_bought(channel: Channel) -> tuple[models.Customer, models.Customer, models.Event]:  # noqa: F811
    """陈红 registered by 李明 and escorted in; her husband 王强 (never registered) signs the deal."""
    registration = _register(channel.liming, "陈红", "13900000011")
    visit = _confirm(channel, registration, "13900000011").event
    wife = models.Customer.objects.get(pk=json.loads(visit.body)["customer"])
    husband, _ = ledger_services.customer_find_or_create(
        project=channel.office.project, name="王强", phone="+8613900000022"
    )
    deal = body_for(DEAL, customer=str(husband.pk), buyer=str(husband.pk), staff=str(channel.office.alice.pk))
    event = ledger_services.event_append(
        project=channel.office.project, kind=DEAL, body=deal, actor=channel.office.zhao.user
    )
    return wife, husband, event


def _deal_channel(project: models.Project, event: models.Event, customers: list[int]) -> Any:
    timeline = ledger_selectors.timeline_for(project, customers)
    return timeline.deal(f"e{event.seq}").channel


def test_a_spouse_case_verified_with_evidence_gives_the_deal_to_the_distributor(
    channel: Channel,  # noqa: F811
    sun: models.Staff,
) -> None:
    project = channel.office.project
    wife, husband, deal = _spouse_bought(channel)
    assert not _deal_channel(project, deal, [wife.pk, husband.pk])  # unverified: the house's (D-5)
    case = cases.situation_open(
        staff=channel.qian,
        agent=channel.liming,
        phone="13900000011",
        other_phone="13900000022",
        kind="spouse",
        statement="陈红与王强为夫妻，由王强签约",
    )
    assert case.relation is not None and not case.relation.verified
    with pytest.raises(DomainError, match="evidence"):  # D-10: nothing verified on words alone
        cases.case_decide(manager=sun, case=case, decision="upheld", reason="夫妻")
    cases.evidence_add(case=case, user=channel.qian.user, kind="marriage", upload=_file())
    with pytest.raises(DomainError, match="callback"):
        cases.case_decide(manager=sun, case=case, decision="upheld", reason="夫妻")
    cases.note_add(staff=channel.qian, case=case, method="callback", text="回访王强，确认夫妻关系")
    cases.case_decide(manager=sun, case=case, decision="upheld", reason="结婚证与回访一致")
    assert models.Relation.objects.get(pk=case.relation_id).verified
    assert _deal_channel(project, deal, [wife.pk, husband.pk]) == {str(channel.liming.pk): 1}
    page = _client("sunhong").get(reverse("channel_case", args=[project.code, case.pk])).content.decode()
    assert "计入安居分销李明名下" in page and "已核实" in page


def test_before_the_case_is_upheld_its_page_says_the_deal_is_the_houses(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    _spouse_bought(channel)
    case = cases.situation_open(
        staff=channel.qian,
        agent=channel.liming,
        phone="13900000011",
        other_phone="13900000022",
        kind="spouse",
        statement="夫妻",
    )
    page = _client("qian").get(reverse("channel_case", args=[channel.office.project.code, case.pk])).content.decode()
    assert "归案场（无分销）" in page and "未核实" in page


# -- the pages -------------------------------------------------------------------------------------


def test_an_agent_files_an_appeal_with_a_file_and_sees_the_decision(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    project = channel.office.project
    _held, refused = _refused_to_zhoutao(channel)
    agent = _client("zhoutao")
    url = reverse("agent_appeal", args=[project.code, refused.seq])
    page = agent.get(url)
    assert page.status_code == 200 and "已被报备" in page.content.decode()
    blank = agent.post(url, {"statement": "", "kind": "calls"})
    assert blank.status_code == 400 and "请说明情况" in blank.content.decode()
    filed = agent.post(
        url, {"statement": "客户先找的我们", "kind": "calls", "file": _file(PNG, "通话.png")}, follow=True
    )
    assert "申诉已提交" in filed.content.decode()
    case = Case.objects.get()
    manager = _client("sunhong")
    listed = manager.get(reverse("channel_team", args=[project.code])).content.decode()
    assert reverse("channel_case", args=[project.code, case.pk]) in listed
    shown = manager.get(reverse("channel_case", args=[project.code, case.pk])).content.decode()
    assert "客户先找的我们" in shown and "通话.png" in shown
    decided = manager.post(
        reverse("channel_case_decide", args=[project.code, case.pk]),
        {"decision": "upheld", "reason": "通话在先"},
        follow=True,
    )
    assert "已支持" in decided.content.decode()
    home = agent.get(reverse("agent_home", args=[project.code])).content.decode()
    assert "已支持" in home and "通话在先" in home


def test_the_specialist_adds_notes_and_evidence_but_does_not_decide(channel: Channel) -> None:  # noqa: F811
    project = channel.office.project
    _held, refused = _refused_to_zhoutao(channel)
    case = cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="x")
    specialist = _client("qian")
    page = specialist.get(reverse("channel_case", args=[project.code, case.pk])).content.decode()
    assert "记录决定" not in page  # the decision form is the channel manager's
    noted = specialist.post(
        reverse("channel_case_note", args=[project.code, case.pk]),
        {"method": "callback", "text": "回访客户"},
        follow=True,
    )
    assert "核实记录已保存" in noted.content.decode()
    bad = specialist.post(
        reverse("channel_case_evidence", args=[project.code, case.pk]),
        {"kind": "other", "file": _file(b"GIF89a", "a.gif")},
    )
    assert bad.status_code == 400 and "只收PDF、JPG或PNG文件" in bad.content.decode()
    refused_decision = specialist.post(
        reverse("channel_case_decide", args=[project.code, case.pk]), {"decision": "upheld", "reason": "y"}
    )
    assert refused_decision.status_code == 400
    assert Case.objects.get(pk=case.pk).decision == ""


def test_nobody_outside_the_channel_team_reads_a_case_or_its_files(channel: Channel) -> None:  # noqa: F811
    project = channel.office.project
    _held, refused = _refused_to_zhoutao(channel)
    case = cases.appeal_file(
        agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="x", kind="calls", upload=_file()
    )
    item = case.evidence.get()
    urls = [
        reverse("channel_team", args=[project.code]),
        reverse("channel_case", args=[project.code, case.pk]),
        reverse("channel_case_file", args=[project.code, case.pk, item.pk]),
    ]
    for username in ("zhoutao", "liming", "alice", "sun"):  # agents (even the filer), a consultant, the desk
        client = _client(username)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (username, url)
            assert b"%PDF" not in response.content
    download = _client("qian").get(urls[2])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff" and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF


def test_an_agent_cannot_appeal_another_agents_registration_by_url(channel: Channel) -> None:  # noqa: F811
    project = channel.office.project
    held, _refused = _refused_to_zhoutao(channel)
    agent = _client("zhoutao")
    url = reverse("agent_appeal", args=[project.code, held.seq])
    assert agent.get(url).status_code == 404
    assert agent.post(url, {"statement": "抢", "kind": "calls"}).status_code == 404
    assert not Case.objects.exists()
    assert _client("qian").get(url).status_code == 403  # staff never file for an agent


def test_the_situation_form_opens_a_case_and_a_bad_number_is_said_next_to_its_field(channel: Channel) -> None:  # noqa: F811
    project = channel.office.project
    _spouse_bought(channel)
    specialist = _client("qian")
    url = reverse("channel_case_open", args=[project.code])
    form = {
        "agent": channel.liming.pk,
        "phone": "13900000011",
        "other_phone": "139",
        "relation": "spouse",
        "statement": "夫妻",
    }
    bad = specialist.post(url, form)
    assert bad.status_code == 400 and 'id="other-error"' in bad.content.decode()
    opened = specialist.post(url, {**form, "other_phone": "13900000022"}, follow=True)
    assert "特殊情况已登记" in opened.content.decode()
    assert Case.objects.get().relation.kind == "spouse"


def test_an_agents_appeal_shows_the_name_they_typed_never_the_records(channel: Channel) -> None:  # noqa: F811
    """D-12: 周涛 typed 陈丽 with a mask that fits 陈红's record; his appeal names 陈丽 only."""
    _register(channel.liming, "陈红", "13900000011", ago=timedelta(hours=3))
    refused = _register(channel.zhoutao, "陈丽", "139****0011")
    cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.seq, statement="先联系的我们")
    home = _client("zhoutao").get(reverse("agent_home", args=[channel.office.project.code])).content.decode()
    assert "陈丽" in home and "陈红" not in home and "李明" not in home


def test_the_team_page_lists_a_risk_signal_with_its_events(channel: Channel, sun: models.Staff) -> None:  # noqa: F811
    """D-14: a deal within risk_window_hours of the registration, on the household, is listed with its events."""
    _wife, _husband, deal = _spouse_bought(channel)
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
    page = _client("sunhong").get(reverse("channel_team", args=[channel.office.project.code])).content.decode()
    signals = page[page.index("风控提示") : page.index("登记特殊情况")]
    assert "陈红" in signals and "不足" in signals and str(deal.seq) in signals

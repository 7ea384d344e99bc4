"""The escorted visit confirmed at the door by the agent's code (带看确认), and its slip (客户确认单).

The cast: 李明 of 安居分销 and 周涛 of 好房分销, agents; 钱多 the channel specialist; the office of
tests/office.py (孙丽 at the desk, 王芳 a consultant). The project runs 报备→到访→成交 (D-11).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leadledger.channel import codes, selectors, services
from leadledger.engine.errors import DomainError
from leadledger.engine.model import ESCORTED_VISIT
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services
from office import PASSWORD, Office, _staff


@dataclass
class Channel:
    office: Office
    liming: models.Agent
    zhoutao: models.Agent
    qian: models.Staff  # channel specialist


def _agent(project: models.Project, username: str, name: str, firm: str) -> models.Agent:
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, first_name=name)
    distributor, _ = models.Distributor.objects.get_or_create(project=project, name=firm)
    return models.Agent.objects.create(
        project=project, name=name, distributor=distributor, user=user, phone="13700001111"
    )


@pytest.fixture
def channel(office: Office) -> Channel:
    office.project.policy = {"protection_scheme": "report_visit"}
    office.project.save(update_fields=["policy"])
    return Channel(
        office,
        _agent(office.project, "liming", "李明", "安居分销"),
        _agent(office.project, "zhoutao", "周涛", "好房分销"),
        _staff(office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST),
    )


def _register(agent: models.Agent, name: str, phone: str, *, ago: timedelta = timedelta(hours=2)) -> models.Event:
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - ago):
        answer = services.registration_make(project=agent.project, agent=agent, user=agent.user, name=name, phone=phone)
    assert answer.event is not None
    return answer.event


def _confirm(channel: Channel, registration: models.Event, phone: str, staff: Any = None) -> services.Confirmation:
    project = channel.office.project
    return services.escort_confirm(
        project=project,
        staff=staff or channel.qian,
        user=(staff or channel.qian).user,
        code=codes.escort_code(project, registration.seq),
        phone=phone,
    )


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


# -- the code ------------------------------------------------------------------------------------


def test_the_code_is_signed_and_says_nothing_personal(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    project = channel.office.project
    code = codes.escort_code(project, registration.seq)
    assert "139" not in code and "陈" not in code
    assert codes.escort_seq(project, code) == registration.seq
    assert codes.escort_seq(project, code.lower().replace("-", " ")) == registration.seq  # typed loosely
    assert codes.escort_seq(project, str(registration.seq)) is None  # a bare number is no code
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert codes.escort_seq(project, forged) is None
    other = models.Project.objects.create(code="sh-2", name="上海二期")
    assert codes.escort_seq(other, code) is None  # another project's page does not take it


# -- the confirmation, judged by the engine at once ----------------------------------------------


def test_a_visit_two_hours_after_the_registration_is_credited_to_the_agent(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "139****0011")  # masked: a new person
    confirmation = _confirm(channel, registration, "13900000011")
    event = confirmation.event
    assert event.kind == ESCORTED_VISIT and not confirmation.again
    customer = models.Customer.objects.get(pk=json.loads(event.body)["customer"])
    assert customer.phone == "+8613900000011"  # the mask's record completed with the number taken at the door
    assert customer.pk == int(json.loads(registration.body)["customer"])
    verdict = models.Verdict.objects.get(customer=customer)
    assert verdict.channel == {str(channel.liming.pk): "1"} or str(channel.liming.pk) in (verdict.channel or {})
    slip = selectors.slip_of(channel.office.project, event, "zh")
    assert slip.credited and slip.agent == "李明" and slip.distributor == "安居分销"
    assert slip.specialist == "钱多" and slip.phone == "139****0011" and slip.until is not None
    assert slip.registered_at is not None and slip.registered_at < slip.arrived_at
    assert "D-11" in slip.sentence and "李明（安居分销）" in slip.sentence  # the firm by its name, not its id
    firm = channel.liming.distributor_id
    assert "李明（安居分销）" in verdict.explain_zh and f"（{firm}）" not in verdict.explain_zh  # every page's sentence
    assert "李明 (安居分销)" in verdict.explain_en


def test_registering_at_the_door_is_the_houses_and_the_slip_says_so(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011", ago=timedelta(minutes=5))  # 防截客 (D-11)
    event = _confirm(channel, registration, "13900000011").event
    slip = selectors.slip_of(channel.office.project, event, "zh")
    assert not slip.credited and slip.until is None
    assert "防截客" in slip.sentence


def test_a_second_scan_the_same_day_writes_nothing_new(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    first = _confirm(channel, registration, "13900000011")
    second = _confirm(channel, registration, "139 0000 0011")
    assert second.again and second.event.pk == first.event.pk
    assert models.Event.objects.filter(kind=ESCORTED_VISIT).count() == 1


def test_a_wrong_code_or_a_partial_number_is_said_next_to_its_field(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    project = channel.office.project
    with pytest.raises(DomainError) as wrong:
        services.escort_confirm(
            project=project, staff=channel.qian, user=channel.qian.user, code="1-AAAAA-AAAAA", phone="13900000011"
        )
    assert wrong.value.field == "code"
    with pytest.raises(DomainError) as partial:
        _confirm(channel, registration, "139****0011")
    assert partial.value.field == "phone"
    assert not models.Event.objects.filter(kind=ESCORTED_VISIT).exists()


def test_the_desk_may_confirm_a_consultant_may_not(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    with pytest.raises(DomainError):
        _confirm(channel, registration, "13900000011", staff=channel.office.alice)
    assert _confirm(channel, registration, "13900000011", staff=channel.office.sun).event.kind == ESCORTED_VISIT


def test_a_masked_registration_does_not_apply_to_a_number_it_does_not_fit(channel: Channel) -> None:
    """D-12: a masked registration applies to a visit only when the full number agrees with it."""
    registration = _register(channel.liming, "陈红", "139****0011")
    event = _confirm(channel, registration, "13900000022").event
    customer = models.Customer.objects.get(pk=json.loads(event.body)["customer"])
    assert customer.pk != int(json.loads(registration.body)["customer"])
    assert not selectors.slip_of(channel.office.project, event, "zh").credited


def test_the_slip_names_the_receiving_consultant_of_the_day(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    event = _confirm(channel, registration, "13900000011").event
    customer = models.Customer.objects.get(pk=json.loads(event.body)["customer"])
    ledger_services.visit_register(project=channel.office.project, customer=customer, staff=channel.office.alice)
    assert selectors.slip_of(channel.office.project, event, "zh").consultant == "王芳"


def test_the_slip_never_names_who_else_holds_the_customer(channel: Channel) -> None:
    """D-12: 周涛's visit of 李明's customer changes nothing (D-8); his slip does not say whose it is."""
    _confirm(channel, _register(channel.liming, "陈红", "13900000011"), "13900000011")
    late = _register(channel.zhoutao, "陈红", "13900000011", ago=timedelta(hours=1))  # refused: 已被报备
    event = _confirm(channel, late, "13900000011").event
    slip = selectors.slip_of(channel.office.project, event, "zh")
    assert not slip.credited
    assert "李明" not in slip.sentence and "安居" not in slip.sentence
    page = _client("zhoutao").get(reverse("agent_slip", args=["hz-1", event.seq])).content.decode()
    assert "李明" not in page and "安居分销" not in page


# -- pages: scope by any URL -------------------------------------------------------------------------


def test_an_agent_cannot_open_another_agents_code_or_slip(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    event = _confirm(channel, registration, "13900000011").event
    liming, zhoutao = _client("liming"), _client("zhoutao")
    assert liming.get(reverse("agent_code", args=["hz-1", registration.seq])).status_code == 200
    assert liming.get(reverse("agent_slip", args=["hz-1", event.seq])).status_code == 200
    for name, seq in (("agent_code", registration.seq), ("agent_slip", event.seq), ("agent_slip_pdf", event.seq)):
        assert zhoutao.get(reverse(name, args=["hz-1", seq])).status_code == 404, name
    for name in ("escort_slip", "escort_slip_pdf"):  # the staff's slip pages admit no agent
        assert zhoutao.get(reverse(name, args=["hz-1", event.seq])).status_code == 404, name
    assert liming.get(reverse("agent_code", args=["hz-1", event.seq])).status_code == 404  # not a registration
    assert zhoutao.post(reverse("escort_confirm", args=["hz-1"]), {"code": "x", "phone": "1"}).status_code == 404


def test_the_agents_code_page_shows_a_qr_code_of_the_confirmation_address(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    page = _client("liming").get(reverse("agent_code", args=["hz-1", registration.seq])).content.decode()
    assert "<svg" in page and codes.escort_code(channel.office.project, registration.seq) in page
    assert "13900000011" not in page and "陈红" not in page


def test_the_specialist_confirms_on_the_page_and_gets_the_slip(channel: Channel) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    client = _client("qian")
    code = codes.escort_code(channel.office.project, registration.seq)
    form = client.get(reverse("escort_confirm", args=["hz-1"]), {"code": code}).content.decode()
    assert code in form  # the QR code's address opens the form with the code in it
    response = client.post(
        reverse("escort_confirm", args=["hz-1"]), {"code": code, "phone": "13900000011"}, follow=True
    )
    page = response.content.decode()
    assert "带看已确认" in page and "本次到访计入安居分销经纪人李明名下。" in page
    assert "第一联：案场留存" in page and "第二联：分销商留存" in page
    bad = client.post(reverse("escort_confirm", args=["hz-1"]), {"code": code, "phone": "1390000"})
    assert bad.status_code == 400 and "请填写到访客户完整的11位手机号" in bad.content.decode()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing (apt-get install poppler-utils)")
def test_the_slip_pdf_renders(channel: Channel, tmp_path: Path) -> None:
    registration = _register(channel.liming, "陈红", "13900000011")
    event = _confirm(channel, registration, "13900000011").event
    response = _client("liming").get(reverse("agent_slip_pdf", args=["hz-1", event.seq]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "slip")], check=True)
    png = next(tmp_path.glob("slip*.png"))
    assert png.stat().st_size > 10_000  # two copies of text, not a blank page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "客户确认单" in text and "李明" in text and "第二联" in text


def test_a_deal_after_the_credited_visit_reads_signed_on_the_agents_page(channel: Channel) -> None:
    """Decision 183: a deal credited to the agent's channel is 已签约 in "my customers"."""
    from leadledger.engine.model import DEAL, body_for

    registration = _register(channel.liming, "陈红", "13900000011")
    event = _confirm(channel, registration, "13900000011").event
    customer = json.loads(event.body)["customer"]
    project = channel.office.project
    deal = body_for(DEAL, customer=customer, staff=str(channel.office.alice.pk))
    ledger_services.event_append(project=project, kind=DEAL, body=deal, actor=channel.office.zhao.user)
    rows = selectors.registrations_shown(channel.liming, timezone.now(), "zh")
    assert [row.word for row in rows] == ["已签约"]
    assert not rows[0].escortable  # nothing left to bring the customer in for

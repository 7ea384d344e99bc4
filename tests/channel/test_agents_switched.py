"""One agent switched off and back on (decision 511): by the channel team, or by the company's admin for its
own agents; refused at every door while off (sign-in, agent pages, registering, escorted-visit confirmation,
the API), what they registered keeping its protection.

The cast of tests/api_cast.py: 李明 and 黄磊 (its admin) of 安居分销, 周涛 of 好房分销, 安居's own system;
钱多 the channel specialist.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api_cast import Api, Cast, cast_make
from leadledger.channel import codes, distributors, selectors, services
from leadledger.channel.models import Switch
from leadledger.engine.errors import DomainError
from leadledger.engine.model import ESCORTED_VISIT, REGISTRATION
from leadledger.ledger import models
from leadledger.ledger.services import LedgerError
from office import PASSWORD, Office, _staff, client_in

OFF_ZH = distributors.AGENT_OFF[0]


@pytest.fixture
def cast(office: Office) -> Cast:
    return cast_make(office)


@pytest.fixture
def qian(cast: Cast) -> models.Staff:
    return _staff(cast.office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST)


def _off(agent: models.Agent, qian: models.Staff) -> Switch:
    return distributors.agent_switch(agent=agent, active=False, reason="已离职", confirmed=True, staff=qian)


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _register(agent: models.Agent, phone: str = "13900000011", *, ago: timedelta = timedelta(0)) -> services.Answer:
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - ago):
        return services.registration_make(project=agent.project, agent=agent, user=agent.user, name="陈红", phone=phone)


def test_the_channel_team_switches_one_agent_off_with_a_reason_and_a_confirmation(
    cast: Cast, qian: models.Staff
) -> None:
    client = _signed_in(qian.user)
    firm = client.get(reverse("channel_firm", args=["hz-1", cast.anju.pk])).content.decode()
    page_url = reverse("channel_agent", args=["hz-1", cast.liming.pk])
    assert page_url in firm  # each agent's name opens their page
    url = reverse("channel_agent_switch", args=["hz-1", cast.liming.pk])
    no_reason = client.post(url, {"reason": " ", "confirmed": "yes"})
    assert no_reason.status_code == 400 and "请写明原因" in no_reason.content.decode()
    unconfirmed = client.post(url, {"reason": "已离职"})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    assert 'value="已离职"' in unconfirmed.content.decode()  # nothing lost
    assert models.Agent.objects.get(pk=cast.liming.pk).active
    done = client.post(url, {"reason": "已离职", "confirmed": "yes"}, follow=True).content.decode()
    assert "李明已停用" in done and "已离职" in done and "钱多" in done  # the message and the history
    assert not models.Agent.objects.get(pk=cast.liming.pk).active
    switch = Switch.objects.get()
    assert (switch.agent, switch.active, switch.by, switch.by_agent) == (cast.liming, False, qian, None)
    assert models.Distributor.objects.get(pk=cast.anju.pk).active  # the company works on
    firm = client.get(reverse("channel_firm", args=["hz-1", cast.anju.pk])).content.decode()
    assert "李明</a>（已停用）" in firm and "已离职" not in firm  # the company's history is the company's
    again = client.post(url, {"reason": "返岗", "confirmed": "yes"}, follow=True).content.decode()
    assert "李明已重新启用" in again and models.Agent.objects.get(pk=cast.liming.pk).active


def test_a_switched_off_agent_cannot_sign_in_open_a_page_or_register(cast: Cast, qian: models.Staff) -> None:
    earlier = Client()
    assert earlier.login(username="liming", password=PASSWORD)
    _off(cast.liming, qian)
    page = client_in("zh-hans").post("/login/", {"username": "liming", "password": PASSWORD})
    assert OFF_ZH in page.content.decode() and "_auth_user_id" not in page.wsgi_request.session
    for url in ("/p/hz-1/agent/", "/p/hz-1/agent/appeal/1/", "/p/hz-1/agent/code/1/"):
        response = earlier.get(url)
        assert response.status_code == 403 and OFF_ZH in response.content.decode(), url
    assert earlier.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"}).status_code == 403
    with pytest.raises(distributors.Paused) as refused:
        _register(cast.liming)
    assert refused.value.zh == OFF_ZH
    assert not models.Event.objects.filter(kind=REGISTRATION).exists() and not models.Lookup.objects.exists()
    assert _register(cast.huanglei).accepted  # a colleague of the same company works on
    assert _signed_in(cast.zhoutao.user).get("/p/hz-1/agent/").status_code == 200


def test_the_api_refuses_the_agents_token_and_their_company_registering_for_them(
    cast: Cast, qian: models.Staff
) -> None:
    _off(cast.liming, qian)
    for response in (
        Api(cast.keys["liming"]).get("/registrations"),
        Api(cast.keys["liming"]).post("/registrations", {"name": "陈红", "phone": "13900000011"}),
        Api(cast.keys["anju"]).post(
            "/registrations", {"name": "陈红", "phone": "13900000011", "agent": cast.liming.pk}
        ),
    ):
        assert response.status_code == 403
        assert response.json() == {"code": "paused", "message": OFF_ZH, "field": ""}
    assert not models.Event.objects.filter(kind=REGISTRATION).exists()
    system = Api(cast.keys["anju"]).post(
        "/registrations", {"name": "陈红", "phone": "13900000011", "agent": cast.huanglei.pk}
    )
    assert system.status_code == 200 and system.json()["accepted"]
    assert Api(cast.keys["huanglei"]).get("/registrations").status_code == 200


def test_what_they_registered_keeps_its_protection_but_no_escorted_visit_is_confirmed(
    cast: Cast, qian: models.Staff
) -> None:
    answer = _register(cast.liming, ago=timedelta(hours=3))
    assert answer.accepted and answer.event is not None
    before = selectors.registrations_shown(cast.liming, timezone.now(), "zh")
    _off(cast.liming, qian)
    after = selectors.registrations_shown(cast.liming, timezone.now(), "zh")
    assert [(r.word, r.until) for r in after] == [(r.word, r.until) for r in before] == [("报备成功", answer.until)]
    assert (_register(cast.zhoutao).word) == "已被报备"  # still 李明's to bring in
    project = cast.office.project
    with pytest.raises(LedgerError) as refused:
        services.escort_confirm(
            project=project,
            staff=qian,
            user=qian.user,
            code=codes.escort_code(project, answer.event.seq),
            phone="13900000011",
        )
    assert refused.value.field == "code" and "已停用" in refused.value.zh
    assert not models.Event.objects.filter(kind=ESCORTED_VISIT).exists()


def test_the_companys_admin_switches_its_own_agents_and_no_one_else(cast: Cast, qian: models.Staff) -> None:
    admin = _signed_in(cast.huanglei.user)
    home = admin.get("/p/hz-1/agent/").content.decode()
    assert reverse("agent_colleague", args=["hz-1", cast.liming.pk]) in home and "本公司经纪人" in home
    url = reverse("agent_colleague_switch", args=["hz-1", cast.liming.pk])
    done = admin.post(url, {"reason": "休假一个月", "confirmed": "yes"}, follow=True).content.decode()
    assert "李明已停用" in done and "休假一个月" in done and "黄磊（安居分销）" in done
    switch = Switch.objects.get()
    assert (switch.by, switch.by_agent, switch.agent) == (None, cast.huanglei, cast.liming)
    assert admin.post(url, {"reason": "回来了", "confirmed": "yes"}).status_code == 302
    assert models.Agent.objects.get(pk=cast.liming.pk).active
    other = reverse("agent_colleague", args=["hz-1", cast.zhoutao.pk])  # another company's agent: not found
    assert admin.get(other).status_code == 404
    assert admin.post(reverse("agent_colleague_switch", args=["hz-1", cast.zhoutao.pk]), {}).status_code == 404
    plain = _signed_in(cast.liming.user)  # not the admin: nothing to find, no list on the page
    assert plain.get(reverse("agent_colleague", args=["hz-1", cast.huanglei.pk])).status_code == 404
    assert "本公司经纪人" not in plain.get("/p/hz-1/agent/").content.decode()
    own = admin.get(reverse("agent_colleague", args=["hz-1", cast.huanglei.pk])).content.decode()
    assert "这是您本人的账号" in own and reverse("agent_colleague_switch", args=["hz-1", cast.huanglei.pk]) not in own
    with pytest.raises(DomainError):
        distributors.agent_switch(agent=cast.huanglei, active=False, reason="x", confirmed=True, by_agent=cast.huanglei)


def test_an_agent_the_channel_team_switched_off_is_switched_back_on_by_the_team_only(
    cast: Cast, qian: models.Staff
) -> None:
    _off(cast.liming, qian)
    refused = _signed_in(cast.huanglei.user).post(
        reverse("agent_colleague_switch", args=["hz-1", cast.liming.pk]), {"reason": "误停", "confirmed": "yes"}
    )
    assert refused.status_code == 400 and "只能由渠道部重新启用" in refused.content.decode()
    assert not models.Agent.objects.get(pk=cast.liming.pk).active
    with pytest.raises(DomainError):  # nor does a sales manager: the channel team's
        distributors.agent_switch(agent=cast.liming, active=True, reason="x", confirmed=True, staff=cast.office.zhao)
    distributors.agent_switch(agent=cast.liming, active=True, reason="核实无误", confirmed=True, staff=qian)
    assert models.Agent.objects.get(pk=cast.liming.pk).active


def test_the_admin_site_shows_an_agents_switch_but_cannot_flip_it(cast: Cast) -> None:
    from django.contrib import admin as django_admin

    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD, first_name="管理员")
    page = _signed_in(boss).get(f"/admin/ledger/agent/{cast.liming.pk}/change/")
    assert page.status_code == 200
    request = page.wsgi_request
    request.user = boss
    model_admin = django_admin.site._registry[models.Agent]
    assert "active" not in model_admin.get_form(request, cast.liming)().fields

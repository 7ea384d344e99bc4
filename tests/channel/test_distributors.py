"""A distributor company switched off and back on by the channel team (decision 480), and every door that then
refuses its agents and tokens: the sign-in page, the agents' pages, the registration service, the API, the admin.

The cast of tests/api_cast.py: 李明 and 黄磊 of 安居分销, 周涛 of 好房分销, 安居's own system; 钱多 the
channel specialist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from api_cast import Api, Cast, cast_make
from leadledger.channel import distributors, services
from leadledger.channel.models import Switch
from leadledger.engine.errors import DomainError
from leadledger.engine.model import REGISTRATION
from leadledger.ledger import models
from office import PASSWORD, Office, _staff, client_in

PAUSED_ZH = distributors.PAUSED[0]


@pytest.fixture
def cast(office: Office) -> Cast:
    return cast_make(office)


@pytest.fixture
def qian(cast: Cast) -> models.Staff:
    return _staff(cast.office.project, "qian", "钱多", models.Staff.Role.CHANNEL_SPECIALIST)


def _pause(cast: Cast, qian: models.Staff, firm: models.Distributor | None = None) -> Switch:
    return distributors.distributor_switch(
        staff=qian, distributor=firm or cast.anju, active=False, reason="拖欠佣金对账", confirmed=True
    )


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_channel_team_pauses_a_company_with_a_reason_and_a_confirmation(cast: Cast, qian: models.Staff) -> None:
    client = _signed_in("qian")
    url = reverse("channel_firm_switch", kwargs={"project": "hz-1", "pk": cast.anju.pk})
    no_reason = client.post(url, {"reason": " ", "confirmed": "yes"})
    assert no_reason.status_code == 400 and "请写明原因" in no_reason.content.decode()
    unconfirmed = client.post(url, {"reason": "拖欠佣金对账"})
    page = unconfirmed.content.decode()
    assert unconfirmed.status_code == 400 and "请勾选确认" in page and 'value="拖欠佣金对账"' in page  # nothing lost
    assert models.Distributor.objects.get(pk=cast.anju.pk).active
    done = client.post(url, {"reason": "拖欠佣金对账", "confirmed": "yes"}, follow=True)
    page = done.content.decode()
    assert "安居分销已暂停" in page and "拖欠佣金对账" in page and "钱多" in page  # the message and the history
    assert not models.Distributor.objects.get(pk=cast.anju.pk).active
    switch = Switch.objects.get()
    assert (switch.active, switch.reason, switch.by) == (False, "拖欠佣金对账", qian)
    again = client.post(url, {"reason": "对账完成", "confirmed": "yes"}, follow=True)
    assert "安居分销已恢复合作" in again.content.decode()
    assert models.Distributor.objects.get(pk=cast.anju.pk).active
    assert list(Switch.objects.order_by("at").values_list("active", flat=True)) == [False, True]


def test_only_the_channel_team_switches_a_company(cast: Cast, qian: models.Staff) -> None:
    with pytest.raises(DomainError):
        distributors.distributor_switch(
            staff=cast.office.zhao, distributor=cast.anju, active=False, reason="x", confirmed=True
        )
    url = reverse("channel_firm_switch", kwargs={"project": "hz-1", "pk": cast.anju.pk})
    assert _signed_in("zhao").post(url, {"reason": "x", "confirmed": "yes"}).status_code == 403
    assert models.Distributor.objects.get(pk=cast.anju.pk).active
    other = models.Distributor.objects.get(project__code="xh-2")  # another project's company: not found
    url = reverse("channel_firm", kwargs={"project": "hz-1", "pk": other.pk})
    assert _signed_in("qian").get(url).status_code == 404


def test_a_paused_companys_agent_cannot_sign_in_and_is_told_so_plainly(cast: Cast, qian: models.Staff) -> None:
    _pause(cast, qian)
    page = client_in("zh-hans").post("/login/", {"username": "liming", "password": PASSWORD})
    text = page.content.decode()
    assert PAUSED_ZH in text and "_auth_user_id" not in page.wsgi_request.session
    assert "周涛" not in text
    assert _signed_in("zhoutao")  # another company's agent signs in as before


def test_an_agent_signed_in_before_the_pause_is_refused_by_every_agent_page(cast: Cast, qian: models.Staff) -> None:
    client = _signed_in("liming")
    assert client.get("/p/hz-1/agent/").status_code == 200
    _pause(cast, qian)
    for url in ("/p/hz-1/agent/", f"/p/hz-1/agent/appeal/{1}/"):
        response = client.get(url)
        assert response.status_code == 403 and PAUSED_ZH in response.content.decode(), url
    posted = client.post("/p/hz-1/agent/register/", {"name": "陈红", "phone": "13900000011"})
    assert posted.status_code == 403
    assert not models.Event.objects.filter(kind=REGISTRATION).exists()


def test_the_registration_service_refuses_and_looks_nobody_up(cast: Cast, qian: models.Staff) -> None:
    _pause(cast, qian)
    with pytest.raises(distributors.Paused):
        services.registration_make(
            project=cast.office.project, agent=cast.liming, user=cast.liming.user, name="陈红", phone="13900000011"
        )
    assert not models.Event.objects.filter(kind=REGISTRATION).exists()
    assert not models.Lookup.objects.exists()


def test_a_paused_companys_tokens_are_refused_by_the_api_with_the_sentence(cast: Cast, qian: models.Staff) -> None:
    _pause(cast, qian)
    for key in ("liming", "huanglei", "anju"):
        for response in (
            Api(cast.keys[key]).post("/registrations", {"name": "陈红", "phone": "13900000011"}),
            Api(cast.keys[key]).get("/registrations"),
        ):
            assert response.status_code == 403, key
            assert response.json() == {"code": "paused", "message": PAUSED_ZH, "field": ""}
    english = Api(cast.keys["anju"], "en").get("/registrations").json()
    assert english["message"].startswith("Your company's work with this project is paused")
    assert Api(cast.keys["zhoutao"]).get("/registrations").status_code == 200  # 好房分销 works on
    distributors.distributor_switch(staff=qian, distributor=cast.anju, active=True, reason="对账完成", confirmed=True)
    assert Api(cast.keys["liming"]).get("/registrations").status_code == 200


def test_what_was_registered_before_the_pause_keeps_its_protection(cast: Cast, qian: models.Staff) -> None:
    """Decision 480: being switched off is about who may work now, not whose customers are whose."""
    from django.utils import timezone

    from leadledger.channel import selectors

    answer = services.registration_make(
        project=cast.office.project, agent=cast.liming, user=cast.liming.user, name="陈红", phone="13900000011"
    )
    assert answer.accepted
    before = selectors.registrations_shown(cast.liming, timezone.now(), "zh")
    _pause(cast, qian)
    after = selectors.registrations_shown(cast.liming, timezone.now(), "zh")
    assert [(r.word, r.until) for r in after] == [(r.word, r.until) for r in before] == [("报备成功", answer.until)]
    refused = services.registration_make(
        project=cast.office.project, agent=cast.zhoutao, user=cast.zhoutao.user, name="陈红", phone="13900000011"
    )
    assert (refused.accepted, refused.word) == (False, "已被报备")  # the paused company's customer stays protected


def test_the_admin_shows_the_switch_but_cannot_flip_it_without_a_reason(cast: Cast) -> None:
    from django.contrib import admin as django_admin

    boss = get_user_model().objects.create_superuser("boss", password=PASSWORD, first_name="管理员")
    admin = _signed_in("boss")
    assert "安居分销" in admin.get("/admin/ledger/distributor/").content.decode()
    page = admin.get(f"/admin/ledger/distributor/{cast.anju.pk}/change/")
    assert page.status_code == 200
    model_admin = django_admin.site._registry[models.Distributor]
    request = page.wsgi_request
    request.user = boss
    assert "active" in model_admin.get_readonly_fields(request, cast.anju)
    assert "active" not in model_admin.get_form(request, cast.anju)().fields  # no form field to post it through

"""A distributor's statement over the API (C-6, decision 472): the company's own token (its admin agent or its
integration) reads its company only; a staff token with channel_money reads any company of the project; the
figures are the statement page's (one selector)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from api_cast import Api, Cast
from channel.test_escort import _register
from leadledger.api import tokens
from leadledger.channel import codes
from leadledger.channel import services as channel
from leadledger.ledger import models
from leadledger.money import selectors
from leadledger.money import services as money_services
from leadledger.sales import services as sales

PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "subscription", "share": "0.3"}, {"stage": "signing", "share": "0.7"}],
    "distributors": {"安居分销": [{"up_to": None, "rate": "0.01"}]},
}


@pytest.fixture
def sold(cast: Cast) -> int:
    """李明 of 安居分销 registered 陈红 and walked her in; 王芳 took a deposit of 1,000,000 on 3栋 1201."""
    office = cast.office
    money_services.set_plan(office.project, PLAN)
    registration = _register(cast.liming, "陈红", "13900000011")
    visit = channel.escort_confirm(
        project=office.project,
        staff=office.sun,
        user=office.sun.user,
        code=codes.escort_code(office.project, registration.seq),
        phone="13900000011",
    ).event
    chen = models.Customer.objects.get(pk=json.loads(visit.body)["customer"])
    unit = sales.unit_list(
        by=office.zhao, building="3栋", floor=12, number="1201", area=Decimal(90), list_price=Decimal(1), user=None
    )
    done = sales.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[chen.pk], price="1000000", user=None)
    return int(done.deal.seq)


def _key(staff: models.Staff) -> str:
    return tokens.token_create(staff=staff)[1]


def test_the_companys_admin_and_its_integration_read_the_same_figures_as_the_page(cast: Cast, sold: int) -> None:
    now = timezone.localtime()
    page = selectors.distributor_statement(cast.anju, now.year, now.month)
    for key in ("huanglei", "anju"):
        body = Api(cast.keys[key]).get("/distributor-statements", month=now.strftime("%Y-%m")).json()
        assert (body["distributor"], body["name"], body["month"]) == (cast.anju.pk, "安居分销", now.strftime("%Y-%m"))
        assert (body["commission"], body["due"], body["paid"], body["owing"]) == (
            "10000.00",
            "3000.00",
            "0.00",
            "3000.00",
        )
        assert Decimal(body["commission"]) == page.commission and Decimal(body["owing"]) == page.owing
        [deal] = body["deals"]
        assert (deal["deal"], deal["unit"], deal["price"], deal["commission"], deal["returned"]) == (
            sold,
            "3栋-1201",
            "1000000.00",
            "10000.00",
            False,
        )
        assert deal["customer"].startswith("陈*") and "13900000011" not in json.dumps(body)
    assert Api(cast.keys["anju"]).get("/distributor-statements", distributor=cast.anju.pk).status_code == 200


def test_a_distributor_reads_its_own_company_only(cast: Cast, sold: int) -> None:
    haofang = cast.zhoutao.distributor
    other = Api(cast.keys["anju"]).get("/distributor-statements", distributor=haofang.pk)
    nobody = Api(cast.keys["anju"]).get("/distributor-statements", distributor=999_999)
    assert other.status_code == nobody.status_code == 404 and other.json() == nobody.json()
    assert Api(cast.keys["liming"]).get("/distributor-statements").json()["code"] == "forbidden"  # not the admin
    assert Api(cast.keys["other"]).get("/distributor-statements").status_code == 403  # project B's plain agent


def test_staff_with_channel_money_read_any_company_and_others_are_refused(cast: Cast, sold: int) -> None:
    office = cast.office
    zhao = Api(_key(office.zhao), "en")
    assert zhao.get("/distributor-statements", distributor=cast.anju.pk).json()["commission"] == "10000.00"
    haofang = zhao.get("/distributor-statements", distributor=cast.zhoutao.distributor_id).json()
    assert (haofang["name"], haofang["commission"], haofang["deals"]) == ("好房分销", "0.00", [])
    asked = zhao.get("/distributor-statements")
    assert asked.status_code == 400 and asked.json() == {
        "code": "refused",
        "message": "choose the distributor",
        "field": "distributor",
    }
    elsewhere = models.Distributor.objects.get(project__code="xh-2")
    assert zhao.get("/distributor-statements", distributor=elsewhere.pk).status_code == 404
    alice = Api(_key(office.alice)).get("/distributor-statements", distributor=cast.anju.pk)
    assert alice.status_code == 403 and alice.json()["message"] == "您的令牌不能做这件事"
    assert Api(None).get("/distributor-statements").status_code == 401

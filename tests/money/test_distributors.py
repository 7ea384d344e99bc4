"""A deal that came under a distributor's escorted visit posts the distributor's commission by its contract
(C-6, C-7, decision 470): balanced lines on the money chain, falling due with the consultants' trigger,
re-priced at signing, reversed on a return; a house deal posts none."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from channel.test_escort import Channel, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger.engine import money as rules
from leadledger.ledger import models as ledger
from leadledger.money import models, services
from leadledger.sales import services as sales
from leadledger.sales.models import Unit

PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "subscription", "share": "0.3"}, {"stage": "signing", "share": "0.7"}],
    "distributors": {"安居分销": [{"up_to": None, "rate": "0.01"}]},
}


def _unit(channel: Channel, number: str = "1201") -> Unit:  # noqa: F811
    return sales.unit_list(
        by=channel.office.zhao,
        building="3栋",
        floor=12,
        number=number,
        area=Decimal("89.5"),
        list_price=Decimal("1000000"),
        user=None,
    )


def _escorted(channel: Channel) -> ledger.Customer:  # noqa: F811
    """陈红, registered by 李明 of 安居分销 and escorted in."""
    visit = _confirm(channel, _register(channel.liming, "陈红", "13900000011"), "13900000011").event
    return ledger.Customer.objects.get(pk=json.loads(visit.body)["customer"])


def _balances(**filters: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for account, amount in models.MoneyLine.objects.filter(**filters).values_list("account", "amount"):
        totals[account] = totals.get(account, Decimal(0)) + amount
    return {k: v for k, v in totals.items() if v}


def _each_posting_balances() -> None:
    for source in set(models.MoneyLine.objects.values_list("source", flat=True)):
        assert sum(models.MoneyLine.objects.filter(source=source).values_list("amount", flat=True)) == 0, source


@pytest.fixture
def anju(channel: Channel) -> str:  # noqa: F811
    services.set_plan(channel.office.project, PLAN)
    return rules.distributor_account(channel.liming.distributor_id)


def test_an_escorted_customers_deal_posts_the_distributors_commission(channel: Channel, anju: str) -> None:  # noqa: F811
    chen = _escorted(channel)
    unit = _unit(channel)
    done = sales.unit_deposit(by=channel.office.alice, unit_id=unit.pk, buyers=[chen.pk], price="1000000", user=None)
    assert _balances(kind="allocation", account=anju) == {anju: Decimal("10000.00")}  # 1% by 安居's contract
    assert _balances(kind="due", account=anju) == {anju: Decimal("3000.00")}  # 认购's 30%, as the consultants'
    assert _balances(kind="due", account=str(channel.office.alice.pk)) == {
        str(channel.office.alice.pk): Decimal("900.00")
    }
    sales.unit_sign(by=channel.office.zhao, unit_id=unit.pk, price="980000", user=None)  # re-priced (decision 380)
    assert _balances(kind="allocation", account=anju) == {anju: Decimal("9800.00")}
    assert _balances(kind="due", account=anju) == {anju: Decimal("9800.00")}
    assert _balances(account=str(channel.office.alice.pk), kind="due") == {
        str(channel.office.alice.pk): Decimal("2940.00")
    }
    _each_posting_balances()
    from office import PASSWORD, client_in

    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    page = client.get(f"/p/{channel.office.project.code}/sales/deal/{done.deal.seq}/").content.decode()
    assert "分销佣金：安居分销 9,800.00" in page and "dist:" not in page  # the deal page names the distributor
    assert "累计应结佣金 2,940.00" in page  # the consultants' due, the distributor's apart
    sales.unit_return(by=channel.office.zhao, unit_id=unit.pk, reason="客户贷款未获批", user=None)
    assert _balances(event=done.deal) == {}  # clawback: the distributor's lines too
    _each_posting_balances()


def test_a_distributor_is_paid_from_what_is_due(channel: Channel, anju: str) -> None:  # noqa: F811
    chen = _escorted(channel)
    unit = _unit(channel)
    sales.unit_deposit(by=channel.office.alice, unit_id=unit.pk, buyers=[chen.pk], price="1000000", user=None)
    services.pay_distributor(channel.liming.distributor, Decimal("3000"))
    assert _balances(account=anju, kind="paid") == {anju: Decimal("3000.00")}
    with pytest.raises(rules.PlanError):
        services.pay_distributor(channel.liming.distributor, Decimal("0.01"))  # nothing more is due
    _each_posting_balances()


def test_a_house_deal_and_a_distributor_without_a_contract_post_no_channel_lines(
    channel: Channel,  # noqa: F811
) -> None:
    services.set_plan(
        channel.office.project, {**PLAN, "distributors": {"好房分销": [{"up_to": None, "fixed": "8000"}]}}
    )
    chen = _escorted(channel)  # 安居分销's customer: 安居 has no contract now
    sales.unit_deposit(by=channel.office.alice, unit_id=_unit(channel).pk, buyers=[chen.pk], price="1000000", user=None)
    office = channel.office
    sales.unit_deposit(
        by=office.alice, unit_id=_unit(channel, "1202").pk, buyers=[office.zhang.pk], price="900000", user=None
    )
    assert not models.MoneyLine.objects.filter(account__startswith=rules.DISTRIBUTOR).exists()
    assert not models.MoneyLine.objects.filter(kind=rules.CHANNEL).exists()


def test_a_manager_sets_the_distributors_contracts_on_the_plan_page(channel: Channel) -> None:  # noqa: F811
    from office import PASSWORD, client_in

    project = channel.office.project
    services.set_plan(project, {**PLAN, "distributors": {"旧分销": [{"up_to": None, "fixed": "1000"}]}})
    anju, haofang = channel.liming.distributor, channel.zhoutao.distributor
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    url = f"/p/{project.code}/manage/commission/"
    form = {"value_0": "3", "how_0": "rate", "stage_signing": "100"}
    bad = client.post(url, {**form, f"d{anju.pk}_value_0": "200", f"d{anju.pk}_how_0": "rate"})
    page = bad.content.decode()
    assert f'id="d{anju.pk}-error">第1档：费率最高为房价的10%（100‰）' in page and 'value="200"' in page
    assert "安居分销" not in models.CommissionPlan.objects.get().plan["distributors"]
    done = client.post(
        url,
        {
            **form,
            f"d{anju.pk}_up_to_0": "1000000",
            f"d{anju.pk}_value_0": "10",
            f"d{anju.pk}_how_0": "rate",
            f"d{anju.pk}_value_1": "12000",
            f"d{anju.pk}_how_1": "fixed",
            f"d{haofang.pk}_value_0": "8000",
            f"d{haofang.pk}_how_0": "fixed",
        },
        follow=True,
    )
    assert "佣金方案已保存" in done.content.decode()
    contracts = models.CommissionPlan.objects.get().plan["distributors"]
    assert contracts == {
        "旧分销": [{"up_to": None, "fixed": "1000"}],  # a company no longer listed: kept as stored
        "安居分销": [{"up_to": "1000000", "rate": "0.01"}, {"up_to": None, "fixed": "12000"}],
        "好房分销": [{"up_to": None, "fixed": "8000"}],
    }
    again = client.get(url).content.decode()
    assert f'name="d{anju.pk}_value_0" value="10"' in again and f'name="d{haofang.pk}_value_0" value="8000"' in again

"""Deals and commission by consultant, by channel and by month, as SVG charts drawn on the server."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from channel.test_escort import Channel, channel  # noqa: F401 (fixture)
from leadledger.engine import money as rules
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services
from leadledger.money import charts, selectors, services
from leadledger.sales import services as sales
from money.test_distributors import PLAN, _escorted, _unit
from office import PASSWORD, client_in


def _two_deals(channel: Channel) -> None:  # noqa: F811
    """王芳 sells 1201 to 安居分销's 陈红 (1,000,000) and 1202 to the house's own 张伟 (900,000)."""
    office = channel.office
    services.set_plan(office.project, PLAN)
    chen = _escorted(channel)
    ledger_services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    sales.unit_deposit(by=office.alice, unit_id=_unit(channel, "1201").pk, buyers=[chen.pk], price="1000000", user=None)
    sales.unit_deposit(
        by=office.alice, unit_id=_unit(channel, "1202").pk, buyers=[office.zhang.pk], price="900000", user=None
    )


def test_the_figures_by_consultant_channel_and_month(channel: Channel) -> None:  # noqa: F811
    _two_deals(channel)
    now = timezone.localtime()
    project = channel.office.project
    anju = rules.distributor_account(channel.liming.distributor_id)
    assert [(f.key, f.deals, f.commission) for f in selectors.by_channel(project, now.year, now.month)] == [
        ("house", Decimal("1.00"), Decimal("2700.00")),
        (anju, Decimal("1.00"), Decimal("13000.00")),  # 3000 to 王芳 and 10000 to 安居分销
    ]
    alice = str(channel.office.alice.pk)
    assert [(f.key, f.deals, f.commission) for f in selectors.by_consultant(project, now.year, now.month)] == [
        (alice, Decimal("2.00"), Decimal("5700.00"))
    ]
    months = selectors.by_month(project, now.year, now.month)
    assert len(months) == 6 and (months[-1].deals, months[-1].commission) == (Decimal(2), Decimal("15700.00"))
    assert months[0].deals == 0


def test_the_charts_page_draws_svg_for_the_manager_only(channel: Channel) -> None:  # noqa: F811
    _two_deals(channel)
    ledger.Distributor.objects.create(project=channel.office.project, name="<b>好</b>")
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    page = client.get(f"/p/{channel.office.project.code}/manage/figures/").content.decode()
    assert page.count("<svg") == 3 and "<script" not in page.split("<svg", 1)[1].split("</svg>")[0]
    assert "安居分销" in page and "案场自有客户" in page and "王芳" in page and "13,000.00元" in page and "2套" in page
    consultant = client_in("zh-hans")
    assert consultant.login(username="alice", password=PASSWORD)
    assert consultant.get(f"/p/{channel.office.project.code}/manage/figures/").status_code == 403


def test_a_label_is_escaped_in_the_svg() -> None:
    drawn = charts.bars([charts.Row("<b>刘</b>", Decimal(1), Decimal(5))], "t", "%(count)s", "%(amount)s")
    assert "<b>" not in drawn and "&lt;b&gt;刘&lt;/b&gt;" in drawn

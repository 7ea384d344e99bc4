"""Distributor performance for the channel team (decision 485): registrations, refusals by D-12's reason,
escorted visits, deals, conversion and open cases, per company, never another company's on its page.

The cast of tests/channel/test_escort.py: 李明 of 安居分销, 周涛 of 好房分销, 钱多 the specialist.
"""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from channel.test_cases import evidence_dir  # noqa: F401 (fixture)
from channel.test_escort import Channel, _client, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger.channel import cases, performance, services
from leadledger.ledger import models
from leadledger.sales import services as sales


def _story(channel: Channel) -> None:  # noqa: F811
    """安居: two accepted registrations, one brought in and subscribed; 好房: one refused (已被报备), appealed."""
    first = _register(channel.liming, "陈红", "13900000011")
    _register(channel.liming, "马丽", "13900000022")
    refused = services.registration_make(
        project=channel.office.project,
        agent=channel.zhoutao,
        user=channel.zhoutao.user,
        name="陈红",
        phone="13900000011",
    )
    assert not refused.accepted and refused.event is not None
    visit = _confirm(channel, first, "13900000011").event
    import json

    office = channel.office
    unit = sales.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number="1201",
        area=Decimal("89.5"),
        list_price=Decimal("1280000"),
        user=office.zhao.user,
    )
    customer = json.loads(visit.body)["customer"]
    sales.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[customer], price="1250000", user=office.alice.user)
    cases.appeal_file(agent=channel.zhoutao, user=channel.zhoutao.user, seq=refused.event.seq, statement="先联系的我们")


def test_each_companys_figures_are_the_engines(channel: Channel) -> None:  # noqa: F811
    _story(channel)
    now = timezone.now()
    counted = performance.figures(channel.office.project, now - timedelta(days=90), now)
    anju, haofang = counted[channel.liming.distributor_id], counted[channel.zhoutao.distributor_id]
    assert (anju.registrations, anju.accepted, anju.visits, anju.subscribed, anju.signed) == (2, 2, 1, 1, 0)
    assert anju.visit_rate == 0.5 and anju.deal_rate == 1 and anju.open_cases == 0
    assert (haofang.registrations, haofang.accepted, dict(haofang.refused), haofang.open_cases) == (
        1,
        0,
        {"已被报备": 1},
        1,
    )
    assert haofang.visit_rate is None and haofang.deal_rate is None


def test_the_pages_show_the_figures_and_one_companys_page_only_its_own(channel: Channel) -> None:  # noqa: F811
    _story(channel)
    client = _client("qian")
    listing = client.get(reverse("channel_firms", args=["hz-1"])).content.decode()
    assert "安居分销" in listing and "好房分销" in listing and "50%" in listing and "100%" in listing
    page = client.get(reverse("channel_firm", args=["hz-1", channel.zhoutao.distributor_id])).content.decode()
    assert "已被报备 1" in page and "申诉" in page and "陈红" in page
    assert "李明" not in page and "马丽" not in page  # nothing of 安居's
    anju = client.get(reverse("channel_firm", args=["hz-1", channel.liming.distributor_id]) + "?days=30")
    assert anju.status_code == 200 and "周涛" not in anju.content.decode()


def test_the_figures_download_as_a_spreadsheet(channel: Channel) -> None:  # noqa: F811
    _story(channel)
    response = _client("qian").get(reverse("channel_firms_xlsx", args=["hz-1"]) + "?days=365")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "分销商" and {row[0] for row in rows[1:]} == {"安居分销", "好房分销"}
    anju = next(row for row in rows if row[0] == "安居分销")
    assert anju[2:6] == (2, 2, 0, 1)


def test_the_period_is_one_of_the_pages_choices(channel: Channel) -> None:  # noqa: F811
    page = _client("qian").get(reverse("channel_firms", args=["hz-1"]) + "?days=100000")
    assert page.status_code == 200 and page.context["days"] == performance.DEFAULT_DAYS
    assert models.Distributor.objects.count() == 2

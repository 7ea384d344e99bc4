"""A distributor's monthly statement (C-6): every total a sum of the money lines on its account, the same in
the page, the Excel and the PDF; the manager pays from it; the distributor's admin sees their company only."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from channel.test_escort import Channel, _agent, channel  # noqa: F401 (fixture)
from leadledger.engine import money as rules
from leadledger.money import models, selectors, services
from leadledger.sales import services as sales
from money.test_distributors import PLAN, _escorted, _unit
from office import PASSWORD, client_in


def _month_of_deals(channel: Channel) -> None:  # noqa: F811
    """Two deals of 安居分销's customer 陈红 (1% by contract); the second unit is returned; 3000 paid."""
    services.set_plan(channel.office.project, PLAN)
    chen = _escorted(channel)
    office = channel.office
    first, second = _unit(channel, "1201"), _unit(channel, "1202")
    sales.unit_deposit(by=office.alice, unit_id=first.pk, buyers=[chen.pk], price="1000000", user=None)
    sales.unit_sign(by=office.zhao, unit_id=first.pk, price="1000000", user=None)
    sales.unit_deposit(by=office.alice, unit_id=second.pk, buyers=[chen.pk], price="800000", user=None)
    sales.unit_return(by=office.zhao, unit_id=second.pk, reason="客户不买了", user=None)
    services.pay_distributor(channel.liming.distributor, "3000")


def _client(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_distributors_totals_tie_to_its_lines(channel: Channel) -> None:  # noqa: F811
    _month_of_deals(channel)
    now = timezone.localtime()
    s = selectors.distributor_statement(channel.liming.distributor, now.year, now.month)
    mine = models.MoneyLine.objects.filter(account=rules.distributor_account(channel.liming.distributor_id))

    def total(kind: str) -> Decimal:
        return sum(mine.filter(kind=kind).values_list("amount", flat=True), Decimal(0))

    assert s.earned == Decimal("18000.00") and s.reversed == Decimal("8000.00")
    assert s.commission == total("allocation") == Decimal("10000.00")
    assert s.due == Decimal("12400.00")  # 10000 signed, 2400 of the returned unit's 认购 before it was returned
    assert s.paid == total("paid") == Decimal("3000.00")
    assert s.owing == total("due") == Decimal("7000.00")
    assert [(d.unit, d.price, d.commission, d.returned) for d in s.deals] == [
        ("3栋-1201", Decimal("1000000.00"), Decimal("10000.00"), False),
        ("3栋-1202", Decimal("800000.00"), Decimal("0.00"), True),
    ]
    assert (
        s.deals[0].customer.startswith("陈*")
        and "0011" in s.deals[0].customer
        and "13900000011" not in s.deals[0].customer
    )
    other = selectors.distributor_statement(channel.zhoutao.distributor, now.year, now.month)
    assert other.commission == 0 and not other.deals and not other.lines


def test_the_manager_reads_it_pays_it_and_downloads_it(channel: Channel) -> None:  # noqa: F811
    _month_of_deals(channel)
    client = _client("zhao")
    url = f"/p/{channel.office.project.code}/manage/distributors/"
    firm = channel.liming.distributor
    page = client.get(url, {"distributor": firm.pk}).content.decode()
    assert "安居分销" in page and "10000.00" in page and "3栋-1201" in page and "13900000011" not in page
    refused = client.post(f"{url}?distributor={firm.pk}", {"distributor": firm.pk, "amount": "7000.01"})
    assert refused.status_code == 400 and "应付未付为7000.00元，付款不能超过" in refused.content.decode()
    done = client.post(f"{url}?distributor={firm.pk}", {"distributor": firm.pk, "amount": "2000"}, follow=True)
    assert "已向安居分销付款2000.00元" in done.content.decode()
    sheet = client.get(f"/p/{channel.office.project.code}/manage/distributors.xlsx", {"distributor": firm.pk})
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    figures = {row[0]: row[1] for row in rows[1:8]}
    assert figures["已分配佣金"] == 10000 and figures["已发放"] == 5000 and figures["月末应付未付"] == 5000
    book = load_workbook(BytesIO(sheet.content))
    deals = [row for row in book.active.iter_rows(min_row=11, max_row=12, values_only=True)]
    assert [(row[1], row[4]) for row in deals] == [("3栋-1201", 10000), ("3栋-1202", 0)]
    assert len(book.active._charts) == 1  # the deals' commission as a bar chart
    assert client.get(url, {"distributor": "999999"}).status_code == 404
    assert _client("alice").get(url).status_code == 403


def test_the_distributors_admin_sees_their_own_company_only(channel: Channel) -> None:  # noqa: F811
    _month_of_deals(channel)
    channel.zhoutao.admin = True
    channel.zhoutao.save(update_fields=["admin"])
    boss = _agent(channel.office.project, "anju-boss", "马总", "安居分销")
    boss.admin = True
    boss.save(update_fields=["admin"])
    url = f"/p/{channel.office.project.code}/agent/statement/"
    own = _client("anju-boss").get(url, {"distributor": channel.zhoutao.distributor_id}).content.decode()
    assert "安居分销" in own and "10000.00" in own and "好房分销" not in own  # the query asks for nothing
    theirs = _client("zhoutao").get(url).content.decode()
    assert "好房分销" in theirs and "3栋-1201" not in theirs
    assert _client("liming").get(url).status_code == 403  # an agent, not the company's admin
    assert _client("zhao").get(url).status_code == 403  # staff are refused the agents' pages


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing (apt-get install poppler-utils)")
def test_the_pdf_says_the_same_totals(channel: Channel, tmp_path: Path) -> None:  # noqa: F811
    _month_of_deals(channel)
    client = _client("zhao")
    pdf = client.get(
        f"/p/{channel.office.project.code}/manage/distributors.pdf", {"distributor": channel.liming.distributor_id}
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "s.pdf").write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True).stdout
    assert "安居分销" in text and "10000.00" in text and "7000.00" in text and "3栋-1201" in text

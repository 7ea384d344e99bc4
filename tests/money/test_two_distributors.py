"""Two distributors share one deal (D-9, C-6, decision 470), through the services from the registrations to the
statements: each company's lines by its own contract, its month's statement on the page and in Excel tying to
those lines, and a return reversing both. Run on PostgreSQL too with DATABASE_URL (a money test)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from unittest import mock

from django.utils import timezone
from openpyxl import load_workbook

from channel.test_escort import Channel, _confirm, _register, channel  # noqa: F401 (fixture)
from leadledger.engine import money as rules
from leadledger.ledger import models as ledger
from leadledger.money import models, selectors, services
from leadledger.sales import services as sales
from money.test_distributors import _unit
from office import PASSWORD, client_in

PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "subscription", "share": "0.3"}, {"stage": "signing", "share": "0.7"}],
    "distributors": {"安居分销": [{"up_to": None, "rate": "0.01"}], "好房分销": [{"up_to": None, "fixed": "8000"}]},
}


def _arrived_together(channel: Channel) -> ledger.Customer:  # noqa: F811
    """陈红, brought by 李明 (安居分销) and by 周涛 (好房分销), both walking her in at the same moment (D-9).

    Under 郡原's scheme (`visit`: the claim starts at the escorted visit); each agent's code comes from
    their registration. Under report_visit the second company's registration would be refused (D-11)."""
    channel.office.project.policy = {"protection_scheme": "visit"}
    channel.office.project.save(update_fields=["policy"])
    first = _register(channel.liming, "陈红", "13900000011", ago=timedelta(hours=3))
    second = _register(channel.zhoutao, "陈红", "13900000011", ago=timedelta(hours=2))
    moment = timezone.now() - timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=moment):  # one moment: the server's clock, fixed
        visit = _confirm(channel, first, "13900000011").event
        _confirm(channel, second, "13900000011")
    return ledger.Customer.objects.get(pk=json.loads(visit.body)["customer"])


def _lines(account: str, **filters: object) -> Decimal:
    amounts = models.MoneyLine.objects.filter(account=account, **filters).values_list("amount", flat=True)
    return sum(amounts, Decimal(0))


def test_two_distributors_share_a_deal_each_by_its_contract_to_the_return(channel: Channel) -> None:  # noqa: F811
    office = channel.office
    services.set_plan(office.project, PLAN)
    anju, haofang = channel.liming.distributor, channel.zhoutao.distributor
    a, h = rules.distributor_account(anju.pk), rules.distributor_account(haofang.pk)
    chen = _arrived_together(channel)
    unit = _unit(channel)
    done = sales.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[chen.pk], price="1000000", user=None)
    # half the deal each: 安居 half of 1% of the price, 好房 half of its 8,000 a unit; 认购 makes 30% due
    assert _lines(a, kind="allocation") == Decimal("5000.00") and _lines(h, kind="allocation") == Decimal("4000.00")
    assert _lines(a, kind="due") == Decimal("1500.00") and _lines(h, kind="due") == Decimal("1200.00")
    sales.unit_sign(by=office.zhao, unit_id=unit.pk, price="1000000", user=None)  # 签约 makes the rest due
    services.pay_distributor(haofang, "4000")
    for source in set(models.MoneyLine.objects.values_list("source", flat=True)):
        assert sum(models.MoneyLine.objects.filter(source=source).values_list("amount", flat=True)) == 0, source

    now = timezone.localtime()
    for firm, account, paid in ((anju, a, Decimal(0)), (haofang, h, Decimal("4000.00"))):
        s = selectors.distributor_statement(firm, now.year, now.month)
        assert s.commission == _lines(account, kind="allocation") and s.paid == paid == _lines(account, kind="paid")
        assert s.owing == _lines(account, kind="due") == s.due - s.paid
        assert [(d.unit, d.commission, d.returned) for d in s.deals] == [("3栋-1201", s.commission, False)]
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    url = f"/p/{office.project.code}/manage/distributors"
    page = client.get(f"{url}/", {"distributor": haofang.pk}).content.decode()
    assert "好房分销" in page and "4000.00" in page and "3栋-1201" in page and "13900000011" not in page
    sheet = load_workbook(BytesIO(client.get(f"{url}.xlsx", {"distributor": anju.pk}).content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "安居分销" in " ".join(map(str, cells)) and 5000 in [
        float(c) for c in cells if isinstance(c, (int, float, Decimal))
    ]

    sales.unit_return(by=office.zhao, unit_id=unit.pk, reason="客户贷款未获批", user=None)
    for account in (a, h):  # the return takes back both companies' commission; what was paid stays paid
        assert _lines(account, kind="allocation") == 0
    assert _lines(a) == 0 and _lines(h, kind="paid") == Decimal("4000.00")
    assert not [
        (account, total)
        for account, total in ((acc, _lines(acc, event=done.deal)) for acc in ("deal", a, h, str(office.alice.pk)))
        if total
    ]
    after = selectors.distributor_statement(haofang, now.year, now.month)
    assert after.commission == 0 and after.deals[0].returned and after.reversed == Decimal("4000.00")
    assert after.owing == _lines(h, kind="due") == Decimal("-4000.00")  # paid before the return: owed back

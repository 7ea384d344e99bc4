"""IH-13 on leaving (decision 473): laid off, or resigned on 30 days' notice, a consultant is paid the
commission of signed deals at once; shorter notice keeps it falling due by the plan; dismissed forfeits it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from leadledger.desk import services as desk
from leadledger.engine import money as rules
from leadledger.engine.errors import DomainError
from leadledger.ledger import services as ledger
from leadledger.money import models, services
from leadledger.sales import services as sales
from office import PASSWORD, Office, client_in

PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "signing", "share": "0.5"}, {"stage": "collection", "share": "0.5"}],
}


def _signed_and_deposit_only(office: Office) -> object:
    """王芳 signs one unit (3000, half due at signing) and holds a deposit on another (900, nothing due)."""
    services.set_plan(office.project, PLAN)
    ledger.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    units = [
        sales.unit_list(
            by=office.zhao, building="3栋", floor=1, number=n, area=Decimal(90), list_price=Decimal(1), user=None
        )
        for n in ("101", "102")
    ]
    signed = sales.unit_deposit(
        by=office.alice, unit_id=units[0].pk, buyers=[office.zhang.pk], price="1000000", user=None
    )
    sales.unit_sign(by=office.zhao, unit_id=units[0].pk, price="1000000", user=None)
    sales.unit_deposit(by=office.alice, unit_id=units[1].pk, buyers=[office.zhang.pk], price="300000", user=None)
    return signed.deal


def _mine(office: Office, kind: str) -> Decimal:
    rows = models.MoneyLine.objects.filter(account=str(office.alice.pk), kind=kind)
    return sum(rows.values_list("amount", flat=True), Decimal(0))


def _each_posting_balances() -> None:
    for source in set(models.MoneyLine.objects.values_list("source", flat=True)):
        assert sum(models.MoneyLine.objects.filter(source=source).values_list("amount", flat=True)) == 0, source


def test_the_notice_is_proper_from_thirty_days() -> None:
    left = date(2026, 12, 31)
    assert rules.proper_notice(left - timedelta(days=30), left)
    assert not rules.proper_notice(left - timedelta(days=29), left) and not rules.proper_notice(None, left)
    assert rules.paid_on_leaving("laid_off", None, left) and not rules.paid_on_leaving(
        "dismissed", date(2020, 1, 1), left
    )
    assert not rules.paid_on_leaving("resigned", left - timedelta(days=10), left)
    with pytest.raises(DomainError) as refused:
        rules.notice_checked(left + timedelta(days=1), left)
    assert refused.value.field == "notice_on"


def test_laid_off_is_paid_the_signed_deals_commission_and_nothing_falls_due_twice(office: Office) -> None:
    deal = _signed_and_deposit_only(office)
    assert services.leaving_settlement(office.alice, "laid_off", None, timezone.localdate()) == (
        "paid",
        Decimal("3000.00"),
    )
    desk.departure_record(by=office.zhao, leaver=office.alice, reason="laid_off", user=None)
    assert _mine(office, "paid") == Decimal("3000.00") and _mine(office, "due") == 0
    services.record_payment(deal, Decimal("1000000"), timezone.localdate())  # the rest collected after she left
    assert _mine(office, "paid") == Decimal("3000.00") and _mine(office, "due") == 0  # not due again
    assert _mine(office, "allocation") + _mine(office, "accrued") == Decimal("900.00")  # the deposit-only deal
    _each_posting_balances()


def test_resigned_on_proper_notice_is_paid_and_on_short_notice_is_not(office: Office) -> None:
    _signed_and_deposit_only(office)
    today = timezone.localdate()
    short = services.leaving_settlement(office.alice, "resigned", today - timedelta(days=10), today)
    assert short == ("kept", Decimal("3900.00"))  # the whole unpaid commission keeps falling due by the plan
    desk.departure_record(
        by=office.zhao, leaver=office.alice, reason="resigned", user=None, notice_on=today - timedelta(days=30)
    )
    assert _mine(office, "paid") == Decimal("3000.00")
    _each_posting_balances()


def test_short_notice_posts_nothing_on_leaving(office: Office) -> None:
    _signed_and_deposit_only(office)
    before = models.MoneyLine.objects.count()
    desk.departure_record(
        by=office.zhao, leaver=office.alice, reason="resigned", user=None, notice_on=timezone.localdate()
    )
    assert models.MoneyLine.objects.count() == before and _mine(office, "due") == Decimal("1500.00")


def test_the_departure_page_says_the_amount_before_and_after(office: Office) -> None:
    _signed_and_deposit_only(office)
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    url = f"/p/{office.project.code}/manage/departure/"
    notice = (timezone.localdate() - timedelta(days=31)).isoformat()
    asked = client.post(url, {"staff": office.alice.pk, "reason": "resigned", "notice_on": notice}).content.decode()
    assert "离职时向王芳发放佣金3000.00元" in asked and f'name="notice_on" value="{notice}"' in asked
    short = client.post(url, {"staff": office.alice.pk, "reason": "resigned", "notice_on": ""}).content.decode()
    assert "辞职提前不足30天" in short and "3900.00" in short
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = client.post(url, {"staff": office.alice.pk, "reason": "resigned", "notice_on": future}, follow=True)
    assert "提出辞职日期不能晚于离职日期" in refused.content.decode()
    done = client.post(
        url, {"staff": office.alice.pk, "reason": "resigned", "notice_on": notice, "confirmed": "yes"}, follow=True
    )
    assert "离职时向王芳发放佣金3000.00元" in done.content.decode()
    assert _mine(office, "paid") == Decimal("3000.00")


def test_the_confirmation_says_so_when_nothing_is_unpaid(office: Office) -> None:
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    asked = client.post(f"/p/{office.project.code}/manage/departure/", {"staff": office.bob.pk, "reason": "laid_off"})
    assert "刘洋没有未发放的佣金（IH-13）。" in asked.content.decode()

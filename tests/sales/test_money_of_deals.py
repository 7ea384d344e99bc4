"""Sales control moves the money: a deposit allocates the deal's commission, signing makes 签约's share due
(re-priced at the contract price), a return reverses every line (C-7, decisions 250, 380, 381)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadledger.engine.errors import DomainError
from leadledger.ledger import services as ledger
from leadledger.money import models as money
from leadledger.money import services as money_services
from leadledger.sales import services
from leadledger.sales.models import Unit
from office import Office

PLAN = {
    "bands": [{"up_to": None, "rate": "0.003"}],
    "schedule": [{"stage": "subscription", "share": "0.3"}, {"stage": "signing", "share": "0.7"}],
}


def _balances(office: Office, **filters: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in money.MoneyLine.objects.filter(project=office.project, **filters):
        totals[row.account] = totals.get(row.account, Decimal(0)) + row.amount
    return {k: v for k, v in totals.items() if v}


def _each_posting_balances(office: Office) -> None:
    sources = set(money.MoneyLine.objects.filter(project=office.project).values_list("source", flat=True))
    for source in sources:
        assert sum(money.MoneyLine.objects.filter(source=source).values_list("amount", flat=True)) == 0, source


@pytest.fixture
def unit(office: Office) -> Unit:
    money_services.set_plan(office.project, PLAN)
    ledger.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    return services.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number="1201",
        area=Decimal("89.50"),
        list_price=Decimal("1000000"),
        user=None,
    )


def test_a_deposit_allocates_the_commission_and_makes_the_subscriptions_share_due(office: Office, unit: Unit) -> None:
    alice = str(office.alice.pk)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    assert _balances(office, kind="allocation") == {alice: Decimal("3000.00")}
    assert _balances(office, kind="due") == {alice: Decimal("900.00")}  # 认购 reached, 签约 not yet (decision 381)
    services.unit_sign(by=office.zhao, unit_id=unit.pk, price="1000000", user=None)
    assert _balances(office, kind="allocation") == {alice: Decimal("3000.00")}
    assert _balances(office, kind="due") == {alice: Decimal("3000.00")}
    _each_posting_balances(office)


def test_a_contract_at_another_price_re_prices_the_deal_by_reversing_lines(office: Office, unit: Unit) -> None:
    alice = str(office.alice.pk)
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    before = set(money.MoneyLine.objects.values_list("pk", "amount"))
    services.unit_sign(by=office.zhao, unit_id=unit.pk, price="980000", user=None)
    assert set(money.MoneyLine.objects.filter(pk__in=[pk for pk, _ in before]).values_list("pk", "amount")) == before
    assert _balances(office, kind="allocation") == {alice: Decimal("2940.00")}  # 0.3% of the contract price
    assert _balances(office, kind="due") == {alice: Decimal("2940.00")}
    deal = money_services.deal_money(done.deal)
    assert deal is not None and (deal.price, deal.commission) == (Decimal("980000"), Decimal("2940.00"))
    assert sum(money.MoneyLine.objects.filter(event=done.deal, kind="commission").values_list("amount", flat=True)) == (
        -Decimal("2940.00")
    )
    _each_posting_balances(office)


def test_a_returned_unit_takes_back_every_line_of_its_deal(office: Office, unit: Unit) -> None:
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    services.unit_sign(by=office.zhao, unit_id=unit.pk, price="990000", user=None)
    services.unit_return(by=office.zhao, unit_id=unit.pk, reason="客户贷款未获批", user=None)
    assert _balances(office, event=done.deal) == {}  # clawback: nothing left on any account
    assert money.MoneyLine.objects.filter(source=f"return e{done.deal.seq}").exists()
    again = services.unit_deposit(by=office.bob, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000", user=None)
    assert money_services.deal_money(again.deal) is not None
    _each_posting_balances(office)


def test_without_a_plan_a_deposit_posts_nothing_and_still_takes_the_unit(office: Office) -> None:
    unit = services.unit_list(
        by=office.zhao, building="1栋", floor=1, number="101", area=Decimal(90), list_price=Decimal(1), user=None
    )
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="500000", user=None)
    services.unit_sign(by=office.zhao, unit_id=unit.pk, price="500000", user=None)
    services.unit_return(by=office.zhao, unit_id=unit.pk, reason="不买了", user=None)
    assert not money.MoneyLine.objects.exists()


def test_a_ruling_gives_the_commission_other_shares_and_the_rest_to_the_pool(office: Office, unit: Unit) -> None:
    """IH-16, decision 383: the manager rules a disputed deal 60 / 30, the rest to the pool; the lines follow,
    what fell due follows, and a later contract price keeps the ruled split."""
    alice, bob = str(office.alice.pk), str(office.bob.pk)
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    with pytest.raises(DomainError) as refused:
        services.deal_decide(
            manager=office.zhao,
            deal_seq=done.deal.seq,
            accept=False,
            reason="电话争议",
            shares={alice: "80", bob: "30"},
            user=None,
        )
    assert refused.value.field == "shares" and not _balances(office, kind="allocation", source__startswith="x")
    services.deal_decide(
        manager=office.zhao,
        deal_seq=done.deal.seq,
        accept=False,
        reason="电话争议，按界定5裁定",
        shares={alice: "60", bob: "30", "": ""},
        user=None,
    )
    assert _balances(office, kind="allocation") == {
        alice: Decimal("1800.00"),
        bob: Decimal("900.00"),
        "pool": Decimal("300.00"),
    }
    assert _balances(office, kind="due") == {alice: Decimal("540.00"), bob: Decimal("270.00"), "pool": Decimal("90.00")}
    services.unit_sign(by=office.zhao, unit_id=unit.pk, price="900000", user=None)
    assert _balances(office, kind="allocation") == {
        alice: Decimal("1620.00"),
        bob: Decimal("810.00"),
        "pool": Decimal("270.00"),
    }
    _each_posting_balances(office)
    with pytest.raises(DomainError):  # once
        services.deal_decide(manager=office.zhao, deal_seq=done.deal.seq, accept=True, user=None)

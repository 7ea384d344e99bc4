"""Money posted from the ledger's deal events, payments, returns, penalties and departures (C-7, IH-13, section 6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from leadledger.engine import money as rules
from leadledger.ledger import logchain
from leadledger.ledger import services as ledger
from leadledger.ledger.models import Event
from leadledger.ledger.verify import logs_problems
from leadledger.money import models, services
from office import Office

PLAN = {
    "bands": [{"up_to": "1000000", "rate": "0.003"}, {"up_to": None, "fixed": "5000"}],
    "schedule": [
        {"stage": "collection", "share": "0.7"},
        {"stage": "loan", "share": "0.2"},
        {"stage": "handover", "share": "0.1"},
    ],
}


def _deal(office: Office, **extra: str) -> Event:
    ledger.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk), **extra}
    return ledger.event_append(project=office.project, kind="deal", body=body)


def _balances(office: Office, **filters: object) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in models.MoneyLine.objects.filter(project=office.project, **filters):
        totals[row.account] = totals.get(row.account, Decimal(0)) + row.amount
    return totals


def _postings_balance(office: Office) -> None:
    sources = set(models.MoneyLine.objects.filter(project=office.project).values_list("source", flat=True))
    for source in sources:
        amounts = models.MoneyLine.objects.filter(project=office.project, source=source).values_list(
            "amount", flat=True
        )
        assert sum(amounts) == 0, source


@pytest.fixture
def planned(office: Office) -> Office:
    services.set_plan(office.project, PLAN)
    return office


def test_a_deal_is_posted_by_the_plan_and_falls_due_with_the_payments(planned: Office) -> None:
    office = planned
    event = _deal(office, helper=str(office.bob.pk), help="decisive")
    deal = services.post_deal(event, Decimal("800000"))
    assert deal is not None and deal.commission == Decimal("2400.00")
    alice, bob = str(office.alice.pk), str(office.bob.pk)
    allocated = _balances(office, kind="allocation")
    assert allocated == {alice: Decimal("1680.00"), bob: Decimal("720.00")}  # C-4: 0.7 / 0.3
    assert _balances(office, kind="due") == {}  # nothing collected yet
    services.record_payment(event, Decimal("400000"), date(2026, 3, 1))  # half the price: 35%
    assert _balances(office, kind="due") == {alice: Decimal("588.00"), bob: Decimal("252.00")}
    services.record_payment(event, Decimal("400000"), date(2026, 4, 1), stage="loan")
    services.record_payment(event, Decimal("0"), date(2026, 9, 1), stage="handover")
    assert _balances(office, kind="due") == allocated
    _postings_balance(office)
    assert services.post_deal(event, Decimal("1")) == deal  # posted once


def test_a_returned_unit_reverses_every_line_of_its_deal(planned: Office) -> None:
    office = planned
    event = _deal(office)
    services.post_deal(event, Decimal("500000"))
    services.record_payment(event, Decimal("500000"), date(2026, 3, 1))
    services.unit_returned(event)
    assert {k: v for k, v in _balances(office, event=event).items() if v} == {}
    assert services.unit_returned(event) == []  # once
    services.record_payment(event, Decimal("1000"), date(2026, 3, 2))
    assert {k: v for k, v in _balances(office, event=event).items() if v} == {}
    _postings_balance(office)


def test_a_staff_purchase_goes_to_the_pool(planned: Office) -> None:
    office = planned
    office.zhang.employee = True
    office.zhang.save()
    event = _deal(office)
    services.post_deal(event, Decimal("100000"))
    assert _balances(office, kind="allocation") == {"pool": Decimal("300.00")}  # IH-14


def test_a_dismissed_consultant_forfeits_the_unpaid_a_laid_off_one_does_not(planned: Office) -> None:
    office = planned
    event = _deal(office, helper=str(office.bob.pk), help="decisive")
    services.post_deal(event, Decimal("100000"))  # 300 yuan: 210 to Alice, 90 to Bob (C-4)
    services.pay_out(office.bob, Decimal("0"))
    alice, bob = str(office.alice.pk), str(office.bob.pk)
    laid_off = ledger.event_append(
        project=office.project, kind="staff_left", body={"staff": alice, "reason": "laid_off"}
    )
    paid = services.post_departure(laid_off)  # IH-13: paid on leaving when laid off (decision 473)
    assert {(line.account, line.kind): line.amount for line in paid if line.amount > 0} == {
        (alice, "due"): Decimal("210.00"),  # the signed deal, nothing collected yet: all made due
        (alice, "paid"): Decimal("210.00"),
    }
    dismissed = ledger.event_append(
        project=office.project, kind="staff_left", body={"staff": bob, "reason": "dismissed"}
    )
    lines = services.post_departure(dismissed)
    assert {line.account: line.amount for line in lines} == {bob: Decimal("-90.00"), "pool": Decimal("90.00")}
    _postings_balance(office)


def test_a_penalty_records_rule_manager_evidence_and_suspends(planned: Office) -> None:
    from leadledger.desk.models import Suspension

    office = planned
    penalty = services.record_penalty(
        staff=office.bob,
        manager=office.zhao,
        rule="C-5",
        evidence="抢客，有来访登记为证",
        fine=Decimal("300"),
        points=-20,
        days=7,
    )
    assert penalty.rule == "C-5" and penalty.manager == office.zhao
    assert _balances(office) == {str(office.bob.pk): Decimal("-300.00"), "pool": Decimal("300.00")}
    assert Suspension.objects.get(staff=office.bob).by == office.zhao
    with pytest.raises(services.PenaltyRefused) as refused:
        services.record_penalty(staff=office.bob, manager=office.zhao, rule="C-5", evidence="", fine=Decimal("20"))
    assert {field for field, _ in refused.value.problems} == {"fine", "evidence"}


def test_a_plan_the_engine_cannot_read_is_not_stored(office: Office) -> None:
    with pytest.raises(rules.PlanError):
        services.set_plan(office.project, {"bands": [{"up_to": None}]})
    assert not models.CommissionPlan.objects.exists()


def test_no_plan_or_no_price_posts_nothing(office: Office) -> None:
    event = _deal(office)
    assert services.post_deal(event, Decimal("100000")) is None
    services.set_plan(office.project, PLAN)
    assert services.post_deal(event) is None  # the event carries no price
    assert not models.MoneyLine.objects.exists()


def test_money_lines_are_chained_insert_only_and_verified(office: Office) -> None:
    services.set_plan(office.project, PLAN)
    services.post_deal(_deal(office), Decimal("100000"))
    assert logchain.MONEY_LINES in logchain.LOGS  # so `leadledger verify` and the checkpoints cover them
    assert list(logs_problems(office.project)) == []
    line = models.MoneyLine.objects.filter(project=office.project).first()
    assert line is not None
    for statement in ("UPDATE money_moneyline SET amount = 1", "DELETE FROM money_moneyline"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert models.MoneyLine.objects.count() > 1


def test_a_dismissal_recorded_by_the_manager_forfeits_the_unpaid_commission(planned: Office) -> None:
    """IH-13 through the manager's page's service: the desk's departure posts the forfeiture (decision 251)."""
    from leadledger.desk import services as desk

    office = planned
    event = _deal(office, helper=str(office.bob.pk), help="decisive")
    services.post_deal(event, Decimal("100000"))  # 210 to Alice, 90 to Bob (C-4)
    desk.departure_record(by=office.zhao, leaver=office.bob, reason="dismissed", user=None)
    desk.departure_record(by=office.zhao, leaver=office.alice, reason="laid_off", user=None)
    bob, alice = str(office.bob.pk), str(office.alice.pk)
    assert _balances(office, kind="forfeit") == {bob: Decimal("-90.00"), "pool": Decimal("90.00")}
    assert services.unpaid(office.project, office.alice) == 0  # laid off: paid on leaving (decision 473)
    assert _balances(office, kind="paid") == {alice: Decimal("210.00")}
    assert alice not in _balances(office, kind="forfeit")
    _postings_balance(office)

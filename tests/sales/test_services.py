"""Units, deposits, signings and returns: the first deposit wins, and every change is in the chained sales log."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadledger.engine.errors import DomainError
from leadledger.ledger import logchain
from leadledger.ledger import models as ledger
from leadledger.sales import selectors, services
from leadledger.sales.models import SaleLog, Unit
from office import Office


def _unit(office: Office, number: str = "1201", floor: int = 12) -> Unit:
    return services.unit_list(
        by=office.zhao,
        building="3栋",
        floor=floor,
        number=number,
        area=Decimal("89.50"),
        list_price=Decimal("1280000"),
        user=office.zhao.user,
    )


def test_a_deposit_takes_the_unit_and_records_the_deal(office: Office) -> None:
    unit = _unit(office)
    done = services.unit_deposit(
        by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1,250,000", user=office.alice.user
    )
    unit.refresh_from_db()
    assert unit.status == "deposit" and unit.staff == office.alice and unit.deal_seq == done.deal.seq
    assert done.deal.kind == "deal" and done.deal.staff_id == office.alice.pk
    assert done.log.kind == "deposit" and done.log.price == Decimal("1250000.00")
    assert done.log.buyers == [str(office.zhang.pk)]


def test_a_second_deposit_on_a_taken_unit_is_refused_saying_the_first_wins(office: Office) -> None:
    unit = _unit(office)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    other = ledger.Customer.objects.create(project=office.project, name="李雷", phone="13900000002")
    with pytest.raises(DomainError) as refused:
        services.unit_deposit(by=office.bob, unit_id=unit.pk, buyers=[other.pk], price=1, user=None)
    assert "以先落定者为准" in refused.value.zh
    assert ledger.Event.objects.filter(kind="deal").count() == 1  # no second deal for the same unit
    assert SaleLog.objects.filter(kind="deposit").count() == 1


def test_a_receptionist_may_not_take_a_deposit(office: Office) -> None:
    unit = _unit(office)
    with pytest.raises(DomainError):
        services.unit_deposit(by=office.sun, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    unit.refresh_from_db()
    assert unit.status == "available"


def test_signing_then_return_frees_the_unit_for_the_next_deposit(office: Office) -> None:
    unit = _unit(office)
    first = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1000, user=None)
    signed = services.unit_sign(by=office.zhao, unit_id=unit.pk, price="1200000.5", user=None)
    assert signed.price == Decimal("1200000.50") and signed.deal_seq == first.deal.seq
    with pytest.raises(DomainError):
        services.unit_sign(by=office.zhao, unit_id=unit.pk, price=1, user=None)  # signed once only
    returned = services.unit_return(by=office.zhao, unit_id=unit.pk, reason="客户贷款未获批", user=None)
    # What the money side reads: a return row naming the deal whose lines it reverses.
    assert (returned.kind, returned.deal_seq, returned.note) == ("return", first.deal.seq, "客户贷款未获批")
    unit.refresh_from_db()
    assert unit.status == "returned"
    again = services.unit_deposit(by=office.bob, unit_id=unit.pk, buyers=[office.zhang.pk], price=900, user=None)
    assert again.deal.seq != first.deal.seq


def test_a_return_needs_a_reason_and_a_manager(office: Office) -> None:
    unit = _unit(office)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1000, user=None)
    with pytest.raises(DomainError):
        services.unit_return(by=office.zhao, unit_id=unit.pk, reason="  ", user=None)
    with pytest.raises(DomainError):
        services.unit_return(by=office.alice, unit_id=unit.pk, reason="不买了", user=None)


def test_a_price_is_money_to_the_fen_or_an_error_at_the_field(office: Office) -> None:
    assert services.money("1，280，000.5") == Decimal("1280000.50")
    for wrong in ("", "abc", "-5", "0", "NaN", "Infinity"):
        with pytest.raises(DomainError) as refused:
            services.money(wrong)
        assert refused.value.field == "price"


def test_the_engine_answers_the_deal_with_a_helper(office: Office) -> None:
    unit = _unit(office)
    ledger.Staff.objects.filter(pk=office.bob.pk)  # Bob helped decisively (C-4)
    done = services.unit_deposit(
        by=office.alice,
        unit_id=unit.pk,
        buyers=[office.zhang.pk],
        price=1000,
        helper=office.bob.pk,
        help="decisive",
        user=None,
    )
    shown = selectors.deal_shown(office.project, done.deal.seq)
    assert shown is not None
    assert sum(share for _, share in shown.commission) + shown.verdict.pool == 1
    assert shown.verdict.explain("zh")


def test_a_helper_needs_the_kind_of_help(office: Office) -> None:
    unit = _unit(office)
    with pytest.raises(DomainError) as refused:
        services.unit_deposit(
            by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, helper=office.bob.pk, user=None
        )
    assert refused.value.field == "help"


def test_the_manager_accepts_or_rules_once_with_a_reason(office: Office) -> None:
    unit = _unit(office)
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1000, user=None)
    with pytest.raises(DomainError):
        services.deal_decide(manager=office.zhao, deal_seq=done.deal.seq, accept=False, reason="", user=None)
    with pytest.raises(DomainError):
        services.deal_decide(manager=office.alice, deal_seq=done.deal.seq, accept=True, user=None)
    assert selectors.deals_waiting(office.project) == [done.deal.seq]
    ruled = services.deal_decide(
        manager=office.zhao, deal_seq=done.deal.seq, accept=False, reason="C-2 特批", user=None
    )
    assert ruled.kind == "ruled" and ruled.note == "C-2 特批"
    with pytest.raises(DomainError):
        services.deal_decide(manager=office.zhao, deal_seq=done.deal.seq, accept=True, user=None)
    assert selectors.deals_waiting(office.project) == []


def test_the_sales_log_is_chained_and_an_edit_is_caught(office: Office) -> None:
    unit = _unit(office)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1000, user=None)
    assert list(logchain.log_problems(logchain.SALES, office.project)) == []
    SaleLog.objects.filter(kind="deposit").update(price=Decimal("1.00"))
    assert [p for p in logchain.log_problems(logchain.SALES, office.project)]


def test_the_board_version_moves_with_every_change(office: Office) -> None:
    assert selectors.board_version(office.project) == 0
    unit = _unit(office)
    listed = selectors.board_version(office.project)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1000, user=None)
    assert selectors.board_version(office.project) > listed
    (building,) = selectors.board(office.project)
    assert building.name == "3栋" and building.counts == {"deposit": 1}

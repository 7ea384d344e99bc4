"""The sales-control pages: the board and its cheap refresh, a deposit at the field, the deal page and the decision."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse

from leadledger.ledger import services as ledger_services
from leadledger.sales import services
from leadledger.sales.models import SaleLog, Unit
from office import PASSWORD, Office


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _unit(office: Office, number: str = "1201") -> Unit:
    return services.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number=number,
        area=Decimal("89.5"),
        list_price=Decimal(1280000),
        user=None,
    )


def _own(office: Office) -> None:
    body = {"customer": str(office.zhang.pk), "staff": str(office.alice.pk)}
    ledger_services.event_append(project=office.project, kind="visit", body=body)  # IH-1: Zhang is Alice's


def test_the_board_shows_each_unit_with_its_status_in_words(office: Office) -> None:
    unit = _unit(office)
    _unit(office, "1202")
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    page = _signed_in("sun").get(reverse("sales_board", kwargs={"project": "hz-1"}))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'class="unit deposit"' in text and "已认购" in text and "可售" in text and "12层" in text


def test_the_refresh_answers_nothing_when_nothing_changed(office: Office, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(office)
    client = _signed_in("alice")
    url = reverse("sales_board_refresh", kwargs={"project": "hz-1"})
    first = client.get(url)
    version = first.content.decode().split('name="v" value="')[1].split('"')[0]
    with django_assert_max_num_queries(8):  # session, user, membership, departures, the version: never the units
        assert client.get(url, {"v": version}).status_code == 204
    services.unit_deposit(by=office.bob, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    changed = client.get(url, {"v": version})
    assert changed.status_code == 200 and "已认购" in changed.content.decode()


def test_a_consultant_takes_a_deposit_and_sees_the_engines_answer(office: Office) -> None:
    unit = _unit(office)
    _own(office)
    client = _signed_in("alice")
    url = reverse("sales_unit", kwargs={"project": "hz-1", "pk": unit.pk})
    assert "张伟" in client.get(url).content.decode()  # her own customer is offered as the buyer
    done = client.post(url, {"buyers": [office.zhang.pk], "price": "1,250,000", "staff": office.alice.pk}, follow=True)
    text = done.content.decode()
    assert "已收取" in text or "认购" in text
    assert "王芳" in text and "100%" in text  # the engine's shares, with its sentence
    assert "1,250,000.00" in text  # decision 446: money grouped by thousands, as finance writes it in Chinese
    assert SaleLog.objects.filter(kind="deposit").count() == 1


def test_a_bad_price_is_said_next_to_the_field_and_nothing_is_taken(office: Office) -> None:
    unit = _unit(office)
    page = _signed_in("alice").post(
        reverse("sales_unit", kwargs={"project": "hz-1", "pk": unit.pk}), {"buyers": [office.zhang.pk], "price": "abc"}
    )
    assert page.status_code == 400 and "请填写金额" in page.content.decode()
    unit.refresh_from_db()
    assert unit.status == "available"
    # "²" passes str.isdigit() and the database refused it as an id: 500 on PostgreSQL (found by fuzzing)
    page = _signed_in("alice").post(
        reverse("sales_unit", kwargs={"project": "hz-1", "pk": unit.pk}), {"buyers": ["²"], "price": "1"}
    )
    assert page.status_code == 400 and "没有这位客户" in page.content.decode()


def test_the_manager_accepts_the_deal_from_its_page(office: Office) -> None:
    unit = _unit(office)
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    client = _signed_in("zhao")
    decided = client.post(
        reverse("sales_deal_decide", kwargs={"project": "hz-1", "pk": done.deal.seq}),
        {"decision": "accept"},
        follow=True,
    )
    assert "已确认" in decided.content.decode()
    assert SaleLog.objects.filter(kind="accepted", deal_seq=done.deal.seq).exists()


def test_the_manager_signs_and_returns_a_unit(office: Office) -> None:
    unit = _unit(office)
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    client = _signed_in("zhao")
    url = reverse("sales_unit_move", kwargs={"project": "hz-1", "pk": unit.pk})
    client.post(url, {"move": "signing", "price": "1200000"})
    unit.refresh_from_db()
    assert unit.status == "signed"
    client.post(url, {"move": "return", "reason": "贷款未批"})
    unit.refresh_from_db()
    assert unit.status == "returned"


def test_the_manager_records_payments_and_the_commission_falls_due_with_each(office: Office) -> None:
    from leadledger.money import models as money
    from leadledger.money import services as money_services

    money_services.set_plan(
        office.project,
        {
            "bands": [{"up_to": None, "rate": "0.003"}],
            "schedule": [{"stage": "collection", "share": "0.7"}, {"stage": "handover", "share": "0.3"}],
        },
    )
    unit = _unit(office)
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    client = _signed_in("zhao")
    deal_url = reverse("sales_deal", kwargs={"project": "hz-1", "pk": done.deal.seq})
    url = reverse("sales_deal_payment", kwargs={"project": "hz-1", "pk": done.deal.seq})
    page = client.get(deal_url).content.decode()
    assert "3,000.00" in page and url in page  # the commission, and the payment form
    answer = client.post(url, {"amount": "500,000", "received_on": "2026-01-05", "stage": ""}, follow=True)
    assert "收款已登记" in answer.content.decode()

    def due() -> Decimal:
        return sum(money.MoneyLine.objects.filter(event=done.deal, kind="due").values_list("amount", flat=True))

    assert due() == Decimal("1050.00")  # 70% of 3,000 in proportion to half the price received
    bad = client.post(url, {"amount": "abc", "received_on": "2026-01-06", "stage": ""}, follow=True)
    assert "金额" in bad.content.decode() and due() == Decimal("1050.00")
    client.post(url, {"amount": "", "received_on": "2026-01-07", "stage": "handover"})
    assert due() == Decimal("1950.00")
    assert _signed_in("alice").post(url, {"amount": "1", "received_on": "2026-01-08"}).status_code == 403
    assert money.Payment.objects.count() == 2


def test_the_one_who_came_second_sees_the_unit_taken_and_no_form(office: Office) -> None:
    unit = _unit(office)
    url = reverse("sales_unit", kwargs={"project": "hz-1", "pk": unit.pk})
    bob = _signed_in("bob")
    bob.get(url)  # Bob opened the form while the unit was free
    services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price=1, user=None)
    page = bob.post(url, {"buyers": [office.zhang.pk], "price": "1000000"})
    text = page.content.decode()
    assert page.status_code == 400 and "以先落定者为准" in text
    assert 'class="unit deposit"' in text and 'name="buyers"' not in text


def test_the_deposit_names_the_registration_it_came_under(office: Office) -> None:
    """D-5: a deal is judged under the record of the registration or confirmation it came under."""
    import json

    from leadledger.ledger import models as ledger

    unit = _unit(office)
    li = ledger.Customer.objects.create(project=office.project, name="李娜", phone="13900000002")
    client = _signed_in("zhao")  # a manager may take a deposit for any customer
    url = reverse("sales_unit", kwargs={"project": "hz-1", "pk": unit.pk})
    assert 'name="customer"' in client.get(url).content.decode()
    client.post(url, {"buyers": [li.pk], "customer": office.zhang.pk, "price": "1000000", "staff": office.alice.pk})
    deal = ledger.Event.objects.get(kind="deal")
    body = json.loads(deal.body)
    assert (body["customer"], body["buyer"]) == (str(office.zhang.pk), str(li.pk))

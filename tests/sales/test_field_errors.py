"""Errors on the deal page's forms (signing, return, payment, ruling) and on the manager's departure form are said
under the field they are about, the form re-shown as typed, in the user's language (issue 16)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from leadledger.ledger import models as ledger
from leadledger.money import models as money
from leadledger.money import services as money_services
from leadledger.sales import services
from leadledger.sales.models import Unit
from office import PASSWORD, Office, client_in


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _deal(office: Office) -> tuple[Unit, int]:
    money_services.set_plan(office.project, {"bands": [{"up_to": None, "rate": "0.003"}]})
    unit = services.unit_list(
        by=office.zhao,
        building="3栋",
        floor=12,
        number="1201",
        area=Decimal("89.5"),
        list_price=Decimal(1280000),
        user=None,
    )
    done = services.unit_deposit(by=office.alice, unit_id=unit.pk, buyers=[office.zhang.pk], price="1000000", user=None)
    return unit, done.deal.seq


def _error_under(text: str, field_id: str) -> str:
    """The error paragraph that follows the field with this id (empty when there is none)."""
    after = text.split(f'id="{field_id}"', 1)[1]
    head = after.split("<label", 1)[0].split("<button", 1)[0]
    if '<p class="error"' not in head:
        return ""
    return head.split('<p class="error"', 1)[1].split(">", 1)[1].split("</p>", 1)[0]


def test_a_bad_payment_is_said_under_its_field_with_what_was_typed(office: Office) -> None:
    _, seq = _deal(office)
    url = reverse("sales_deal_payment", kwargs={"project": "hz-1", "pk": seq})
    page = _signed_in("zhao").post(url, {"amount": "abc", "received_on": "2026-01-06", "stage": "down_payment"})
    text = page.content.decode()
    assert page.status_code == 400
    assert _error_under(text, "pay-amount") == "请填写金额（元）"
    assert 'value="abc"' in text and 'value="2026-01-06"' in text  # nothing typed is lost
    assert '<option value="down_payment" selected>' in text
    assert 'class="message error"' not in text  # not a message above the page
    later = _signed_in("zhao", "en").post(url, {"amount": "5", "received_on": "2999-01-01", "stage": ""})
    assert _error_under(later.content.decode(), "pay-on") == "the date received cannot be after today"
    assert not money.Payment.objects.exists()


def test_a_return_without_a_reason_and_a_bad_contract_price_are_said_at_their_fields(office: Office) -> None:
    unit, _ = _deal(office)
    url = reverse("sales_unit_move", kwargs={"project": "hz-1", "pk": unit.pk})
    client = _signed_in("zhao")
    page = client.post(url, {"move": "return", "reason": "  "})
    assert page.status_code == 400 and _error_under(page.content.decode(), "return-reason") == "退房必须说明原因"
    page = client.post(url, {"move": "signing", "price": "12万"})
    text = page.content.decode()
    assert page.status_code == 400 and "金额" in _error_under(text, "sign-price") and 'value="12万"' in text
    unit.refresh_from_db()
    assert unit.status == "deposit"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_ruling_without_a_reason_keeps_its_shares_and_says_so_under_the_reason(office: Office, language: str) -> None:
    _, seq = _deal(office)
    url = reverse("sales_deal_decide", kwargs={"project": "hz-1", "pk": seq})
    form = {"decision": "rule", "reason": "", "share_staff_0": office.alice.pk, "share_percent_0": "60"}
    page = _signed_in("zhao", language).post(url, form)
    text = page.content.decode()
    assert page.status_code == 400
    assert _error_under(text, "reason") == ("裁定必须说明理由" if language == "zh-hans" else "a ruling needs a reason")
    assert f'<option value="{office.alice.pk}" selected>' in text
    assert 'name="share_percent_0" inputmode="decimal" size="5" value="60"' in text


def test_a_departure_refused_is_said_under_the_field_and_the_form_keeps_what_was_typed(office: Office) -> None:
    from datetime import timedelta

    from django.utils import timezone

    url = reverse("manage_departure", kwargs={"project": "hz-1"})
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    form = {"staff": office.bob.pk, "reason": "resigned", "notice_on": future}
    page = _signed_in("zhao").post(url, form)
    text = page.content.decode()
    assert page.status_code == 400
    assert _error_under(text, "notice-on") == "提出辞职日期不能晚于离职日期"
    assert f'value="{future}"' in text and f'<option value="{office.bob.pk}" selected>' in text
    assert _error_under(text, "leaver") == "" and 'class="message error"' not in text
    english = _signed_in("zhao", "en").post(url, {**form, "confirmed": "yes"})  # refused when confirmed too
    assert _error_under(english.content.decode(), "notice-on") == "the notice cannot be given after the day of leaving"
    assert not ledger.Event.objects.filter(kind="staff_left").exists()

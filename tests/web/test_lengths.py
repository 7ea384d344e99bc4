"""Lengths and characters are checked before the database, on both databases, next to the field.

PostgreSQL refuses a name over 100 characters, a reason over 200 or a NUL as a server error; SQLite
stores them silently. Either way the person who typed it must be told, in their language, and
nothing stored. An id that `str.isdigit()` accepts but `int()` does not ("²") is a refused form.
"""

from __future__ import annotations

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch, RenewalRequest, Suspension
from leadledger.engine.errors import DomainError
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in

LONG_NAME = "张" * 101
LONG_REASON = "因" * 201


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _register(client: Client, site: models.Site, **form: str) -> str:
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "13900000002"})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    return client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, **form}).content.decode()


def test_a_name_over_100_characters_is_refused_next_to_the_name_field(office: Office, site: models.Site) -> None:
    page = _register(_client("sun"), site, name=LONG_NAME, phone="13900000002")
    error = page.index('<p class="error" role="alert">')
    assert "客户姓名过长：最多 100 个字，现有 101 个" in page[error : page.index("</p>", error)]
    assert page.index('id="new-name"') < error < page.index('id="new-phone"')
    assert not models.Customer.objects.filter(phone="+8613900000002").exists()
    assert models.Event.objects.count() == 0


def test_a_name_with_a_control_character_is_refused_in_english_too(office: Office, site: models.Site) -> None:
    page = _register(_client("sun", "en"), site, name="李\x01娜", phone="13900000002")
    assert "the customer&#x27;s name holds an invisible control character (U+0001)" in page
    assert models.Event.objects.count() == 0


def test_a_name_of_exactly_100_characters_is_kept(office: Office, site: models.Site) -> None:
    _register(_client("sun"), site, name="张" * 100, phone="13900000002")
    assert models.Customer.objects.get(phone="+8613900000002").name == "张" * 100


def test_a_referral_with_a_name_over_100_characters_is_refused(office: Office) -> None:
    page = _client("alice").post("/p/hz-1/me/referral/", {"name": LONG_NAME, "phone": "13900000002"}, follow=True)
    assert "客户姓名过长" in page.content.decode()
    assert not models.Customer.objects.filter(phone="+8613900000002").exists()


@pytest.mark.parametrize("reason", [LONG_REASON, "因为\x00", "因为\x1b"])
def test_a_renewal_reason_too_long_or_with_a_control_character_is_refused(office: Office, reason: str) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    with pytest.raises(DomainError) as refused:
        from leadledger.desk.services import renewal_ask

        renewal_ask(staff=office.alice, customer=office.zhang, reason=reason)
    assert refused.value.field == "reason"
    assert not RenewalRequest.objects.exists()


def test_a_suspension_reason_over_200_characters_is_refused(office: Office) -> None:
    page = _client("zhao").post(
        "/p/hz-1/manage/suspension/", {"staff": office.alice.pk, "days": "3", "reason": LONG_REASON}, follow=True
    )
    assert "原因过长：最多 200 个字" in page.content.decode()
    assert not Suspension.objects.exists()


def test_a_departure_or_a_ruling_with_a_reason_over_200_characters_is_refused(office: Office) -> None:
    zhao = _client("zhao")
    page = zhao.post("/p/hz-1/manage/departure/", {"staff": office.bob.pk, "reason": LONG_REASON}, follow=True)
    assert "原因过长" in page.content.decode()
    page = zhao.post(
        f"/p/hz-1/customers/{office.zhang.pk}/dispute/ruling/",
        {"staff": office.alice.pk, "rule": "IH-12", "reason": LONG_REASON},
        follow=True,
    )
    assert "原因过长" in page.content.decode()
    assert models.Event.objects.count() == 0


def test_a_disclosure_reason_with_a_control_character_is_refused_next_to_the_field(office: Office) -> None:
    page = _client("zhao").post(f"/p/hz-1/customers/{office.zhang.pk}/show/phone/", {"reason": "核实\x07"})
    assert page.status_code == 200 and "控制字符" in page.content.decode()
    assert not models.Disclosure.objects.exists()


@pytest.mark.parametrize("value", ["²", "١٢", "1²", "99999999999999999999"])
def test_an_id_that_is_not_ascii_digits_is_a_refused_form_not_a_server_error(
    office: Office, site: models.Site, value: str
) -> None:
    client = Client(raise_request_exception=False)
    assert client.login(username="zhao", password=PASSWORD)
    for url, form in (
        (f"/p/hz-1/desk/{site.pk}/register/", {"search": value}),
        (f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_away", "staff": value}),
        ("/p/hz-1/manage/departure/", {"staff": value, "reason": "离职"}),
        (f"/p/hz-1/customers/{office.zhang.pk}/dispute/ruling/", {"staff": value, "rule": "IH-12", "reason": "x"}),
    ):
        response = client.post(url, form)
        assert response.status_code < 500, (url, response.status_code)
    assert models.Event.objects.count() == 0


@pytest.mark.parametrize("days", ["١٢", "²", "-1", "366", "3.5"])
def test_a_suspension_for_days_that_are_not_ascii_digits_up_to_365_is_refused(office: Office, days: str) -> None:
    page = _client("zhao").post(
        "/p/hz-1/manage/suspension/", {"staff": office.alice.pk, "days": days, "reason": "违规"}, follow=True
    )
    assert "天数应在 0 到 365 之间" in page.content.decode()
    assert not Suspension.objects.exists()

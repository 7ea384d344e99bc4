"""Answering only what the asker may know (PIPL): the referral and relation forms, the dispute export."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from leadledger.ledger import models, relations, services
from office import PASSWORD, Office, _staff, client_in


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _visit(office: Office, customer: models.Customer, staff: models.Staff) -> None:
    body = {"customer": str(customer.pk), "staff": str(staff.pk)}
    services.event_append(project=office.project, kind="visit", body=body)


def test_the_referral_form_never_names_a_colleagues_customer_behind_a_phone(office: Office) -> None:
    _visit(office, office.zhang, office.bob)
    for language, taken in (("en", "already a customer of the project"), ("zh-hans", "该电话已是本项目的客户")):
        page = (
            _client("alice", language)
            .post("/p/hz-1/me/referral/", {"name": "随便", "phone": "13800000001"}, follow=True)
            .content.decode()
        )
        assert taken in page
        assert "张伟" not in page and "刘洋" not in page  # neither the customer's name nor their owner
    assert not models.Event.objects.filter(kind="referral_logged").exists()
    assert models.Customer.objects.get(pk=office.zhang.pk).name == "张伟"
    assert models.Lookup.objects.filter(place="referral", user=office.alice.user, matched=1).count() == 2


def test_the_referral_form_still_answers_the_owner_about_their_own_customer(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    page = (
        _client("alice")
        .post("/p/hz-1/me/referral/", {"name": "张伟", "phone": "13800000001"}, follow=True)
        .content.decode()
    )
    assert "张伟: referral logged" in page and "already a customer of the project" not in page


def test_a_new_phone_on_the_referral_form_is_logged_as_before(office: Office) -> None:
    page = (
        _client("alice")
        .post("/p/hz-1/me/referral/", {"name": "钱七", "phone": "13900000003"}, follow=True)
        .content.decode()
    )
    assert "钱七: referral logged" in page
    assert models.Lookup.objects.get(place="referral").matched == 0


def test_the_relation_form_looks_the_other_customer_up_through_the_gate(office: Office) -> None:
    site = models.Site.objects.create(project=office.project, name="展厅")
    form = {"customer": office.zhang.pk, "phone": "13900000002", "kind": "spouse"}
    page = _client("sun").post(f"/p/hz-1/desk/{site.pk}/relation/", form, follow=True).content.decode()
    assert "no customer has this phone" in page
    logged = models.Lookup.objects.get(place="relation")
    assert (logged.user, logged.matched, logged.asked) == (office.sun.user, 0, "139****0002")


def test_a_consultant_on_the_customer_list_sees_a_colleagues_customer_masked(office: Office) -> None:
    _visit(office, office.zhang, office.bob)
    page = _client("alice").get("/p/hz-1/", {"q": "13800000001"}).content.decode()
    assert "138****0001" in page and "13800000001\n" not in page and "+8613800000001" not in page
    assert "刘洋" in page and "chip chip-" in page  # the chip a competitor may read, not the story (web.access)
    assert "registered the first visit" not in page
    assert models.Lookup.objects.get(place="customers").matched == 1


@pytest.fixture
def household(office: Office) -> models.Customer:
    wife, _ = services.customer_find_or_create(project=office.project, name="李娜", phone="13900000002")
    relations.relation_create(project=office.project, a=office.zhang, b=wife, kind="spouse", verified=True)
    _visit(office, office.zhang, office.alice)
    return wife


def _export(username: str, office: Office) -> dict[str, object]:
    response = _client(username).get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/export.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_dispute_export_masks_phones_for_whoever_may_not_see_them(
    office: Office, household: models.Customer
) -> None:
    _staff(office.project, "zhou", "周全", models.Staff.Role.CHANNEL_MANAGER)  # may rule, may not reveal
    data = _export("zhou", office)
    phones = {c["name"]: c.get("phone") for c in data["customers"]}  # type: ignore[attr-defined,index]
    assert phones == {"张伟": "138****0001", "李娜": "139****0002"}
    assert not models.Disclosure.objects.exists()


def test_the_dispute_export_shows_phones_in_full_to_a_manager_and_logs_each_disclosure(
    office: Office, household: models.Customer
) -> None:
    data = _export("zhao", office)
    phones = {c["name"]: c.get("phone") for c in data["customers"]}  # type: ignore[attr-defined,index]
    assert phones == {"张伟": "+8613800000001", "李娜": "+8613900000002"}
    shown = models.Disclosure.objects.filter(user=office.zhao.user, kind="phone")
    assert {d.customer_id for d in shown} == {office.zhang.pk, household.pk}
    assert all(d.reason == "争议导出 / dispute export" for d in shown)

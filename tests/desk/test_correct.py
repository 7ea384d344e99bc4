"""Correcting one of today's registrations at the desk (docs/decisions.md 220-223): a new event, the
visit itself unchanged; the verdict, the rotation's counted turn, the owners' notices and every page agree."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch, DeskVisit, Notice, Rotation
from leadledger.engine.model import CORRECTION
from leadledger.ledger import models, services
from leadledger.ledger.verify import verify
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str = "sun") -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def _register(client: Client, site: models.Site, query: str, **form: object) -> DeskVisit:
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, **form})
    return DeskVisit.objects.get(search=search)


def _correct(client: Client, site: models.Site, visit: DeskVisit, **form: object) -> str:
    url = f"/p/hz-1/desk/{site.pk}/correct/{visit.seq}/"
    return client.post(url, {"confirm": "1", **form}, follow=True).content.decode()


def _owners(customer: models.Customer) -> dict[str, str] | None:
    return models.Verdict.objects.get(customer=customer).owners


def test_the_wrong_consultant_corrected_moves_the_claim_the_turn_and_tells_both(
    office: Office, site: models.Site
) -> None:
    client = _client()
    visit = _register(client, site, "13900000002", name="李娜", phone="13900000002")
    li = models.Customer.objects.get(phone="+8613900000002")
    assert visit.staff == str(office.alice.pk) and _owners(li) == {str(office.alice.pk): "1"}
    original = models.Event.objects.get(seq=visit.seq)
    page = _correct(client, site, visit, customer=li.pk, staff=office.bob.pk, reason="接待的是刘洋，登记时选错了")
    assert "已更正登记：李娜，由刘洋接待。已通知" in page
    assert _owners(li) == {str(office.bob.pk): "1"}
    again = models.Event.objects.get(seq=visit.seq)
    assert (again.body, again.hash) == (original.body, original.hash)  # the visit itself is never changed
    correction = models.Event.objects.get(kind=CORRECTION)
    assert correction.actor_id == office.sun.user_id and json.loads(correction.body)["reason"].startswith("接待的是")
    served = dict(Rotation.objects.get(site=site).state["served"])
    assert served.get(str(office.alice.pk), 0) == 0 and served[str(office.bob.pk)] == 1  # the turn moved
    told = {(n.staff_id, n.kind) for n in Notice.objects.filter(seq=correction.seq)}
    assert told == {(office.alice.pk, Notice.Kind.LOST), (office.bob.pk, Notice.Kind.GAINED)}
    desk = client.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    assert "<td>李娜</td><td>刘洋</td>" in desk and "已更正" in desk and "刘洋：1 组" in desk
    problems: list[object] = []
    assert verify(office.project, problems.append, workers=1) == 0, problems


def test_the_wrong_match_corrected_frees_the_one_picked_and_claims_the_visitor(
    office: Office, site: models.Site
) -> None:
    other, _ = services.customer_find_or_create(project=office.project, name="张强", phone="13800000009")
    client = _client()
    visit = _register(client, site, "张", customer=office.zhang.pk)
    assert _owners(office.zhang) == {str(office.alice.pk): "1"}
    _correct(client, site, visit, customer=other.pk, staff=office.alice.pk, reason="来访的是张强，选错了客户")
    assert models.Verdict.objects.get(customer=office.zhang).owners is None
    assert _owners(other) == {str(office.alice.pk): "1"}
    desk = client.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    assert "<td>张强</td><td>王芳</td>" in desk
    manager = _client("zhao")
    for customer in (office.zhang, other):  # the dispute page of either shows it, with the verdict before and after
        dispute = manager.get(f"/p/hz-1/customers/{customer.pk}/dispute/").content.decode()
        assert "更正登记" in dispute


def test_a_correction_asks_to_confirm_and_needs_a_reason_said_next_to_its_field(
    office: Office, site: models.Site
) -> None:
    client = _client()
    visit = _register(client, site, "13900000002", name="李娜", phone="13900000002")
    li = models.Customer.objects.get(phone="+8613900000002")
    url = f"/p/hz-1/desk/{site.pk}/correct/{visit.seq}/"
    assert "更正登记" in client.get(url).content.decode()
    asked = client.post(url, {"customer": li.pk, "staff": office.bob.pk, "reason": "选错了顾问"}).content.decode()
    assert "确定吗" in asked and not models.Event.objects.filter(kind=CORRECTION).exists()
    refused = client.post(url, {"customer": li.pk, "staff": office.bob.pk, "reason": " "})
    assert refused.status_code == 400 and "请填写更正原因" in refused.content.decode()
    assert not models.Event.objects.filter(kind=CORRECTION).exists()


def test_only_whoever_registered_it_or_a_manager_may_correct(office: Office, site: models.Site) -> None:
    visit = _register(_client(), site, "13900000002", name="李娜", phone="13900000002")
    li = models.Customer.objects.get(phone="+8613900000002")
    Role = models.Staff.Role
    from office import _staff

    _staff(office.project, "qian", "钱敏", Role.RECEPTIONIST)
    colleague = _client("qian")
    link = f"/correct/{visit.seq}/"
    assert link in _client().get(f"/p/hz-1/desk/{site.pk}/").content.decode()  # the one who registered it
    assert link not in colleague.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    page = _correct(colleague, site, visit, customer=li.pk, staff=office.bob.pk, reason="选错了顾问")
    assert "只有登记这次来访的前台或经理可以更正" in page and _owners(li) == {str(office.alice.pk): "1"}
    _correct(_client("zhao"), site, visit, customer=li.pk, staff=office.bob.pk, reason="前台请经理更正")
    assert _owners(li) == {str(office.bob.pk): "1"}


def test_after_the_consultant_followed_up_or_once_corrected_the_manager_rules(
    office: Office, site: models.Site
) -> None:
    client = _client()
    visit = _register(client, site, "13900000002", name="李娜", phone="13900000002")
    li = models.Customer.objects.get(phone="+8613900000002")
    _correct(client, site, visit, customer=li.pk, staff=office.bob.pk, reason="选错了顾问")
    page = _correct(client, site, visit, customer=li.pk, staff=office.alice.pk, reason="又选错了")
    assert "已经更正过一次" in page and _owners(li) == {str(office.bob.pk): "1"}
    second = _register(client, site, "13700000003", name="王磊", phone="13700000003")
    wang = models.Customer.objects.get(phone="+8613700000003")
    services.event_append(
        project=office.project, kind="follow_up", body={"customer": str(wang.pk), "staff": second.staff}
    )
    page = _correct(client, site, second, customer=wang.pk, staff=office.alice.pk, reason="选错了顾问")
    assert "已有跟进" in page and not models.Event.objects.filter(kind=CORRECTION, customer=wang).exists()

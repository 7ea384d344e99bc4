"""What the desk notes of a visit (party size, source, intent grade): in the visit's event, deciding nothing,
listed among today's registrations; and today at a glance."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch
from leadledger.engine import EngineError
from leadledger.engine.visits import visit_details
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username="sun", password=PASSWORD)
    return client


def _register(client: Client, site: models.Site, query: str, **form: object) -> str:
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    return client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, **form}, follow=True).content.decode()


def test_the_details_go_into_the_visit_event_and_change_no_verdict(office: Office, site: models.Site) -> None:
    client = _client()
    _register(client, site, "13900000002", name="李娜", phone="13900000002", party="3", source="referral", intent="a")
    li = models.Customer.objects.get(phone="+8613900000002")
    body = json.loads(models.Event.objects.get(customer=li).body)
    assert (body["party"], body["source"], body["intent"]) == (3, "referral", "A")
    bare = services.customer_find_or_create(project=office.project, name="王磊", phone="13700000003")[0]
    services.visit_register(project=office.project, customer=bare, staff=office.alice)
    noted, plain = models.Verdict.objects.get(customer=li), models.Verdict.objects.get(customer=bare)
    assert (noted.status, noted.cites) == (plain.status, plain.cites)  # the same verdict as a visit without notes


def test_the_details_are_optional_and_a_wrong_one_is_said_next_to_its_field(office: Office, site: models.Site) -> None:
    client = _client()
    page = _register(client, site, "13900000002", name="李娜", phone="13900000002", party="0", source="walk_in")
    assert "来访人数应为 1 至 50 人" in page and not models.Customer.objects.filter(phone="+8613900000002").exists()
    assert 'value="0"' in page  # what was typed is kept
    assert 'value="walk_in" selected' in page
    done = _register(client, site, "13900000002", name="李娜", phone="13900000002")
    assert "已登记李娜" in done


@pytest.mark.parametrize(
    ("party", "source", "intent", "field"),
    [("51", "", "", "party"), ("two", "", "", "party"), ("", "tv", "", "source"), ("", "", "E", "intent")],
)
def test_the_engine_refuses_details_an_office_does_not_use(party: str, source: str, intent: str, field: str) -> None:
    with pytest.raises(EngineError) as refused:
        visit_details(party=party, source=source, intent=intent)
    assert refused.value.field == field


def test_today_lists_each_registration_with_its_details_and_each_consultants_count(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    client = _client()
    _register(client, site, "13900000002", name="李娜", phone="13900000002", party="2", source="channel", intent="B")
    client.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "finish", "staff": office.alice.pk})
    _register(client, site, "138****0001", customer=office.zhang.pk)
    page = client.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    assert "今日登记（2）" in page
    assert "<td>李娜</td><td>王芳</td>" in page and "渠道带看" in page and "<td>B</td>" in page
    assert "<td>张伟</td><td>王芳</td>" in page and "复访" in page
    assert "王芳：2 组" in page  # each consultant's count today


def test_a_dispute_exported_as_a_scenario_leaves_the_desk_notes_out(office: Office) -> None:
    from leadledger.engine.visits import VisitDetails

    services.visit_register(
        project=office.project,
        customer=office.zhang,
        staff=office.alice,
        details=VisitDetails(party=2, source="walk_in", intent="A"),
    )
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    exported = client.get(f"/p/hz-1/customers/{office.zhang.pk}/dispute/export.json")
    assert exported.status_code == 200
    events = json.loads(exported.content)["events"]
    assert events and not any({"party", "source", "intent"} & set(event) for event in events)

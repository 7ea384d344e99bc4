"""The desk search's matches drawn in Python (desk.rows) are the template's loop, byte for byte."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.desk import views
from leadledger.desk.models import DeskSearch
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _signed_in(username: str, language: str) -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _searched(client: Client, site: models.Site, query: str, after: str = "") -> tuple[str, str]:
    response = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query, "after": after})
    assert response.status_code == 200
    page = response.content.decode()
    found = re.search(r'id="last-search" name="after" value="(\d+)"', page)
    assert found is not None
    return CSRF.sub('name="csrfmiddlewaretoken" value="…"', page), found.group(1)


def _an_office_of_every_kind_of_match(office: Office, site: models.Site) -> None:
    """Matches with an owner on site, busy or away, none, relations verified and pending, names to escape."""
    project = office.project
    owned = []
    for i, name in enumerate(["张<b>一", "张&二", '张"三']):
        customer, _ = services.customer_find_or_create(project=project, name=name, phone=f"1370000{i:04d}")
        services.visit_register(project=project, customer=customer, staff=office.alice if i % 2 else office.bob)
        owned.append(customer)
    services.customer_find_or_create(project=project, name="张四", phone="13700009999")  # never visited
    models.Relation.objects.create(project=project, a=owned[0], b=owned[1], kind="spouse")
    models.Relation.objects.create(project=project, a=owned[2], b=office.zhang, kind="sibling", verified=True)
    company = models.Distributor.objects.create(project=project, name="链家")
    agents = [models.Agent.objects.create(project=project, distributor=company, name=n) for n in ("李<i>", "周")]
    models.Verdict.objects.filter(customer=owned[1]).update(  # a distributor's protection on the chip
        channel={str(agents[0].pk): "1"}, channel_status="protected", channel_until=timezone.now() + timedelta(days=3)
    )
    models.Verdict.objects.filter(customer=owned[2]).update(channel={"999999": "1"}, channel_status="protected")
    manager = _signed_in("zhao", "zh-hans")
    manager.get(f"/p/hz-1/desk/{site.pk}/")  # the rotation's row
    manager.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "go_busy", "staff": office.bob.pk})


@pytest.mark.parametrize("username", ["sun", "zhao"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", ["张", "138****0001"])
def test_the_rows_drawn_in_python_are_the_templates(
    office: Office, site: models.Site, monkeypatch: pytest.MonkeyPatch, username: str, language: str, query: str
) -> None:
    _an_office_of_every_kind_of_match(office, site)
    client = _signed_in(username, language)
    drawn, search = _searched(client, site, query)
    assert drawn.count('class="match"') == (5 if query == "张" else 1)
    monkeypatch.setattr(views, "match_rows", lambda request, matches: "")  # the template's loop draws them
    looped, again = _searched(client, site, query, after=search)
    assert again == search  # the same search settled (decision 210): the same record in both pages
    assert DeskSearch.objects.filter(pk=search).exists()
    assert drawn == looped
    if query == "张":
        assert "李&lt;i&gt;" in drawn and "999999" in drawn  # an agent named; one unknown shown by its id


def test_a_departed_consultants_customer_is_drawn_as_the_template_draws_it(
    office: Office, site: models.Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _an_office_of_every_kind_of_match(office, site)
    from leadledger.desk import services as desk_services

    desk_services.departure_record(by=office.zhao, leaver=office.alice, reason="laid_off", user=office.zhao.user)
    client = _signed_in("sun", "zh-hans")
    drawn, search = _searched(client, site, "张")
    monkeypatch.setattr(views, "match_rows", lambda request, matches: "")
    looped, _ = _searched(client, site, "张", after=search)
    assert drawn == looped

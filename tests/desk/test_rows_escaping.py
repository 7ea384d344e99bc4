"""desk.rows escapes hostile names exactly as the template's loop does (names with markup, quotes, format codes)."""

from __future__ import annotations

import re

import pytest

from leadledger.desk import views
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
HOSTILE = ["<script>alert(1)</script>", "'\"&amp;", "%(where)s %s {{ x }}", "\u2400␀", "__match__"]


@pytest.mark.parametrize("hostile", HOSTILE)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_hostile_names_are_drawn_as_the_template_draws_them(
    office: Office, monkeypatch: pytest.MonkeyPatch, hostile: str, language: str
) -> None:
    project = office.project
    site = models.Site.objects.create(project=project, name=hostile)
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王" + hostile)
    a, _ = services.customer_find_or_create(project=project, name="张" + hostile, phone="13700000001")
    b, _ = services.customer_find_or_create(project=project, name="张二" + hostile, phone="13700000002")
    services.visit_register(project=project, customer=a, staff=office.alice)
    models.Relation.objects.create(project=project, a=a, b=b, kind="spouse")
    company = models.Distributor.objects.create(project=project, name=hostile)
    agent = models.Agent.objects.create(project=project, distributor=company, name="李" + hostile)
    models.Verdict.objects.filter(customer=a).update(channel={str(agent.pk): "1"}, channel_status="protected")
    client = client_in(language)
    assert client.login(username="zhao", password=PASSWORD)
    client.get(f"/p/hz-1/desk/{site.pk}/")

    def page(after: str = "") -> tuple[str, str]:
        response = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张", "after": after})
        assert response.status_code == 200
        text = response.content.decode()
        found = re.search(r'id="last-search" name="after" value="(\d+)"', text)
        assert found is not None
        return CSRF.sub("csrf", text), found.group(1)

    drawn, search = page()
    assert "<script>alert" not in drawn
    monkeypatch.setattr(views, "match_rows", lambda request, matches: "")
    looped, _ = page(after=search)
    assert drawn == looped

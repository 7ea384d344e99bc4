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


def _stamped_as_it_was(request: object, context: dict[str, object]) -> None:
    """views._stamp_match_forms as it was: the forms rendered through the page's own context each search."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    if not context.get("results"):
        return
    once = render_to_string(
        "desk/match_forms.html",
        {**context, "match": {"customer": {"pk": views.STAND_IN}}},
        request=request,  # type: ignore[arg-type]
    )
    for match in context["results"]:  # type: ignore[attr-defined]
        match["forms"] = mark_safe(once.replace(views.STAND_IN, str(match["customer"].pk)))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("free", [False, True])
def test_the_forms_kept_for_their_inputs_are_the_forms_rendered_for_the_page(
    office: Office, site: models.Site, monkeypatch: pytest.MonkeyPatch, language: str, free: bool
) -> None:
    _an_office_of_every_kind_of_match(office, site)
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王<芳>&")
    if free:  # the forms offer whom the desk may choose
        _signed_in("zhao", "zh-hans").post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    client = _signed_in("zhao", language)
    kept, search = _searched(client, site, "张")
    assert kept.count(">王&lt;芳&gt;&amp;</option>") == (6 if free else 1)  # the new customer's form offers them
    assert "\x00" not in kept
    monkeypatch.setattr(views, "_stamp_match_forms", _stamped_as_it_was)
    rendered, _ = _searched(client, site, "张", after=search)
    assert kept == rendered


def test_the_forms_change_with_whom_free_reception_offers(office: Office, site: models.Site) -> None:
    """The kept forms are keyed on what they show: a consultant renamed is offered by the new name at once."""
    _an_office_of_every_kind_of_match(office, site)
    manager = _signed_in("zhao", "zh-hans")
    manager.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    before, _ = _searched(manager, site, "张")
    assert before.count(">王芳</option>") == 6  # five matches' forms and the new customer's
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王芳芳")
    after, _ = _searched(manager, site, "张")
    assert ">王芳</option>" not in after and after.count(">王芳芳</option>") == 6
    manager.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_end"})
    ended, _ = _searched(manager, site, "张")
    assert 'name="chosen"' not in ended


@pytest.mark.parametrize("free", [False, True], ids=["rotation", "free-reception"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", ["张", "王<b>&\"'", "13912345678", "139****5678", "wangfang"])
def test_the_kept_form_for_somebody_new_is_the_templates(
    office: Office, site: models.Site, monkeypatch: pytest.MonkeyPatch, language: str, query: str, free: bool
) -> None:
    """The form for somebody new is drawn once for its inputs and stamped (desk.views._stamp_new_customer):
    the same page, byte for byte, as the template drawing it, whatever was typed (escaped where it is shown)."""
    _an_office_of_every_kind_of_match(office, site)
    if free:
        _signed_in("zhao", "zh-hans").post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    client = _signed_in("sun", language)
    kept, search = _searched(client, site, query)
    monkeypatch.setattr(views, "_stamp_new_customer", lambda request, context: None)
    drawn, again = _searched(client, site, query, after=search)
    assert again == search
    assert kept == drawn
    assert 'class="new"' in kept
    if query.startswith("王"):
        assert 'value="王&lt;b&gt;&amp;&quot;&#x27;"' in kept  # typed: shown in the name box, escaped

"""The desk's search fragment: constant queries whatever the number of matches, the matched part marked
(escaped first), owners holding a claim first, and nothing looked up while a number is still being typed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from leadledger.desk import highlight
from leadledger.desk.models import DeskSearch
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client() -> Client:
    client = client_in("zh-hans")
    assert client.login(username="sun", password=PASSWORD)
    return client


def _customers(office: Office, count: int, start: int) -> list[models.Customer]:
    made = []
    for i in range(start, start + count):
        customer, _ = services.customer_find_or_create(
            project=office.project, name=f"张{i:03d}", phone=f"1370000{i:04d}"
        )
        services.visit_register(project=office.project, customer=customer, staff=office.alice)
        made.append(customer)
    return made


def _queries(client: Client, site: models.Site, query: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query})
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_search_runs_as_many_queries_for_twenty_matches_as_for_two(office: Office, site: models.Site) -> None:
    few = _customers(office, 2, 0)
    client = _client()
    _queries(client, site, "张")  # the session and the board's row are warm
    models.Relation.objects.create(project=office.project, a=few[0], b=office.zhang, kind="spouse")
    small, page = _queries(client, site, "张")
    assert page.count('class="match"') == 3  # 张伟 and two others
    more = _customers(office, 17, 2)
    for customer in more[:5]:  # relations on many matches: once a query per match (31 for 20)
        models.Relation.objects.create(project=office.project, a=customer, b=few[1], kind="sibling")
    large, page = _queries(client, site, "张")
    assert page.count('class="match"') == 20
    assert large == small, f"{small} queries for 3 matches, {large} for 20"


def test_the_matched_part_is_marked_after_escaping(office: Office, site: models.Site) -> None:
    assert str(highlight.name_marked("张伟", "张")) == "<mark>张</mark>伟"
    assert str(highlight.name_marked("张伟", "zw")) == "<mark>张伟</mark>"
    assert str(highlight.name_marked("张伟", "zhang")) == "<mark>张</mark>伟"
    assert str(highlight.name_marked("张伟", "zhangw")) == "<mark>张伟</mark>"
    assert str(highlight.name_marked("<b>张", "<b>")) == "<mark>&lt;b&gt;</mark>张"  # escaped, then marked
    assert str(highlight.name_marked("李娜", "zh")) == "李娜"
    assert str(highlight.phone_marked("138****0001", "13800000001")) == "138****<mark>0001</mark>"
    assert str(highlight.phone_marked("138****0001", "138****0001")) == "138****<mark>0001</mark>"
    services.customer_find_or_create(project=office.project, name="张<script>", phone="13700000999")
    _, page = _queries(_client(), site, "张")
    assert "<mark>张</mark>&lt;script&gt;" in page and "<script>" not in page  # a fragment: no script of its own


def test_owners_holding_a_claim_come_first(office: Office, site: models.Site) -> None:
    unowned, _ = services.customer_find_or_create(project=office.project, name="张一", phone="13700000101")
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)  # 张伟: pending
    _, page = _queries(_client(), site, "张")
    assert page.index("伟</strong>") < page.index("一</strong>"), "the customer with a claim is listed first"
    assert unowned.pk  # shown, just after


@pytest.mark.parametrize("typed", ["138", "1380", "13800", "138000", "1380000", "13800000", "138000000", "1380000000"])
def test_a_number_being_typed_is_looked_up_once_it_is_whole(office: Office, site: models.Site, typed: str) -> None:
    client = _client()
    _, page = _queries(client, site, typed)
    assert "请继续输入" in page
    assert not DeskSearch.objects.exists() and not models.Lookup.objects.exists()
    _, page = _queries(client, site, "13800000001")
    assert DeskSearch.objects.count() == 1 and models.Lookup.objects.count() == 1  # the whole number: logged


def test_each_match_carries_its_own_forms_rendered_once(office: Office, site: models.Site) -> None:
    made = _customers(office, 3, 0)
    _, page = _queries(_client(), site, "张")
    assert "__match__" not in page  # the stand-in never reaches the page
    for customer in [office.zhang, *made]:
        pk = customer.pk
        assert page.count(f'<input type="hidden" name="customer" value="{pk}">') == 2  # register and relation
        for field in (
            f'id="visit-{pk}-party"',
            f'id="visit-{pk}-source"',
            f'id="rel-kind-{pk}"',
            f'id="rel-phone-{pk}"',
        ):
            assert page.count(field) == 1, field
    assert page.count('name="csrfmiddlewaretoken"') == 2 * 4 + 1  # every form still carries the token


def test_a_site_of_another_project_or_too_long_a_number_is_not_found(office: Office, site: models.Site) -> None:
    """The site is read by a prepared read (desk.views._site): a number no key holds, or one too long for a
    64-bit key (which the database driver would refuse with an error), is a page not found."""
    from office import office_create

    elsewhere = models.Site.objects.create(project=office_create("sh-2", "上海二期").project, name="上海展厅")
    client = _client()
    assert client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张"}).status_code == 200
    for number in (elsewhere.pk, 0, 10**18, 10**19, 99999999999999999999999):
        assert client.get(f"/p/hz-1/desk/{number}/search/", {"q": "张"}).status_code == 404
        assert client.get(f"/p/hz-1/desk/{number}/").status_code == 404

"""One customer search (IH-18, ID-1, ID-2): the desk, the customer list and the relation form find the same people."""

from __future__ import annotations

import pytest

from leadledger.desk import selectors as desk_selectors
from leadledger.desk import services as desk_services
from leadledger.ledger import models, services
from leadledger.ledger.selectors import customer_search
from leadledger.web import selectors as web_selectors
from office import PASSWORD, Office, client_in

QUERIES = [
    "13800000001",
    "+86 138-0000-0001",
    "138****0001",
    "1380****001",
    "13900000002",
    "139****0002",
    "张",
    "张伟",
    "zhangwei",
    "zw",
    "li",
    "0001",
    "3998",
    "nobody",
]


@pytest.fixture
def people(office: Office) -> dict[str, models.Customer]:
    found = {"zhang": office.zhang}
    for key, name, phone in [
        ("zhang2", "张伟", "13800000009"),
        ("li", "李娜", "13900000002"),
        ("li_masked", "李娜", "139****0002"),  # a distributor's masked registration (ID-2)
        ("other_mask", "李四", "1390****002"),  # the other shape: a different mask, never this one
        ("zhou", "周杰", "13800010001"),
    ]:
        found[key], _ = services.customer_find_or_create(project=office.project, name=name, phone=phone)
    return found


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_query_finds_the_same_customers_in_every_place(
    office: Office, people: dict[str, models.Customer], query: str
) -> None:
    expected = [c.pk for c in customer_search(office.project, query)]
    assert [c.pk for c in desk_selectors.search(office.project, query)] == expected
    assert [c.pk for c in web_selectors.customers_matching(office.project, query)] == expected
    site = models.Site.objects.create(project=office.project, name="市区展厅")
    _, logged = desk_services.search_log(site=site, user=office.sun.user, query=query)
    assert [c.pk for c in logged] == expected


def test_a_full_number_finds_itself_first_then_the_masks_it_may_be(
    office: Office, people: dict[str, models.Customer]
) -> None:
    found = customer_search(office.project, "139 0000 0002")
    assert found == [people["li"], people["li_masked"], people["other_mask"]]


def test_a_mask_finds_the_numbers_it_may_be_and_itself_never_another_mask(
    office: Office, people: dict[str, models.Customer]
) -> None:
    assert customer_search(office.project, "139****0002") == [people["li"], people["li_masked"]]
    assert customer_search(office.project, "1390****002") == [people["li"], people["other_mask"]]
    assert customer_search(office.project, "138****0001") == [office.zhang, people["zhou"]]


def test_digits_that_are_not_a_phone_find_nobody(office: Office, people: dict[str, models.Customer]) -> None:
    assert customer_search(office.project, "0001") == []
    assert customer_search(office.project, "138 0000") == []


def test_the_customer_list_page_shows_what_the_search_finds(office: Office, people: dict[str, models.Customer]) -> None:
    client = client_in("en")
    assert client.login(username="zhao", password=PASSWORD)
    page = client.get("/p/hz-1/", {"q": "zw"}).content.decode()
    assert page.count("张伟") == 2 and "李娜" not in page
    page = client.get("/p/hz-1/", {"q": "1390****002"}).content.decode()
    assert "李娜" in page and "李四" in page


def test_the_relation_form_finds_the_other_customer_through_the_same_search(
    office: Office, people: dict[str, models.Customer]
) -> None:
    relation = desk_services.relation_add(
        project=office.project, customer=office.zhang, phone="+86 139 0000 0002", kind="spouse", user=None
    )
    assert relation.b == people["li"]  # the exact number, never the mask that may be it (ID-2)

"""One desk search record per settled search (decision 210), while every lookup stays in the lookup log;
a visit is still registered only from a search that found the customer (IH-18)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from leadledger.desk.models import DeskSearch, DeskVisit
from leadledger.desk.services import SETTLING
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str = "sun") -> Client:
    client = client_in("en")
    assert client.login(username=username, password=PASSWORD)
    return client


def _typed(client: Client, site: models.Site, *queries: str, after: str = "") -> str:
    """Type as the desk's box does: each request names the search the box shows (`after`)."""
    for query in queries:
        page = client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query, "after": after})
        assert page.status_code == 200
        shown = re.search(r'name="after" value="(\d+)"', page.content.decode())
        after = shown.group(1) if shown else ""
    return after


def test_typing_a_name_keeps_one_search_record_and_logs_every_lookup(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    lookups_before = models.Lookup.objects.count()
    _typed(_client(), site, "zh", "zha", "zhang", "张", "张伟")
    assert list(DeskSearch.objects.values_list("query", "found")) == [("张伟", [office.zhang.pk])]
    assert models.Lookup.objects.count() == lookups_before + 5  # the disclosure record misses none


def test_a_search_after_a_pause_is_a_new_record(office: Office, site: models.Site) -> None:
    client = _client()
    shown = _typed(client, site, "张伟")
    DeskSearch.objects.update(at=DeskSearch.objects.get().at - SETTLING - timedelta(seconds=1))
    _typed(client, site, "李娜", after=shown)
    assert list(DeskSearch.objects.order_by("pk").values_list("query", flat=True)) == ["张伟", "李娜"]


def test_a_search_a_visit_cites_is_never_rewritten(office: Office, site: models.Site) -> None:
    client = _client()
    shown = _typed(client, site, "13900000002")
    cited = DeskSearch.objects.get()
    client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": cited.pk, "name": "李娜", "phone": "13900000002"})
    assert DeskVisit.objects.filter(search=cited).exists()
    _typed(client, site, "张伟", after=shown)  # the next visitor, seconds later
    cited.refresh_from_db()
    assert cited.query == "13900000002"
    assert DeskSearch.objects.count() == 2


def test_each_receptionist_and_each_desk_keeps_its_own_record(office: Office, site: models.Site) -> None:
    other_site = models.Site.objects.create(project=office.project, name="郊区展厅")
    shown = _typed(_client("sun"), site, "张伟")
    _typed(_client("sun"), other_site, "张伟", after=shown)  # another desk's search is never rewritten
    _typed(_client("sun"), site, "张伟")  # a second tablet signed in as the same receptionist
    assert DeskSearch.objects.count() == 3


def test_a_form_shown_before_typing_on_registers_only_a_customer_the_search_still_finds(
    office: Office, site: models.Site
) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)
    client = _client()
    after = _typed(client, site, "张伟")
    shown = DeskSearch.objects.get()
    after = _typed(client, site, "13900000009", after=after)  # typed on before the button: it found nobody
    page = client.post(
        f"/p/hz-1/desk/{site.pk}/register/", {"search": shown.pk, "customer": office.zhang.pk}, follow=True
    ).content.decode()
    assert "search for the customer before registering them" in page
    assert not DeskVisit.objects.exists()
    _typed(client, site, "张伟", after=after)  # searched again: the same record found them; the visit is registered
    client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": shown.pk, "customer": office.zhang.pk})
    assert DeskVisit.objects.get().search_id == shown.pk


def test_a_search_and_its_lookup_log_line_are_written_in_one_transaction(
    office: Office, site: models.Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One commit where there were two, on the request every desk makes most: the log line and the search
    record share their fate (a search record that cannot be written leaves no log line of a search nobody saw)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leadledger.desk import services as desk_services

    with CaptureQueriesContext(connection) as said:
        desk_services.search_log(site=site, user=office.sun.user, query="张伟")
    transactions = [q["sql"] for q in said.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(transactions) == 1  # the test's own transaction holds it: each atomic block is a savepoint here

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(desk_services._SEARCH_INSERT, "insert", broken)  # the record's insert (ledger.prepared)
    before = models.Lookup.objects.count()
    with pytest.raises(RuntimeError):
        desk_services.search_log(site=site, user=office.sun.user, query="李娜")
    assert models.Lookup.objects.count() == before

"""A database that cannot take writes: the desk says "not saved" in words, and nothing half-written remains."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from leadledger.desk.models import DeskSearch
from leadledger.ledger import models
from office import PASSWORD, Office, client_in


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _desk(language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username="sun", password=PASSWORD)
    return client


@contextmanager
def _unwritable(how: str) -> Iterator[None]:
    """The database refuses writes as a full disk or a read-only file makes it, on the test's connection."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if how == "read-only":
                cursor.execute("PRAGMA query_only = ON")
            else:  # SQLITE_FULL's own words (the test database has free pages left to fill first)
                cursor.execute(
                    "CREATE TEMP TRIGGER refuse BEFORE INSERT ON ledger_customer "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
                )
        else:  # PostgreSQL: the server's own error codes, raised where the insert happens
            state = "read_only_sql_transaction" if how == "read-only" else "disk_full"
            cursor.execute(
                "CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '{state}'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON ledger_customer FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
                cursor.execute("DROP TRIGGER IF EXISTS refuse")
            else:
                cursor.execute("DROP TRIGGER refuse ON ledger_customer")


@pytest.mark.parametrize("how", ["read-only", "disk full"])
@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "未保存：数据库目前无法写入新记录"), ("en", "Not saved: the database")]
)
def test_a_registration_the_database_cannot_take_is_refused_in_words(
    office: Office, site: models.Site, how: str, language: str, words: str
) -> None:
    client = _desk(language)
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "13900000002"})
    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    before = models.Event.objects.count(), models.Customer.objects.count()
    with _unwritable(how):
        response = client.post(
            f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, "name": "李娜", "phone": "13900000002"}
        )
        htmx = client.post(
            f"/p/hz-1/desk/{site.pk}/register/",
            {"search": search.pk, "name": "李娜", "phone": "13900000002"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 503 and words in response.content.decode()
    assert '<header class="bar">' in response.content.decode()  # inside the app's layout
    assert htmx.status_code == 503 and htmx["Content-Type"].startswith("text/plain")
    assert words in htmx.content.decode()
    assert (models.Event.objects.count(), models.Customer.objects.count()) == before


def test_every_page_says_a_failed_htmx_action_instead_of_staying_silent(office: Office) -> None:
    page = _desk().get("/", follow=True).content.decode()
    assert 'id="problem"' in page and "htmx:responseError" in page and "htmx:sendError" in page
    assert "连不上服务器，没有保存任何内容" in page

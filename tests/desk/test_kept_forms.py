"""Forms kept drawn for their inputs, and the prepared reads behind the pages (found by the twentieth
session's review of the page speed work): stand-ins no stored text can hold, the request's URL prefix in
the key, and a prepared read refusing a value the queryset would read otherwise."""

from __future__ import annotations

import re
import warnings
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.ledger import models, services
from leadledger.ledger.prepared import STAND_IN_IDS, PreparedRead
from office import PASSWORD, Office, client_in


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _free_reception_search(office: Office, site: models.Site) -> str:
    for i in range(3):
        services.customer_find_or_create(project=office.project, name=f"张{i}", phone=f"1370000{i:04d}")
    manager = _signed_in("zhao")
    manager.get(f"/p/hz-1/desk/{site.pk}/")
    manager.post(f"/p/hz-1/desk/{site.pk}/board/move/", {"action": "free_start"})
    response = manager.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": "张"})
    assert response.status_code == 200
    return response.content.decode()


def test_a_consultants_name_holding_the_match_stand_in_is_shown_as_typed(office: Office, site: models.Site) -> None:
    """A name typed in the admin (an HTTP form: nothing refuses it) that holds "__match__" is stamped with
    each match's customer id in the free-reception select of every match's form."""
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王__match__芳")
    page = _free_reception_search(office, site)
    options = re.findall(rf'<option value="{office.alice.pk}"[^>]*>([^<]*)</option>', page)
    assert len(options) == 5  # four matches (张0-2 and 张 of the office)' forms and the new customer's
    assert set(options) == {"王__match__芳"}, options


def test_a_name_holding_a_nul_stand_in_is_not_replaced_by_the_csrf_token(office: Office) -> None:
    """On SQLite (PostgreSQL stores no NUL): web.nul guards GET/POST form values only; text that reaches
    the database by another door (a shell, a data migration, a JSON body) is drawn into the kept forms
    and then stamped with the CSRF token."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL cannot store NUL in text")
    models.Staff.objects.filter(pk=office.alice.pk).update(name="王\x00csrf\x00芳")
    page = _signed_in("zhao").get("/p/hz-1/manage/").content.decode()
    options = re.findall(rf'<option value="{office.alice.pk}"[^>]*>([^<]*)</option>', page)
    assert len(options) == 2
    assert all("\x00csrf\x00" in text for text in options), options  # shown as stored, not as the token


@pytest.mark.django_db
def test_a_prepared_read_given_none_gives_what_the_queryset_gives(office: Office) -> None:
    """`rows(*values)` promises "the rows the queryset built with `values` would give": the ORM turns
    `user_id=None` into IS NULL, the prepared SQL into `= NULL` (no row, silently)."""
    models.Staff.objects.filter(pk=office.alice.pk).update(user=None)
    read = PreparedRead(
        lambda project, user: models.Staff.objects.filter(project_id=project, user_id=user).values_list("pk"),
        STAND_IN_IDS[0],
        STAND_IN_IDS[1],
    )
    expected = list(models.Staff.objects.filter(project_id=office.project.pk, user_id=None).values_list("pk"))
    assert expected == [(office.alice.pk,)]
    try:
        got = read.rows(office.project.pk, None)
    except TypeError:
        return  # refused: as good as faithful; silently other rows is the defect
    assert got == expected


@pytest.mark.django_db
def test_a_prepared_read_given_a_naive_moment_reads_it_as_the_orm_does(office: Office) -> None:
    """The ORM takes a naive moment in the default time zone (with a warning); the prepared read in UTC."""
    from leadledger.desk import services as desk_services
    from leadledger.desk.models import Suspension

    now = timezone.now()
    Suspension.objects.create(
        project=office.project, staff=office.alice, by=office.zhao, reason="", since=now, until=now + timedelta(hours=3)
    )
    naive = timezone.make_naive(now + timedelta(hours=2), timezone.get_default_timezone())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = list(
            Suspension.objects.filter(project_id=office.project.pk, until__gt=naive).values_list("staff_id")
        )
    assert expected == [(office.alice.pk,)]  # two hours on, an hour before the suspension ends
    try:
        got = desk_services._SUSPENDED.rows(office.project.pk, naive)
    except ValueError:
        return  # refused: as good as faithful
    assert got == expected


def test_the_kept_forms_post_under_the_requests_own_script_prefix(office: Office, site: models.Site) -> None:
    """The forms' URLs are reversed inside the kept render: a worker serving the office under two prefixes
    (SCRIPT_NAME per request, as WSGIHandler sets it) hands one prefix's forms to the other."""
    from django.test.utils import override_script_prefix

    manager = _signed_in("zhao")
    with override_script_prefix("/ledger/"):
        under = manager.get("/p/hz-1/manage/").content.decode()
    assert 'action="/ledger/p/hz-1/manage/departure/"' in under
    bare = manager.get("/p/hz-1/manage/").content.decode()
    assert 'action="/p/hz-1/manage/departure/"' in bare

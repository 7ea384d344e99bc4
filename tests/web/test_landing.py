"""Each role lands on its own page after signing in and at "/": the desk, my customers, management."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from leadledger.ledger import models
from office import PASSWORD, Office, office_create


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _lands(client: Client) -> str:
    return str(client.get("/")["Location"])


@pytest.mark.parametrize(
    ("username", "page"),
    [("alice", "/p/hz-1/me/"), ("zhao", "/p/hz-1/manage/"), ("root", "/p/hz-1/manage/"), ("sun", "/p/hz-1/desk/")],
)
def test_each_role_lands_on_its_own_page(office: Office, username: str, page: str) -> None:
    assert _lands(_signed_in(username)) == page


def test_signing_in_lands_on_the_role_s_page_too(office: Office) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/p/hz-1/me/"


def test_a_channel_specialist_lands_on_the_customer_list_until_the_channel_pages_exist(office: Office) -> None:
    user = get_user_model().objects.create_user(username="qian", password=PASSWORD)
    role = models.Staff.Role.CHANNEL_SPECIALIST
    models.Staff.objects.create(project=office.project, user=user, name="钱敏", role=role)
    assert _lands(_signed_in("qian")) == "/p/hz-1/"


def test_a_receptionist_with_one_site_goes_straight_to_its_desk(office: Office) -> None:
    site = models.Site.objects.create(project=office.project, name="市区展厅")
    client = _signed_in("sun")
    assert client.get("/p/hz-1/desk/")["Location"] == f"/p/hz-1/desk/{site.pk}/"


def test_with_several_sites_the_receptionist_chooses_once_and_comes_back_to_that_desk(office: Office) -> None:
    town = models.Site.objects.create(project=office.project, name="市区展厅")
    lake = models.Site.objects.create(project=office.project, name="湖畔售楼处")
    client = _signed_in("sun")
    chooser = client.get("/p/hz-1/desk/")
    assert chooser.status_code == 200
    page = chooser.content.decode()
    assert f"/p/hz-1/desk/{town.pk}/" in page and f"/p/hz-1/desk/{lake.pk}/" in page
    assert client.get(f"/p/hz-1/desk/{lake.pk}/").status_code == 200
    assert client.get("/p/hz-1/desk/")["Location"] == f"/p/hz-1/desk/{lake.pk}/"


def test_someone_in_two_projects_chooses_and_each_link_is_their_page_there(office: Office) -> None:
    other = office_create("sh-2", "上海二期")
    models.Staff.objects.create(
        project=other.project, user=office.alice.user, name="王芳", role=models.Staff.Role.MANAGER
    )
    page = _signed_in("alice").get("/").content.decode()
    assert 'href="/p/hz-1/me/"' in page and 'href="/p/sh-2/manage/"' in page

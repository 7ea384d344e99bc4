"""Sign-in, and access scoped to a person's projects and roles: tried by URL and by form posts."""

from __future__ import annotations

import pytest
from django.test import Client

from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in, office_create


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def test_pages_ask_for_a_sign_in_first_in_chinese_by_default(office: Office) -> None:
    client = Client()
    response = client.get("/p/hz-1/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/p/hz-1/"
    page = client.get("/login/").content.decode()
    assert "登录" in page and "用户名" in page


def test_a_wrong_password_is_said_plainly(office: Office) -> None:
    response = client_in("zh-hans").post("/login/", {"username": "alice", "password": "nope"})
    assert "用户名或密码不正确" in response.content.decode()


def test_signing_in_leads_to_the_only_project_and_signing_out_back(office: Office) -> None:
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/p/hz-1/me/"  # a consultant's own page there
    assert response.status_code == 200
    client.post("/logout/")
    assert client.get("/p/hz-1/").status_code == 302


def test_a_person_with_several_projects_chooses(office: Office) -> None:
    other = office_create("sh-2", "上海二期")
    alice_user = office.alice.user
    models.Staff.objects.create(project=other.project, user=alice_user, name="王芳", role=models.Staff.Role.MANAGER)
    page = _client("alice").get("/").content.decode()
    assert "杭州一期" in page and "上海二期" in page


def test_another_projects_pages_are_not_found(office: Office) -> None:
    other = office_create("sh-2", "上海二期")
    customer, _ = services.customer_find_or_create(project=other.project, name="李娜", phone="13900000002")
    client = _client("alice")
    assert client.get("/p/sh-2/").status_code == 404
    assert client.get(f"/p/sh-2/customers/{customer.pk}/").status_code == 404
    assert client.get(f"/p/hz-1/customers/{customer.pk}/").status_code == 404  # the right project, the wrong customer
    assert client.post(f"/p/sh-2/customers/{customer.pk}/show/phone/", {"reason": "x"}).status_code == 404
    assert models.Disclosure.objects.count() == 0


@pytest.mark.parametrize("username", ["alice", "sun"])
def test_only_managers_and_admins_import(office: Office, username: str) -> None:
    client = _client(username)
    assert client.get("/p/hz-1/import/").status_code == 403
    assert client.post("/p/hz-1/import/", {}).status_code == 403


def test_only_an_admin_erases(office: Office) -> None:
    for username in ("alice", "zhao", "sun"):
        response = _client(username).post(f"/p/hz-1/customers/{office.zhang.pk}/erase/", {"reason": "请求"})
        assert response.status_code == 403
    office.zhang.refresh_from_db()
    assert office.zhang.name == "张伟"


def test_the_admin_site_is_for_superusers_only(office: Office) -> None:
    assert _client("root").get("/admin/").status_code == 302  # a project admin is not a superuser


def test_the_password_can_be_changed(office: Office) -> None:
    client = _client("alice")
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer secret 42",
            "new_password2": "a much longer secret 42",
        },
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    assert Client().login(username="alice", password="a much longer secret 42")


def test_the_language_switch_keeps_the_page(office: Office) -> None:
    client = _client("alice", language="zh-hans")
    assert "客户" in client.get("/p/hz-1/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/p/hz-1/"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/p/hz-1/" and "Customers" in page and "Sign out" in page

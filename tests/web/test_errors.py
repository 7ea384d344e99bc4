"""Error pages (400, 403, 404, 500, CSRF failure) speak the user's language inside the app's layout; the 500
page needs neither the database nor a working request (issue 13)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from leadledger.web import errors, views
from office import PASSWORD, Office, client_in

LAYOUT = 'class="brand"'  # web/base.html's header
SAID = {
    "zh-hans": {
        404: "页面没有找到",
        403: "您的岗位无权查看此页面",
        "csrf": "页面已过期",
        500: "服务器出错",
        400: "无法识别的请求",
    },
    "en": {
        404: "Page not found",
        403: "Your role does not allow this page",
        "csrf": "The form has expired",
        500: "Server error",
        400: "The request could not be understood",
    },
}
LANGUAGES = list(SAID)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_that_does_not_exist_is_a_404_in_the_users_language_inside_the_layout(
    office: Office, language: str
) -> None:
    page = client_in(language).get("/no/such/page/")
    assert page.status_code == 404
    assert SAID[language][404] in page.content.decode() and LAYOUT in page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_for_a_host_this_server_does_not_answer_is_a_400_in_the_users_language(
    office: Office, language: str
) -> None:
    page = client_in(language).get("/login/", HTTP_HOST="203.0.113.7")  # reached by address, not by name
    assert page.status_code == 400
    assert SAID[language][400] in page.content.decode() and LAYOUT in page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_page_the_role_may_not_open_is_a_403_in_the_users_language_inside_the_layout(
    office: Office, language: str
) -> None:
    client = client_in(language)
    client.login(username="alice", password=PASSWORD)  # a consultant at the managers' import page
    page = client.get("/p/hz-1/import/")
    assert page.status_code == 403
    text = page.content.decode()
    assert SAID[language][403] in text and LAYOUT in text and "王芳" in text  # still signed in, in the header


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_sent_without_its_csrf_token_is_refused_in_the_users_language_inside_the_layout(
    office: Office, language: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = language
    page = client.post("/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 403
    assert SAID[language]["csrf"] in page.content.decode() and LAYOUT in page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_server_error_is_a_500_page_in_the_users_language_and_its_traceback_is_logged(
    office: Office, language: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(views, "render", broken)  # the project page fails while drawing itself
    client = client_in(language)
    client.raise_request_exception = False
    client.login(username="zhao", password=PASSWORD)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        page = client.get("/p/hz-1/")
    assert page.status_code == 500
    assert SAID[language][500] in page.content.decode() and LAYOUT in page.content.decode()
    logged = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert logged and "the disk is on fire" in str(logged[0].exc_info[1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_is_drawn_without_the_database_or_a_request_context(language: str) -> None:
    # No django_db mark: any query would fail the test. The request carries no user, session or project.
    with translation.override(language):
        page = errors.server_error(RequestFactory().get("/"))
    assert page.status_code == 500
    assert SAID[language][500] in page.content.decode() and LAYOUT in page.content.decode()


def test_the_500_page_still_says_something_when_the_layout_itself_cannot_be_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(name: str) -> object:
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    page = errors.server_error(RequestFactory().get("/"))
    assert page.status_code == 500 and "服务器出错 / Server error" in page.content.decode()

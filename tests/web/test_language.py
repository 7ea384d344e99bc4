"""Chinese is the default whatever the browser says; English only when the person picks it from the menu."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from office import PASSWORD, Office


def test_an_english_browser_still_gets_chinese_pages(office: Office) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = client.get("/login/")
    assert page["Content-Language"] == "zh-hans"
    assert "用户名" in page.content.decode() and "Username" not in page.content.decode()


def test_english_is_what_the_menu_chooses_and_it_stays_chosen(office: Office) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    chosen = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert chosen.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.login(username="alice", password=PASSWORD)
    page = client.get("/")
    assert page["Content-Language"] == "en"
    assert "Cookie" in page["Vary"]


def test_choosing_chinese_again_from_the_menu_goes_back_to_chinese(office: Office) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "用户名" in client.get("/login/").content.decode()


def test_a_language_cookie_naming_a_language_we_do_not_speak_falls_back_to_chinese(office: Office) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get("/login/")["Content-Language"] == "zh-hans"


def test_the_menu_bar_shows_no_time_zone_name_only_its_tooltip_does(office: Office) -> None:
    import re

    client = Client()
    assert client.login(username="zhao", password=PASSWORD)
    page = client.get("/p/hz-1/manage/").content.decode()
    visible = re.sub(r'title="[^"]*"', "", page.split("<main>")[0])  # the header, without tooltips
    assert "Asia/Shanghai" not in visible
    assert 'title="项目时区 Asia/Shanghai"' in page  # still there for whoever asks


def _signed_in(client: Client, username: str) -> None:
    client.post("/login/", {"username": username, "password": PASSWORD})


def _language(client: Client) -> str:
    return client.get("/password/")["Content-Language"]


def test_a_persons_choice_follows_them_to_another_device(office: Office) -> None:
    phone = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    _signed_in(phone, "alice")
    phone.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert _language(phone) == "en"
    tablet = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")  # no cookie of hers here
    assert tablet.get("/login/")["Content-Language"] == "zh-hans"
    _signed_in(tablet, "alice")
    assert _language(tablet) == "en"


def test_a_shared_tablet_does_not_pass_one_persons_language_to_the_next(office: Office) -> None:
    tablet = Client()
    _signed_in(tablet, "alice")
    tablet.post("/i18n/setlang/", {"language": "en", "next": "/"})
    tablet.post("/logout/")
    assert tablet.get("/login/")["Content-Language"] == "en"  # the sign-in page as it was last used
    _signed_in(tablet, "bob")
    assert _language(tablet) == "zh-hans"  # bob never chose: the project's language
    tablet.post("/logout/")
    _signed_in(tablet, "alice")
    assert _language(tablet) == "en"


def test_a_choice_made_on_the_sign_in_page_becomes_the_persons(office: Office) -> None:
    browser = Client()
    browser.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    _signed_in(browser, "bob")
    assert _language(browser) == "en"
    elsewhere = Client()
    _signed_in(elsewhere, "bob")
    assert _language(elsewhere) == "en"


def test_the_browsers_choice_outlives_closing_the_browser(office: Office) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 300 * 24 * 3600  # not a session cookie


def test_a_language_we_do_not_speak_changes_nothing_and_is_not_kept(office: Office) -> None:
    from leadledger.ledger.models import LanguageChoice

    client = Client()
    _signed_in(client, "alice")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert _language(client) == "zh-hans" and not LanguageChoice.objects.exists()

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

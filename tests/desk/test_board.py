"""The rotation board and today at a glance: one truth at a time (Q-1, Q-3, Q-6, Q-10), and a cheap refresh."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from leadledger.desk.models import DeskVisit
from leadledger.desk.selectors import today_at_desk
from leadledger.ledger import models, services
from office import PASSWORD, Office, client_in
from plans import scans

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def site(office: Office) -> models.Site:
    return models.Site.objects.create(project=office.project, name="市区展厅")


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _board(client: Client, site: models.Site, **params: str) -> tuple[int, str]:
    response = client.get(f"/p/hz-1/desk/{site.pk}/board/", params)
    return response.status_code, response.content.decode()


def _move(client: Client, site: models.Site, action: str, staff: object = None) -> str:
    form = {"action": action} | ({"staff": str(staff)} if staff is not None else {})
    return client.post(f"/p/hz-1/desk/{site.pk}/board/move/", form).content.decode()


def _version(board: str) -> str:
    found = re.search(r'id="board-version" name="v" value="([0-9a-f]+)"', board)
    assert found, board
    return found.group(1)


def _register(client: Client, site: models.Site, query: str, **form: object) -> None:
    client.get(f"/p/hz-1/desk/{site.pk}/search/", {"q": query})
    from leadledger.desk.models import DeskSearch

    search = DeskSearch.objects.order_by("-pk").first()
    assert search is not None
    response = client.post(f"/p/hz-1/desk/{site.pk}/register/", {"search": search.pk, **form})
    assert response.status_code == 302, response.content.decode()


def _receiving(board: str) -> str:
    found = re.search(r'<p class="receiving[^"]*">(.*?)</p>', board, re.S)
    assert found, board
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# -- one truth at a time --------------------------------------------------------------------------------


def test_the_board_reads_as_who_receives_the_next_new_customer_not_as_a_customer(
    office: Office, site: models.Site
) -> None:
    _, board = _board(_client("sun", "zh-hans"), site)
    assert "下一位新客户由<strong>王芳</strong>接待" in board
    assert "下一位新客户：" not in board
    said = _receiving(board)
    assert ":" not in said and not re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", said)  # no ASCII around names
    assert re.search(r'<li class="next">\s*<span class="name">王芳</span>', board)


def test_during_lunch_the_board_names_only_the_lunch_duty(office: Office, site: models.Site) -> None:
    board = _move(_client("sun", "zh-hans"), site, "lunch_start", office.bob.pk)
    assert "午休中：<strong>刘洋</strong>值班，接待所有来访" in board
    assert "下一位新客户" not in board and "轮到" not in board  # no second "next" beside the duty
    assert re.search(r'<li class=" lunch">\s*<span class="name">刘洋</span>', board)
    assert 'class="next' not in board.split('<ol class="roster">')[1]


def test_in_free_reception_no_one_is_highlighted_and_the_board_says_so(office: Office, site: models.Site) -> None:
    board = _move(_client("zhao", "zh-hans"), site, "free_start")
    assert _receiving(board).startswith("自由接待中：不按轮序")
    assert "下一位新客户" not in board and "轮到" not in board
    assert 'class="next' not in board.split('<ol class="roster">')[1]


def test_when_everyone_is_busy_the_board_still_names_who_takes_the_next_one(office: Office, site: models.Site) -> None:
    sun = _client("sun")
    _move(sun, site, "go_busy", office.alice.pk)
    board = _move(sun, site, "go_busy", office.bob.pk)
    assert "Everyone is busy: the next new walk-in still goes to <strong>王芳</strong>" in board


def test_a_consultant_marked_busy_is_passed_over_until_done(office: Office, site: models.Site) -> None:
    sun = _client("sun")
    board = _move(sun, site, "go_busy", office.alice.pk)
    assert "Next new walk-in goes to <strong>刘洋</strong>" in board
    row = re.search(r'<li class=" busy">\s*<span class="name">王芳</span>.*?</li>', board, re.S)
    assert row and "busy" in row.group(0) and ">Done</button>" in row.group(0) and ">Busy</button>" not in row.group(0)
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")
    assert DeskVisit.objects.get().staff == str(office.bob.pk)  # Wang Fang lost that turn
    board = _move(sun, site, "finish", office.alice.pk)
    assert re.search(r'<li class="next">\s*<span class="name">王芳</span>', board)


def test_a_consultant_who_is_not_on_the_roster_cannot_be_marked_busy(office: Office, site: models.Site) -> None:
    board = _move(_client("sun"), site, "go_busy", office.zhao.pk)
    assert 'class="error"' in board and "Next new walk-in goes to <strong>王芳</strong>" in board


# -- today at a glance --------------------------------------------------------------------------------


def test_today_counts_first_and_return_visits_and_each_consultants_visitors(office: Office, site: models.Site) -> None:
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)  # Zhang came before
    sun = _client("sun")
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")  # new: to Wang Fang
    _register(sun, site, "张伟", customer=office.zhang.pk)  # returning, Wang Fang busy: Liu Yang assists
    page = sun.get(f"/p/hz-1/desk/{site.pk}/").content.decode()
    panel = re.search(r'<section class="card today" id="today".*?</section>', page, re.S)
    assert panel is not None
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", panel.group(0)))
    assert counts == {"Visits today": "2", "First visits": "1", "Return visits": "1"}
    rows = dict(re.findall(r'<li class="[^"]*">\s*<span class="name">([^<]+)</span>(.*?)</li>', page, re.S))
    assert "1 visitor today" in rows["王芳"] and "1 visitor today" in rows["刘洋"]
    assert 'data-clock data-tz="Asia/Shanghai"' in panel.group(0)


def test_today_is_the_calendar_day_in_the_projects_time_zone(office: Office, site: models.Site) -> None:
    sun = _client("sun")
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")
    _register(sun, site, "13900000003", name="钱七", phone="13900000003")
    late, early = DeskVisit.objects.order_by("pk")
    # 23:30 on 1 March and 00:10 on 2 March in Shanghai: the same day in UTC, two days at the desk.
    DeskVisit.objects.filter(pk=late.pk).update(at=datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI))
    DeskVisit.objects.filter(pk=early.pk).update(at=datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI))
    today = today_at_desk(site, datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    assert (str(today.day), today.visits, today.new, today.by_staff) == ("2026-03-02", 1, 1, {str(office.bob.pk): 1})
    assert today_at_desk(site, datetime(2026, 3, 3, 9, 0, tzinfo=SHANGHAI)).visits == 0


def test_another_sites_visits_are_not_this_desks(office: Office, site: models.Site) -> None:
    other = models.Site.objects.create(project=office.project, name="工地售楼处")
    _register(_client("sun"), other, "13900000002", name="李娜", phone="13900000002")
    from django.utils import timezone

    assert today_at_desk(site, timezone.now()).visits == 0 and today_at_desk(other, timezone.now()).visits == 1


# -- the refresh every 2 s costs little --------------------------------------------------------------


def test_an_unchanged_board_is_not_sent_again(office: Office, site: models.Site) -> None:
    sun = _client("sun")
    status, first = _board(sun, site)
    assert status == 200 and "Next new walk-in goes to" in first
    assert 'id="today" hx-swap-oob="true"' in first  # today's panel comes with it
    status, second = _board(sun, site, v=_version(first))
    assert (status, second) == (204, "")
    status, third = _board(sun, site, v=_version(first))
    assert (status, third) == (204, "")


def test_a_change_anywhere_sends_the_new_board(office: Office, site: models.Site) -> None:
    sun, other_desk = _client("sun"), _client("sun")
    _, board = _board(sun, site)
    version = _version(board)
    _move(other_desk, site, "go_away", office.alice.pk)  # another tablet moves the board
    status, board = _board(sun, site, v=version)
    assert status == 200 and "Next new walk-in goes to <strong>刘洋</strong>" in board and _version(board) != version
    version = _version(board)
    _register(other_desk, site, "13900000002", name="李娜", phone="13900000002")  # today's counts change
    status, board = _board(sun, site, v=version)
    assert status == 200 and "<dt>Visits today</dt><dd>1</dd>" in board
    status, _ = _board(_client("sun", "zh-hans"), site, v=_version(board))
    assert status == 200  # the same board in another language is another board


def test_an_unchanged_poll_runs_few_queries(
    office: Office, site: models.Site, django_assert_max_num_queries: object
) -> None:
    sun = _client("sun")
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")
    version = _version(_board(sun, site)[1])
    # 14: today's visits are read by their numbers, the day's corrections by kind and time, and the customers'
    # first visits by customer, each by its index, rather than in one statement that read the project's events
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        assert _board(sun, site, v=version)[0] == 204


def test_the_board_reads_todays_visits_by_index_not_the_projects_events(office: Office, site: models.Site) -> None:
    """Every desk refreshes its board every 2 s: its statements seek today's rows, never the project's whole
    history (it once read every event of the project for each board: 77 ms for 82 visits on a launch day)."""
    sun = _client("sun")
    _register(sun, site, "13900000002", name="李娜", phone="13900000002")
    _register(sun, site, "13900000003", name="陈静", phone="13900000003")
    services.visit_register(project=office.project, customer=office.zhang, staff=office.alice)  # a returning one
    read, found = scans(sun, f"/p/hz-1/desk/{site.pk}/board/")
    assert read >= 3
    assert not found, "\n\n".join(found)


def test_the_roster_is_built_once_per_change_for_every_desk_that_shows_it(office: Office, site: models.Site) -> None:
    """30 desks of a site poll every 2 s: a change of the board rebuilt the same 100 rows at each of them
    (launch day, issue 13). The roster is the same for whoever looks, so it is built once per change."""
    from django.test.signals import template_rendered

    from leadledger.desk import views

    built: list[str] = []

    def seen(sender: object, template: object, **kwargs: object) -> None:
        if getattr(template, "name", "") == "desk/_roster.html":
            built.append("roster")

    def roster(board: str) -> str:
        return board[board.index('<ol class="roster">') : board.index("</ol>")]

    views._roster_html.cache_clear()
    template_rendered.connect(seen)
    try:
        sun, manager, other_desk = _client("sun"), _client("zhao"), _client("sun")
        first, second, third = (_board(client, site)[1] for client in (sun, manager, other_desk))
        assert len(built) == 1
        assert roster(first) == roster(second) == roster(third)  # nothing in it depends on who looks
        assert "Switch to free reception" in second and "Switch to free reception" not in first  # that does, outside
        _board(_client("sun", "zh-hans"), site)
        assert len(built) == 2  # another language, another roster
        _move(other_desk, site, "go_away", office.alice.pk)
        after = [_board(client, site)[1] for client in (sun, manager)]
        assert len(built) == 3 and roster(after[0]) == roster(after[1]) != roster(first)
        assert '"action": "come_back"' in roster(after[0]) and '"action": "come_back"' not in roster(first)
    finally:
        template_rendered.disconnect(seen)

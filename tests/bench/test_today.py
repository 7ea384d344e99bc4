"""A customer manager's today page: duties counted from logged work (W-1, W-2), the work log (W-3)."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from leadledger.bench import selectors, services
from leadledger.engine import duties as d
from office import PASSWORD, Office, client_in
from workbench import Workbench, call


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _line(board: selectors.Board, counts: str) -> selectors.Line:
    return next(line for line in board.lines if line.duty.counts == counts)


def test_a_call_to_an_existing_prospect_moves_todays_callbacks(bench: Workbench) -> None:
    office = bench.office
    before = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert before.standing is not None and (before.standing.done, before.standing.owed) == (0, 10)
    assert before.standing.status == d.OPEN
    assert sorted(before.unvisited) == ["张伟", "李娜"]  # W-2: who is still unreached today
    call(office, office.zhang, office.alice)
    after = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert after.standing is not None and after.standing.done == 1
    assert after.unvisited == ["李娜"]


def test_calls_to_the_same_customer_count_once_and_a_colleagues_never(bench: Workbench) -> None:
    office = bench.office
    call(office, office.zhang, office.alice)
    call(office, office.zhang, office.alice)
    call(office, bench.li, office.bob)  # Bob's work is Bob's (W-2: counted per person)
    line = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert line.standing is not None and line.standing.done == 1


def test_a_missed_day_shows_missed_on_the_next(bench: Workbench) -> None:
    office = bench.office
    yesterday = timezone.now() - timedelta(days=1)
    board = selectors.board(office.alice, yesterday.replace(hour=15))
    line = _line(board, d.CALLBACKS)
    assert line.standing is not None and line.standing.status == d.OPEN
    # The day is over: what the engine says of that period once it ended.
    tomorrow_start = line.standing.period.last + timedelta(days=1)
    log = selectors.work_log(office.project, [office.alice.pk], line.standing.period.first, timezone.now())
    assert log.done(d.CALLBACKS, str(office.alice.pk), line.standing.period) == 0
    assert d.status_of(0, line.standing.owed, over=tomorrow_start <= timezone.localdate()) == d.MISSED


def test_only_the_teams_duties_for_the_role_are_shown(bench: Workbench) -> None:
    office = bench.office
    assert selectors.duties_of(office.bob) == []  # in no team, given nothing
    names = [duty.name for duty in selectors.duties_of(office.alice)]
    assert names[:4] == ["回访老客户", "开发新客户", "工作日志", "周报与下周计划"]


def test_the_today_page_shows_counts_and_who_is_unreached(bench: Workbench) -> None:
    office = bench.office
    call(office, office.zhang, office.alice)
    page = _signed_in("alice").get("/p/hz-1/bench/").content.decode()
    assert "回访老客户" in page and "1 / 10" in page and "李娜" in page
    assert "进行中" in page and "尚未统计" in page  # a monthly summary the app does not count yet


def test_the_work_log_is_saved_confirmed_and_counted(bench: Workbench) -> None:
    client = _signed_in("alice")
    refused = client.post("/p/hz-1/bench/log/", {"text": "   "})
    assert refused.status_code == 422 and "请写下今天的工作" in refused.content.decode()
    saved = client.post("/p/hz-1/bench/log/", {"text": "回访张伟，约周六看房"}, follow=True)
    page = saved.content.decode()
    assert "已保存今天的工作日志" in page and "约周六看房" in page
    line = _line(selectors.board(bench.office.alice, timezone.now()), "work_log")
    assert line.standing is not None and line.standing.status == d.MET
    client.post("/p/hz-1/bench/log/", {"text": "改写：回访张伟"})  # rewritten the same day: still one
    assert _line(selectors.board(bench.office.alice, timezone.now()), "work_log").standing.done == 1  # type: ignore[union-attr]


def test_the_manager_sees_the_teams_standing(bench: Workbench) -> None:
    office = bench.office
    call(office, office.zhang, office.alice)
    page = _signed_in("zhao").get("/p/hz-1/bench/team/").content.decode()
    assert "王芳" in page and "1 / 10" in page and "今天未写工作日志" in page
    assert "刘洋" not in page  # not in Zhao's team


def test_the_english_page_reads_in_english(bench: Workbench) -> None:
    page = _signed_in("alice", "en").get("/p/hz-1/bench/").content.decode()
    assert "Log a call on my customers" in page and "not counted by the app yet" in page


def test_a_receptionist_has_no_workbench(office: Office) -> None:
    assert _signed_in("sun").get("/p/hz-1/bench/").status_code == 403


def test_a_day_off_owes_nothing_today_and_a_joiner_owes_the_share_left(bench: Workbench) -> None:
    office = bench.office
    client = _signed_in("zhao")
    today = timezone.localdate()
    response = client.post(
        "/p/hz-1/bench/team/calendar/",
        {"staff": office.alice.pk, "day": today.isoformat(), "action": "off"},
        follow=True,
    )
    assert f"已设王芳{today}休息" in response.content.decode() and "data-day-off" in response.content.decode()
    line = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert line.standing is not None and (line.standing.owed, line.standing.status) == (0, d.MET)  # W-1
    weekly = _line(selectors.board(office.alice, timezone.now()), "weekly_report")
    assert weekly.standing is not None and weekly.standing.owed == 1  # a day off lowers only daily duties
    client.post("/p/hz-1/bench/team/calendar/", {"staff": office.alice.pk, "day": today.isoformat(), "action": "back"})
    line = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert line.standing is not None and line.standing.owed == 10

    services.duty_save(
        by=office.zhao,
        duty=bench.duty(d.CALLBACKS),
        fields={
            "name": "本月回访",
            "cadence": d.MONTHLY,
            "target": "30",
            "counts": d.CALLBACKS,
            "teams": [bench.team.pk],
        },
    )
    month = d.period_of(d.MONTHLY, today)
    client.post(
        "/p/hz-1/bench/team/calendar/", {"staff": office.alice.pk, "day": month.last.isoformat(), "action": "joined"}
    )
    line = _line(selectors.board(office.alice, timezone.now()), d.CALLBACKS)
    assert line.standing is not None and line.standing.owed == -(-30 // month.days)  # one day's share, rounded up


def test_only_the_managers_own_team_gets_days_off(bench: Workbench) -> None:
    response = _signed_in("zhao").post(
        "/p/hz-1/bench/team/calendar/",
        {"staff": bench.office.bob.pk, "day": "2026-03-14", "action": "off"},
        follow=True,
    )
    assert "只能为自己团队的成员设置" in response.content.decode()
    bad = _signed_in("zhao").post(
        "/p/hz-1/bench/team/calendar/", {"staff": bench.office.alice.pk, "day": "周六", "action": "off"}, follow=True
    )
    assert "请填写日期" in bad.content.decode()


def test_the_today_page_reads_only_the_events_its_duties_count_but_still_the_years_report(bench: Workbench) -> None:
    from leadledger.bench.models import Report

    office = bench.office
    now = timezone.now()
    call(office, office.zhang, office.alice, at=now - timedelta(days=3))  # not today's: no daily duty counts it
    Report.objects.create(
        project=office.project, staff=office.alice, cadence=d.YEARLY, period=f"{now:%Y}", submitted_at=now
    )
    line = _line(selectors.board(office.alice, now), d.YEARLY_REPORT)
    assert line.standing is not None and line.standing.status == d.MET  # W-3: the year's report, counted
    log = selectors.work_log(
        office.project, [office.alice.pk], now.date() - timedelta(days=5), now, events_from=timezone.localdate(now)
    )
    assert log.done(d.CALLS, str(office.alice.pk), d.period_of(d.YEARLY, timezone.localdate(now))) == 0
    assert log.done(d.YEARLY_REPORT, str(office.alice.pk), d.period_of(d.YEARLY, timezone.localdate(now))) == 1

"""The manager's dashboard: visits per day, first and return visits, conversion, disputes, expiring claims."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.desk import dashboard, services
from leadledger.desk.models import DayFigures
from leadledger.ledger import models
from leadledger.ledger import services as ledger_services
from office import PASSWORD, Office, client_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(username: str, language: str = "en") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _event(office: Office, kind: str, body: dict[str, str | None], at: datetime | None = None) -> models.Event:
    return ledger_services.event_append(project=office.project, kind=kind, body=body, at=at)


def _visit(office: Office, customer: models.Customer, staff: models.Staff, at: datetime | None = None) -> None:
    _event(office, "visit", {"customer": str(customer.pk), "staff": str(staff.pk)}, at)


def _customer(office: Office, name: str, phone: str) -> models.Customer:
    return ledger_services.customer_find_or_create(project=office.project, name=name, phone=phone)[0]


def _days_ago(days: int, hour: int = 10) -> datetime:
    day = timezone.now().astimezone(SHANGHAI).date() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def week(office: Office) -> Office:
    """Three days of an office: Zhang visits twice (first, then return), Li once and buys, Zhou once."""
    li, zhou = _customer(office, "李娜", "139 0000 0002"), _customer(office, "周杰", "139 0000 0003")
    _visit(office, office.zhang, office.alice, _days_ago(2))
    _visit(office, li, office.alice, _days_ago(2, 11))
    _visit(office, office.zhang, office.alice, _days_ago(1))
    _event(office, "deal", {"customer": str(li.pk), "buyer": str(li.pk), "staff": str(office.alice.pk)}, _days_ago(1))
    _visit(office, zhou, office.bob, _days_ago(0, 0))
    return office


def test_each_day_counts_first_and_return_visits_and_each_consultant_their_conversion(week: Office) -> None:
    board = dashboard.dashboard(week.project, timezone.now(), window=7)
    days = {d.day: d for d in board.days}
    assert len(board.days) == 7 and board.days[-1].day == board.today
    two, one, today = (days[board.today - timedelta(days=n)] for n in (2, 1, 0))
    assert (two.visits, two.new, two.returning) == (2, 2, 0)
    assert (one.visits, one.new, one.returning) == (1, 0, 1)  # Zhang came back
    assert (today.visits, today.new) == (1, 1)
    assert (board.visits, board.new, board.returning) == (4, 3, 1)
    alice, bob = board.consultants  # most deals first
    assert (alice.name, alice.visits, alice.new, alice.deals, alice.conversion) == ("王芳", 3, 2, 1, Decimal("50.0"))
    assert (bob.name, bob.new, bob.deals, bob.conversion) == ("刘洋", 1, 0, Decimal("0.0"))


def test_a_consultant_with_deals_but_no_first_visit_has_no_conversion_rather_than_a_division_by_zero() -> None:
    row = dashboard.ConsultantRow(staff="1", name="王芳", visits=2, new=0, deals=1)
    assert row.conversion is None


def test_finished_days_are_stored_once_and_today_is_counted_live(week: Office) -> None:
    now = timezone.now()
    dashboard.dashboard(week.project, now, window=7)
    stored = DayFigures.objects.filter(project=week.project)
    assert stored.count() == 6 and not stored.filter(day=now.astimezone(SHANGHAI).date()).exists()
    _visit(week, week.zhang, week.bob)  # today: seen at once
    assert dashboard.dashboard(week.project, now, window=7).days[-1].visits == 2


def test_an_event_imported_onto_a_past_day_counts_that_day_and_the_following_ones_again(week: Office) -> None:
    now = timezone.now()
    dashboard.dashboard(week.project, now, window=7)
    wang = _customer(week, "王五", "139 0000 0004")
    _visit(week, wang, week.bob, _days_ago(3))  # an import of last week's register
    _visit(week, wang, week.bob, _days_ago(1, 15))
    board = dashboard.dashboard(week.project, now, window=7)
    days = {d.day: d for d in board.days}
    assert days[board.today - timedelta(days=3)].new == 1
    assert (days[board.today - timedelta(days=1)].visits, days[board.today - timedelta(days=1)].returning) == (2, 2)


def test_claims_expiring_this_week_are_the_active_ones_ending_within_seven_days(office: Office) -> None:
    li, zhou = _customer(office, "李娜", "139 0000 0002"), _customer(office, "周杰", "139 0000 0003")
    for customer in (office.zhang, li, zhou):
        _visit(office, customer, office.alice)
    now = timezone.now()
    verdicts = models.Verdict.objects
    verdicts.filter(customer=office.zhang).update(status="active", until=now + timedelta(days=2))
    verdicts.filter(customer=li).update(status="active", until=now + timedelta(days=9))  # next week
    verdicts.filter(customer=zhou).update(status="lapsed", until=now - timedelta(days=1))
    rows, count = dashboard.claims_expiring(office.project, now, {str(office.alice.pk): "王芳"})
    assert count == 1 and [(r.name, r.owners) for r in rows] == [("张伟", "王芳")]


def test_the_expiring_list_shows_fifty_and_counts_them_all(office: Office) -> None:
    now = timezone.now()
    for i in range(dashboard.EXPIRING_SHOWN + 3):
        customer = _customer(office, f"客户{i}", f"139 0001 {i:04d}")
        _visit(office, customer, office.alice)
    models.Verdict.objects.update(status="active", until=now + timedelta(days=1))
    rows, count = dashboard.claims_expiring(office.project, now, {})
    assert len(rows) == dashboard.EXPIRING_SHOWN and count == dashboard.EXPIRING_SHOWN + 3


def test_disputes_raised_and_rulings_are_counted_by_day_and_a_ruling_settles_the_dispute(office: Office) -> None:
    _visit(office, office.zhang, office.alice)
    services.dispute_raise(staff=office.bob, customer=office.zhang, reason="我先接待的")
    board = dashboard.dashboard(office.project, timezone.now(), window=7)
    assert (board.disputes, board.rulings, board.open_disputes) == (1, 0, 1)
    services.ruling_make(
        manager=office.zhao, customer=office.zhang, staff=office.bob, rule="IH-1", reason="核实", user=None
    )
    board = dashboard.dashboard(office.project, timezone.now(), window=7)
    assert (board.disputes, board.rulings, board.open_disputes) == (1, 1, 0)


@pytest.mark.parametrize(("asked", "window"), [("7", 7), ("90", 90), ("", 30), ("31", 30), ("x", 30), (None, 30)])
def test_the_period_is_one_the_page_offers(asked: str | None, window: int) -> None:
    assert dashboard.window_of(asked) == window


def test_the_management_page_shows_each_chart_with_its_table_in_the_users_language(week: Office) -> None:
    page = _client("zhao", "zh-hans").get("/p/hz-1/manage/?days=7").content.decode()
    assert page.count('<svg class="chart"') == 3
    assert "每日来访" in page and "首访" in page and "复访" in page and "成交率" in page
    assert "50.0%" in page  # 王芳: one deal of two first visits, in the table
    assert "/manage/export/visits.xlsx?days=7" in page
    english = _client("zhao").get("/p/hz-1/manage/").content.decode()
    assert "Visits per day" in english and "First visits" in english


def test_a_name_in_a_chart_is_text_not_markup(office: Office) -> None:
    models.Staff.objects.filter(pk=office.bob.pk).update(name="<script>x</script>")
    _visit(office, office.zhang, office.bob)
    page = _client("zhao").get("/p/hz-1/manage/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_the_dashboard_asks_the_database_the_same_few_questions_whatever_the_history(
    week: Office, django_assert_max_num_queries: object
) -> None:
    dashboard.dashboard(week.project, timezone.now(), window=30)  # stores the finished days
    with django_assert_max_num_queries(15):  # type: ignore[operator]
        dashboard.dashboard(week.project, timezone.now(), window=30)


def test_a_look_that_stores_nothing_opens_no_transaction(week: Office) -> None:
    """On SQLite every transaction waits for the writers' turn (decision 530): a manager's look at a
    dashboard whose finished days are already stored must not take one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dashboard.dashboard(week.project, timezone.now(), window=30)  # stores the finished days
    with CaptureQueriesContext(connection) as seen:
        dashboard.dashboard(week.project, timezone.now(), window=30)
    written = [q["sql"] for q in seen.captured_queries if q["sql"].split()[0].upper() in {"BEGIN", "INSERT", "UPDATE"}]
    assert written == [] and not any("SAVEPOINT" in q["sql"] for q in seen.captured_queries)


def test_the_page_draws_the_dashboard_again_as_soon_as_its_figures_change(week: Office) -> None:
    """What the page keeps of a drawn dashboard is keyed on the figures themselves: a visit recorded
    between two looks is on the second, and the same figures in another language are drawn in it."""
    manager = _client("zhao")
    before = manager.get("/p/hz-1/manage/?days=7").content.decode()
    _visit(week, week.zhang, week.bob)
    after = manager.get("/p/hz-1/manage/?days=7").content.decode()
    today = f"{dashboard.dashboard(week.project, timezone.now(), window=7).today:%m-%d}"
    row = f'<tr><td class="mono">{today}</td><td class="num">'
    assert f"{row}1</td>" in before and f"{row}2</td>" in after
    chinese = _client("zhao", "zh-hans").get("/p/hz-1/manage/?days=7").content.decode()
    assert "每日来访" in chinese and "Visits per day" not in chinese

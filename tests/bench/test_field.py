"""篇4's field log: a distribution salesperson logs stock checks, wholesaler calls and visits, retail rounds
and the 旬 analysis from a phone, and the shipped distribution duties count them (W-2, decision 490)."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.test import Client
from django.utils import timezone

from leadledger.bench import fieldwork, selectors, services
from leadledger.bench.models import DutyTemplate, FieldWork, Trader
from leadledger.engine import duties as d
from office import PASSWORD, Office, client_in

FIELD = "/p/hz-1/bench/field/"


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _distribution(office: Office) -> dict[str, Trader]:
    """Zhao's distribution team of Bob (刘洋), with one dealer and two secondary wholesalers of his."""
    services.presets_install(by=office.zhao, kind="distribution")
    team = services.team_create(by=office.zhao, name="分销一组", kind="distribution", members=[office.bob.pk])
    for duty in DutyTemplate.objects.filter(project=office.project, team_kind="distribution"):
        duty.teams.add(team)
    made = {}
    for kind, name in (("dealer", "城东经销部"), ("wholesaler", "李记批发"), ("wholesaler", "王氏商行")):
        made[name] = fieldwork.trader_add(by=office.bob, kind=kind, name=name)
    return made


def _line(staff: object, counts: str) -> selectors.Line:
    board = selectors.board(staff, timezone.now())  # type: ignore[arg-type]
    return next(line for line in board.lines if line.duty.counts == counts)


def test_a_wholesaler_call_is_logged_confirmed_and_names_who_is_still_uncalled(office: Office) -> None:
    traders = _distribution(office)
    client = _signed_in("bob")
    today = client.get("/p/hz-1/bench/").content.decode()
    assert "尚未统计" not in today and "登记外勤" in today  # every 篇4 duty is counted now
    fields = {"kind": d.WHOLESALER_CALL, "trader": traders["李记批发"].pk, "note": "催经销商周五送货"}
    done = client.post(FIELD, fields, follow=True).content.decode()
    assert "已记下电话联系二级批发商：李记批发" in done and "催经销商周五送货" in done
    line = _line(office.bob, d.WHOLESALERS_CALLED)
    assert line.standing is not None and (line.standing.done, line.standing.owed) == (1, 2)
    assert line.unvisited == ["王氏商行"] and line.wholesalers
    page = client.get("/p/hz-1/bench/").content.decode()
    assert "1 / 2" in page and "还有1位二级批发商未完成" in page and "王氏商行" in page
    visited = _line(office.bob, d.WHOLESALERS_VISITED)  # a call is not the month's visit
    assert visited.standing is not None and visited.standing.done == 0 and len(visited.unvisited) == 2


def test_a_stock_check_without_figures_is_todays_check_but_not_the_five_day_log(office: Office) -> None:
    traders = _distribution(office)
    dealer = traders["城东经销部"].pk
    fieldwork.field_record(by=office.bob, fields={"kind": d.STOCK_CHECK, "trader": dealer})
    check, logged = _line(office.bob, d.STOCK_CHECK), _line(office.bob, d.STOCK_LOGGED)
    assert check.standing is not None and check.standing.status == d.MET
    assert logged.standing is not None and logged.standing.done == 0
    fieldwork.field_record(
        by=office.bob, fields={"kind": d.STOCK_CHECK, "trader": dealer, "stock": "120", "sold": "35"}
    )
    logged = _line(office.bob, d.STOCK_LOGGED)
    assert logged.standing is not None and logged.standing.done == 1
    page = _signed_in("bob").get(FIELD).content.decode()
    assert "库存120箱" in page and "售出35箱" in page


def test_a_mistake_is_said_beside_its_field_and_nothing_typed_is_lost(office: Office) -> None:
    traders = _distribution(office)
    client = _signed_in("bob")
    no_shops = client.post(FIELD, {"kind": d.RETAIL_ROUND, "note": "城西菜场一带"})
    page = no_shops.content.decode()
    assert no_shops.status_code == 422 and "请填写走访了几家店" in page and "城西菜场一带" in page
    no_one = client.post(FIELD, {"kind": d.WHOLESALER_VISIT, "trader": traders["城东经销部"].pk})  # a dealer
    assert no_one.status_code == 422 and "请选择二级批发商" in no_one.content.decode()
    assert not FieldWork.objects.exists()
    english = _signed_in("bob", "en").post(
        FIELD, {"kind": d.STOCK_CHECK, "stock": "-3", "trader": traders["城东经销部"].pk}
    )
    assert english.status_code == 422 and "enter a whole number" in english.content.decode()


def test_another_persons_wholesaler_cannot_be_logged_and_a_dropped_one_is_owed_nothing(office: Office) -> None:
    traders = _distribution(office)
    client = _signed_in("alice")
    refused = client.post(FIELD, {"kind": d.WHOLESALER_CALL, "trader": traders["李记批发"].pk})
    assert refused.status_code == 422 and not FieldWork.objects.exists()
    bob = _signed_in("bob")
    dropped = bob.post(
        f"{FIELD}traders/", {"action": "drop", "trader": traders["王氏商行"].pk}, follow=True
    ).content.decode()
    assert "已将王氏商行移出名单" in dropped
    line = _line(office.bob, d.WHOLESALERS_VISITED)
    assert line.standing is not None and line.standing.owed == 1 and line.unvisited == ["李记批发"]
    again = bob.post(f"{FIELD}traders/", {"trader_kind": "wholesaler", "trader_name": "李记批发"})
    assert again.status_code == 422 and "已有李记批发" in again.content.decode()


def test_the_retail_rounds_of_the_month_need_ten_shops_a_day(office: Office) -> None:
    _distribution(office)
    for shops in ("6", "5"):  # one day's shops add up (decision 491)
        fieldwork.field_record(by=office.bob, fields={"kind": d.RETAIL_ROUND, "shops": shops})
    rounds = _line(office.bob, d.RETAIL_ROUNDS)
    assert rounds.standing is not None and (rounds.standing.done, rounds.standing.owed) == (1, 3)


def test_distribution_duties_installed_before_count_the_field_log_once_migrated(office: Office) -> None:
    services.presets_install(by=office.zhao, kind="distribution")
    DutyTemplate.objects.filter(team_kind="distribution").update(counts="")  # as 0009 left them
    migration = importlib.import_module("leadledger.bench.migrations.0010_w17_field_work")
    migration.count_the_field_log(apps, None)
    counted = dict(DutyTemplate.objects.filter(team_kind="distribution").values_list("name", "counts"))
    assert counted["电话联系二级批发商"] == d.WHOLESALERS_CALLED and counted["批发商月度例会"] == d.WHOLESALER_MEETING
    assert "" not in counted.values()


def test_with_no_wholesalers_listed_the_wholesaler_duties_are_not_met_but_not_counted(office: Office) -> None:
    _distribution(office)
    for trader in Trader.objects.filter(kind=Trader.Kind.WHOLESALER):
        fieldwork.trader_drop(by=office.bob, trader_id=trader.pk)
    line = _line(office.bob, d.WHOLESALERS_CALLED)
    assert line.standing is None  # owing nothing to nobody is not "met"
    page = _signed_in("bob").get("/p/hz-1/bench/").content.decode()
    assert "尚未登记二级批发商" in page


def test_a_distribution_salespersons_report_carries_the_field_work_of_the_period(office: Office) -> None:
    traders = _distribution(office)
    fieldwork.field_record(by=office.bob, fields={"kind": d.WHOLESALER_VISIT, "trader": traders["李记批发"].pk})
    fieldwork.field_record(by=office.bob, fields={"kind": d.RETAIL_ROUND, "shops": "12"})
    page = _signed_in("bob").get("/p/hz-1/bench/report/?cadence=monthly").content.decode()
    assert "拜访二批商" in page and "零售巡店（轮）" in page
    assert "拜访二批商" not in _signed_in("alice").get("/p/hz-1/bench/report/?cadence=monthly").content.decode()


def test_a_control_character_or_a_strange_digit_is_refused_not_stored(office: Office) -> None:
    traders = _distribution(office)
    client = _signed_in("bob")
    bell = client.post(FIELD, {"kind": d.WHOLESALER_MEETING, "note": "例会\x07"})
    assert bell.status_code == 422 and "控制字符" in bell.content.decode()
    odd = client.post(FIELD, {"kind": d.STOCK_CHECK, "trader": traders["城东经销部"].pk, "stock": "١٢"})
    assert odd.status_code == 422 and not FieldWork.objects.exists()
    name = client.post(f"{FIELD}traders/", {"trader_kind": "dealer", "trader_name": "城北\x1b经销"})
    assert name.status_code == 422 and "控制字符" in name.content.decode()


def test_a_board_without_field_duties_does_not_read_the_field_log(office: Office) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workbench import workbench_create

    workbench_create(office)  # Alice's key-account duties (篇1)
    _distribution(office)
    with CaptureQueriesContext(connection) as key_account:
        selectors.board(office.alice, timezone.now())
    with CaptureQueriesContext(connection) as distribution:
        selectors.board(office.bob, timezone.now())
    assert not any("bench_fieldwork" in q["sql"] for q in key_account.captured_queries)  # the team page reads ten
    assert any("bench_fieldwork" in q["sql"] for q in distribution.captured_queries)

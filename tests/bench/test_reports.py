"""The weekly report (W-3): prefilled with the engine's counts, submitted, returned with a comment, accepted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from leadledger.bench import selectors, services
from leadledger.bench.models import Report
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from office import PASSWORD, client_in
from workbench import Workbench, call

PARTS = {"results": "回访12组，成交1套", "problems": "来电少：广告停投", "plan": "周末暖场活动", "suggestions": ""}


def _signed_in(username: str) -> Client:
    client = client_in("zh-hans")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_report_is_prefilled_with_the_weeks_counts(bench: Workbench) -> None:
    office = bench.office
    call(office, office.zhang, office.alice)
    call(office, bench.li, office.alice)
    week = selectors.week_named("", timezone.now())
    figures = selectors.figures(office.alice, week, timezone.now())
    assert figures[d.CALLS] == 2 and figures[d.CALLBACKS] >= 1
    page = _signed_in("alice").get("/p/hz-1/bench/report/").content.decode()
    assert week.name in page and "电话" in page


def test_submit_needs_results_and_plan_and_then_freezes(bench: Workbench) -> None:
    client = _signed_in("alice")
    refused = client.post("/p/hz-1/bench/report/", {**PARTS, "plan": "", "action": "submit"})
    assert refused.status_code == 422 and "下周计划" in refused.content.decode()
    assert "来电少：广告停投" in refused.content.decode()  # nothing typed is lost
    done = client.post("/p/hz-1/bench/report/", {**PARTS, "action": "submit"}, follow=True)
    assert "等待经理审阅" in done.content.decode()
    report = Report.objects.get(staff=bench.office.alice)
    assert report.state == Report.State.SUBMITTED and report.figures[d.CALLS] == 0
    with pytest.raises(DomainError):
        services.report_save(staff=bench.office.alice, period=report.period, parts=PARTS, submit=False)
    lines = selectors.board(bench.office.alice, timezone.now()).lines
    line = next(line for line in lines if line.duty.counts == "weekly_report")
    assert line.standing is not None and line.standing.status == d.MET  # W-2: the submitted report counts


def test_the_manager_returns_with_a_comment_then_accepts(bench: Workbench) -> None:
    alice, zhao = _signed_in("alice"), _signed_in("zhao")
    alice.post("/p/hz-1/bench/report/", {**PARTS, "action": "submit"})
    report = Report.objects.get(staff=bench.office.alice)
    assert "王芳" in zhao.get("/p/hz-1/bench/team/").content.decode()
    url = f"/p/hz-1/bench/reports/{report.pk}/"
    refused = zhao.post(url, {"action": "return", "comment": ""})
    assert refused.status_code == 422 and "退回时请写明修改意见" in refused.content.decode()
    returned = zhao.post(url, {"action": "return", "comment": "请补充成交客户的来源"}, follow=True)
    assert "已退回王芳的" in returned.content.decode()
    page = alice.get(f"/p/hz-1/bench/report/?week={report.period}").content.decode()
    assert "请补充成交客户的来源" in page and "已退回" in page
    alice.post("/p/hz-1/bench/report/", {**PARTS, "results": "回访12组，成交1套（老带新）", "action": "submit"})
    accepted = zhao.post(url, {"action": "accept", "comment": ""}, follow=True)
    assert "已通过王芳的" in accepted.content.decode()
    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED and report.reviewed_by == bench.office.zhao


def test_a_report_of_someone_outside_the_team_is_not_found(bench: Workbench) -> None:
    bob = _signed_in("bob")
    bob.post("/p/hz-1/bench/report/", {**PARTS, "action": "submit"})
    report = Report.objects.get(staff=bench.office.bob)
    assert _signed_in("zhao").get(f"/p/hz-1/bench/reports/{report.pk}/").status_code == 404


def test_the_monthly_report_counts_the_month_with_the_money_collected_and_is_reviewed(bench: Workbench) -> None:
    from decimal import Decimal

    from leadledger.bench.models import CollectionEntry

    office = bench.office
    call(office, office.zhang, office.alice)
    today = timezone.localdate()
    CollectionEntry.objects.create(
        project=office.project,
        customer="HT-001",
        figure="collected",
        amount=Decimal("5000"),
        day=today,
        staff=office.alice,
    )
    alice, zhao = _signed_in("alice"), _signed_in("zhao")
    page = alice.get("/p/hz-1/bench/report/?cadence=monthly").content.decode()
    month, words = f"{today:%Y-%m}", f"{today.year}年{today.month}月"
    assert f"月报 {words}" in page and "下月计划" in page and "5000.00" in page
    done = alice.post(
        "/p/hz-1/bench/report/", {**PARTS, "cadence": "monthly", "period": month, "action": "submit"}, follow=True
    )
    assert f"已提交{words}月报，等待经理审阅" in done.content.decode()
    report = Report.objects.get(staff=office.alice, cadence=d.MONTHLY)
    assert report.figures[d.CALLS] == 1 and report.figures["collected"] == "5000.00"
    line = next(
        line for line in selectors.board(office.alice, timezone.now()).lines if line.duty.counts == d.MONTHLY_REPORT
    )
    assert line.standing is not None and line.standing.status == d.MET  # W-2: the month's summary is done
    review = zhao.get(f"/p/hz-1/bench/reports/{report.pk}/").content.decode()
    assert f"王芳的{today.year}年{today.month}月月报" in review and "5000.00" in review  # the month in words (w17)
    returned = zhao.post(
        f"/p/hz-1/bench/reports/{report.pk}/", {"action": "return", "comment": "补充回款明细"}, follow=True
    )
    assert f"已退回王芳的{words}月报" in returned.content.decode()


def test_a_month_not_yet_begun_shows_this_month_and_says_why(bench: Workbench) -> None:
    today = timezone.localdate()
    ahead = f"{today.year + 1}-01"
    page = _signed_in("alice").get(f"/p/hz-1/bench/report/?cadence=monthly&period={ahead}").content.decode()
    assert f"{today.year + 1}年1月尚未开始，还不能写月报" in page and f"月报 {today.year}年{today.month}月" in page
    with pytest.raises(DomainError):
        services.report_save(staff=bench.office.alice, period=ahead, parts=PARTS, submit=True, cadence=d.MONTHLY)


def test_the_teams_reports_of_a_month_open_in_excel_one_row_each(bench: Workbench) -> None:
    import io

    from openpyxl import load_workbook

    call(bench.office, bench.office.zhang, bench.office.alice)
    _signed_in("alice").post("/p/hz-1/bench/report/", {**PARTS, "cadence": "monthly", "action": "submit"})
    response = _signed_in("zhao").get("/p/hz-1/bench/reports.xlsx?cadence=monthly")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content))["工作报告"].iter_rows(values_only=True))
    assert rows[0][0].endswith("团队月报") and rows[1][:3] == ("成员", "状态", "电话")
    assert rows[2][:3] == ("王芳", "已提交", 1) and PARTS["results"] in rows[2]
    assert _signed_in("alice").get("/p/hz-1/bench/reports.xlsx").status_code == 403

"""The team dashboard (W-7): the month's collection rate (W-6, decision 492) and on-page SVG charts; the
collection diary's title says the month as the office does."""

from __future__ import annotations

import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from leadledger.bench import collections
from office import PASSWORD, Office, client_in
from workbench import call, workbench_create


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_team_dashboard_shows_each_members_collection_rate_and_charts(office: Office) -> None:
    workbench_create(office)
    call(office, office.zhang, office.alice)
    today = timezone.localdate()
    first = today.replace(day=1).isoformat()
    for customer, figure, amount, day in (
        ("HT-001", "billed", "100000", first),
        ("HT-001", "collected", "60000", today.isoformat()),
        ("HT-002", "billed", "50000", "2099-01-01"),  # not due this month
    ):
        collections.entry_record(
            by=office.alice, fields={"customer": customer, "figure": figure, "amount": amount, "day": day}
        )
    collections.entry_record(  # Bob enters a payment on Alice's customer: still Alice's collection
        by=office.bob, fields={"customer": "HT-001", "figure": "collected", "amount": "10000", "day": today.isoformat()}
    )
    page = _signed_in("zhao").get("/p/hz-1/bench/team/").content.decode()
    assert f"{today.year}年{today.month}月回款率" in page
    assert 'data-rate="70.0%"' in page and "70,000 / 100,000元" in page  # 王芳's row and the team's
    assert page.count('data-rate="70.0%"') == 2 and 'class="collected" x="0" y="0" width="70.0"' in page
    assert 'data-chart="duties"' in page and '<rect class="open"' in page and "进行中" in page
    book = load_workbook(io.BytesIO(_signed_in("zhao").get("/p/hz-1/bench/team.xlsx").content))
    month = list(book["本月"].iter_rows(values_only=True))
    assert month[0][-1] == "回款率" and month[1][0] == "王芳" and month[1][-1] == "70.0%"  # the same as the page
    english = _signed_in("zhao", "en").get("/p/hz-1/bench/team/").content.decode()
    assert f"Collection rate, {today:%B} {today.year}" in english and "Whole team" in english


def test_the_collection_diary_is_titled_with_the_month_in_words(office: Office) -> None:
    zh = _signed_in("alice").get("/p/hz-1/bench/collections/?month=2026-12").content.decode()
    assert "2026年12月回款台账" in zh and "2026-12回款台账" not in zh
    en = _signed_in("alice", "en").get("/p/hz-1/bench/collections/?month=2026-12").content.decode()
    assert "Collections for December 2026" in en


def test_a_report_to_review_is_named_by_its_period_in_words(office: Office) -> None:
    from leadledger.bench import services

    workbench_create(office)
    parts = {"results": "回访张伟", "plan": "约访十组"}
    report = services.report_save(staff=office.alice, period="2026-11", parts=parts, submit=True, cadence="monthly")
    manager = _signed_in("zhao")
    team = manager.get("/p/hz-1/bench/team/").content.decode()
    assert "王芳 · 2026年11月月报" in team and "2026-11" not in team
    review = manager.get(f"/p/hz-1/bench/reports/{report.pk}/").content.decode()
    assert "王芳的2026年11月月报" in review

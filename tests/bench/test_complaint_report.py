"""The monthly complaint report (S-2): its figures on the page, and the same as Excel and PDF, opened and read."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from leadledger.bench import complaints
from office import PASSWORD, Office, client_in

ZONE = ZoneInfo("Asia/Shanghai")
FORM = {"name": "陈静", "phone": "13700000007", "kind": "house", "text": "墙面开裂"}


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


@pytest.fixture
def march(office: Office) -> Office:
    """Two complaints in February, three in March: answered on time, answered late, never answered (due the 21st)."""
    for when, channel in (("2026-02-03 10:00", "phone"), ("2026-02-25 10:00", "weibo")):
        complaints.complaint_record(by=office.sun, fields={**FORM, "channel": channel}, now=_at(when))
    on_time = complaints.complaint_record(
        by=office.sun, fields={**FORM, "channel": "phone"}, now=_at("2026-03-02 10:00")
    )
    complaints.complaint_answer(by=office.alice, complaint=on_time, answer="已答复", now=_at("2026-03-02 15:00"))
    late = complaints.complaint_record(
        by=office.sun, fields={**FORM, "channel": "qq_wechat", "kind": "service"}, now=_at("2026-03-10 10:00")
    )
    complaints.complaint_answer(by=office.alice, complaint=late, answer="已答复", now=_at("2026-03-12 10:00"))
    complaints.complaint_record(by=office.sun, fields={**FORM, "channel": "phone"}, now=_at("2026-03-20 10:00"))
    return office


def _manager() -> Client:
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    return client


def test_the_page_shows_the_months_figures(march: Office) -> None:
    page = _manager().get("/p/hz-1/bench/complaints/report/?month=2026-03").content.decode()
    assert "2026-03客户投诉情况及处理月报" in page
    figures = [part.split("</dd>")[0] for part in page.split("<dd data-figure>")[1:]]
    # Feb's two are unanswered: over a month by March 31; no satisfaction survey answered (W-5, r17)
    assert figures == ["3", "2", "1", "33.3%", "5", "2", "—", "0"]
    assert "QQ或微信" in page and "房屋质量" in page


def test_a_consultant_may_not_see_the_report(march: Office) -> None:
    client = client_in("zh-hans")
    assert client.login(username="alice", password=PASSWORD)
    assert client.get("/p/hz-1/bench/complaints/report/").status_code == 403


def test_the_excel_report_opens_with_the_same_figures_and_charts(march: Office) -> None:
    response = _manager().get("/p/hz-1/bench/complaints/report.xlsx?month=2026-03")
    assert response.status_code == 200 and "complaints-2026-03.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "按渠道", "按类型"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["本月投诉"] == 3 and summary["上月投诉"] == 2 and summary["比上月增减"] == 1
    assert summary["按时答复率"] == "33.3%" and summary["超过一个月未解决"] == 2
    channels = {row[0]: row[1] for row in book["按渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels == {"电话": 2, "QQ或微信": 1, "微博": 0, "当面": 0}
    assert len(book["按渠道"]._charts) == 1 and len(book["按类型"]._charts) == 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing (apt-get install poppler-utils)")
def test_the_pdf_report_renders_with_its_figures(march: Office, tmp_path: Path) -> None:
    response = _manager().get("/p/hz-1/bench/complaints/report.pdf?month=2026-03")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5_000  # text and bars, not a blank page
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "客户投诉情况及处理月报" in text and "按时答复率" in text and "33.3%" in text

"""Everyone's statements of the month in one PDF, a page each (decision 520): whoever has money or a penalty
in the month, by name, with the figures of their own statement; for managers only."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from leadledger.money import selectors
from leadledger.money import services as money_services
from leadledger.sales import services as sales
from office import PASSWORD, Office, client_in

PLAN = {"bands": [{"up_to": None, "rate": "0.003"}]}


def _deals(office: Office) -> None:
    """王芳 sells at 1,000,000 and 刘洋 at 800,000; 孙丽 at the desk has no money this month."""
    money_services.set_plan(office.project, PLAN)
    for number, seller, price in (("1201", office.alice, "1000000"), ("1202", office.bob, "800000")):
        unit = sales.unit_list(
            by=office.zhao, building="3栋", floor=12, number=number, area=Decimal(90), list_price=Decimal(1), user=None
        )
        sales.unit_deposit(
            by=seller, unit_id=unit.pk, buyers=[office.zhang.pk], price=price, staff=seller.pk, user=None
        )


def test_the_month_holds_whoever_has_money_in_it_by_name(office: Office) -> None:
    _deals(office)
    now = timezone.localtime()
    assert [p.name for p in selectors.month_people(office.project, now.year, now.month)] == ["刘洋", "王芳"]
    assert selectors.month_people(office.project, now.year - 1, now.month) == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_a_manager_downloads_everyones_statements_and_reads_them_back(office: Office, tmp_path: Path) -> None:
    _deals(office)
    client = client_in("zh-hans")
    assert client.login(username="zhao", password=PASSWORD)
    month = timezone.localtime().strftime("%Y-%m")
    page = client.get(f"/p/{office.project.code}/me/statement/", {"month": month}).content.decode()
    assert f'href="/p/{office.project.code}/manage/statements.pdf?month={month}"' in page
    answer = client.get(f"/p/{office.project.code}/manage/statements.pdf", {"month": month})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert f"statements-{month.replace('-', '')}.pdf" in answer["Content-Disposition"]
    (tmp_path / "month.pdf").write_bytes(answer.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "month.pdf"), "-"], capture_output=True, text=True)
    pages = text.stdout.split("\f")
    assert "刘洋的佣金明细" in pages[0] and "2400.00" in pages[0] and "王芳" not in pages[0]
    assert "王芳的佣金明细" in pages[1] and "3000.00" in pages[1] and "孙丽" not in text.stdout
    assert client_in("zh-hans").get(f"/p/{office.project.code}/manage/statements.pdf").status_code in (302, 403)
    alice = client_in("zh-hans")
    assert alice.login(username="alice", password=PASSWORD)
    assert alice.get(f"/p/{office.project.code}/manage/statements.pdf").status_code == 403

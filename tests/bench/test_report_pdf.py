"""A work report (W-3) as a PDF: its counted figures, the written parts and the manager's review, read
back with pdftotext and drawn once with pdftoppm."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.test import Client
from django.utils import timezone

from leadledger.bench import collections, selectors, services
from leadledger.bench.models import Report
from office import PASSWORD, Office, client_in
from workbench import call, workbench_create


def _signed_in(username: str, language: str = "zh-hans") -> Client:
    client = client_in(language)
    assert client.login(username=username, password=PASSWORD)
    return client


def _text(content: bytes, tmp_path: Path) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_a_returned_monthly_report_prints_with_its_figures_parts_and_the_managers_comment(
    office: Office, tmp_path: Path
) -> None:
    workbench_create(office)
    call(office, office.zhang, office.alice)
    today = timezone.localdate()
    collections.entry_record(
        by=office.alice,
        fields={"customer": "HT-001", "figure": "collected", "amount": "60000", "day": today.isoformat()},
    )
    parts = {"results": "回访张伟，约周六看房", "problems": "来电少", "plan": "下月约访十组", "suggestions": ""}
    month = today.strftime("%Y-%m")
    report = services.report_save(staff=office.alice, period=month, parts=parts, submit=True, cadence="monthly")
    services.report_review(by=office.zhao, report=report, accept=False, comment="请补上成交预测")
    response = _signed_in("alice").get(f"/p/hz-1/bench/reports/{report.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content, tmp_path)
    assert f"{today.year}年{today.month}月月报（王芳）" in text
    assert "60000.00" in text and "回访张伟，约周六看房" in text and "下月约访十组" in text
    assert "经理意见：请补上成交预测" in text and "赵" in text  # returned by the manager, with why
    values = next(line for line in text.splitlines() if "60000.00" in line).split()
    report.refresh_from_db()
    frozen = [str(report.figures.get(name, 0)) for name in selectors.FIGURES]  # as counted at submission
    assert values == [*frozen, "60000.00"] and values[:2] == ["1", "1"]  # Zhang's call: a call, a callback
    pdf = tmp_path / "report.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    assert next(tmp_path.glob("page*.png")).stat().st_size > 5_000  # a drawn page, not a blank one


def test_a_report_prints_for_its_author_and_their_manager_only(office: Office) -> None:
    workbench_create(office)
    report = services.report_save(staff=office.alice, period="", parts={"results": "草稿"}, submit=False)
    url = f"/p/hz-1/bench/reports/{report.pk}.pdf"
    assert _signed_in("zhao").get(url).status_code == 200  # Alice's manager
    assert _signed_in("bob").get(url).status_code == 404  # a colleague finds nothing
    english = _signed_in("alice", "en").get(f"/p/hz-1/bench/report/?cadence=weekly&period={report.period}")
    assert f'/bench/reports/{report.pk}.pdf" data-pdf>Download as PDF' in english.content.decode()
    assert Report.objects.count() == 1

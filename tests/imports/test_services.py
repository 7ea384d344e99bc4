"""Importing a register: good rows become chained events judged by the engine, the rest are reported."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from leadledger.cli import main
from leadledger.imports.models import ImportedRow
from leadledger.imports.register import RegisterError
from leadledger.imports.services import register_import
from leadledger.ledger import models
from leadledger.ledger.verify import verify
from office import Office

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ["来访日期", "时间", "客户姓名", "手机号码", "置业顾问", "类型", "备注"]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *rows])
    return path


def test_good_rows_become_events_in_time_order_and_the_engine_judges_them(office: Office, tmp_path: Path) -> None:
    today = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    day = [(today - timedelta(days=n)).strftime("%Y-%m-%d") for n in range(3)]
    path = _xlsx(
        tmp_path / "来访登记表.xlsx",
        [
            [day[0], "00:01", "张伟", "13800000001", "刘洋", "来访", "第二次来"],  # out of order in the file
            [day[2], "10:00", "张伟", 13800000001, "王芳", "来访", "看了样板间"],  # Excel keeps phones as numbers
            [day[1], "09:30", "张伟", "138 0000 0001", "刘洋", "来电", ""],
            [day[2], "11:00", "李娜", "139 0000 0002", "刘洋", "到访", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert (result.imported, result.skipped, result.rejected) == (4, 0, [])
    events = list(models.Event.objects.order_by("seq"))
    assert [(e.kind, e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d")) for e in events] == [
        ("visit", day[2]),
        ("visit", day[2]),
        ("call", day[1]),
        ("visit", day[0]),
    ]
    verdict = models.Verdict.objects.get(customer=office.zhang)  # the existing customer, found by phone (ID-1)
    assert verdict.owners == {str(office.alice.pk): "1"} and "IH-1" in verdict.cites
    assert models.Customer.objects.filter(name="李娜", phone="+8613900000002").exists()
    assert ImportedRow.objects.get(line=3).notes == "看了样板间"
    assert verify(office.project, lambda problem: None) == 0


def test_importing_the_same_file_twice_adds_nothing(office: Office, tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [["2026-03-01", "10:00", "张伟", "13800000001", "王芳", "来访", ""]])
    register_import(project=office.project, path=path)
    again = register_import(project=office.project, path=path)
    assert (again.imported, again.skipped, again.rejected) == (0, 1, [])
    assert models.Event.objects.count() == 1


def test_bad_rows_are_rejected_with_their_reasons_and_the_good_ones_kept(office: Office, tmp_path: Path) -> None:
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).strftime("%Y-%m-%d")
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", "张伟", "13800000001", "王芳", "来访", ""],
            ["2026-03-01", "10:00", "张伟", "138-0000-0001", "王芳", "来访", "抄了两遍"],
            ["2026-03-01", "11:00", "赵六", "12345", "王芳", "来访", ""],
            ["2026-03-01", "11:00", "钱七", "13800000007", "马云", "来访", ""],
            [tomorrow, "11:00", "孙八", "13800000008", "王芳", "来访", ""],
            ["2026-03-01", "11:00", "", "13800000009", "王芳", "来访", ""],
            ["昨天", "", "周九", "13800000010", "王芳", "来访", ""],
            ["2026-03-01", "11:00", "吴十", "13800000011", "王芳", "短信", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert result.imported == 1
    reasons = {r.line: r.en for r in result.rejected}
    assert reasons == {
        3: "duplicate of line 2",
        4: "“12345” is not a valid mainland China mobile phone number",
        5: "no staff member named “马云” in this project",
        6: f"the date is in the future: {tomorrow} 11:00",
        7: "the customer's name is missing",
        8: "cannot read the date “昨天” (e.g. 2026-03-01 10:00)",
        9: "unknown kind of contact “短信” (visit, call or follow-up)",
    }
    report = list(csv.reader(io.StringIO(result.report_csv("zh"))))
    assert report[0] == ["行号", "原因", *HEADER]
    assert report[1][:3] == ["3", "与第 2 行重复", "2026-03-01"]
    assert not models.Customer.objects.filter(name="钱七").exists()  # nothing of a rejected row is stored


def test_a_register_without_the_needed_columns_imports_nothing(office: Office, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("日期,姓名\n2026-03-01,张伟\n", "utf-8")
    with pytest.raises(RegisterError):
        register_import(project=office.project, path=path)
    assert models.Event.objects.count() == 0


def test_the_command_reports_progress_and_writes_the_rejected_rows(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", "张伟", "13800000001", "王芳", "来访", ""],
            ["2026-03-01", "10:30", "李四", "1", "王芳", "来访", ""],
        ],
    )
    assert main(["import", str(path), "--lang", "en"]) == 1
    out, err = capsys.readouterr()
    assert "r.csv: 1 imported, 0 already there, 1 rejected" in out
    assert "checking 100% 2/2" in err
    report = (tmp_path / "r.rejected.csv").read_text("utf-8-sig")
    assert "“1” is not a valid mainland China mobile phone number" in report
    assert main(["import", str(path), "--lang", "zh"]) == 1  # the bad row is still bad; the good one is not re-added
    assert models.Event.objects.count() == 1
    assert main(["import", str(tmp_path / "none.csv"), "--lang", "en"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_command_needs_a_project_when_there_are_several(
    office: Office, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    models.Project.objects.create(code="sh-2", name="上海二期")
    path = _csv(tmp_path / "r.csv", [])
    assert main(["import", str(path), "--lang", "en"]) == 2
    assert "say which project with --project" in capsys.readouterr().err
    assert main(["import", str(path), "--project", "hz-1", "--lang", "en"]) == 0
    assert main(["import", str(path), "--project", "nope", "--lang", "en"]) == 2

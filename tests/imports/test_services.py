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
from leadledger.engine.model import CALL, FOLLOW_UP, STAFF_LEFT, VISIT
from leadledger.imports.models import ImportedRow
from leadledger.imports.register import RegisterError
from leadledger.imports.services import register_import
from leadledger.ledger import models, services
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


def _reasons(result: object) -> dict[int, str]:
    return {r.line: r.en for r in result.rejected}  # type: ignore[attr-defined]


def test_calls_and_follow_ups_become_their_own_events_and_claim_nothing(office: Office, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", "李娜", "13900000002", "王芳", "到访", ""],
            ["2026-03-02", "10:00", "李娜", "13900000002", "王芳", "回访", ""],
            ["2026-03-03", "10:00", "李娜", "13900000002", "刘洋", "来电", ""],
            ["2026-03-04", "10:00", "张伟", "13800000001", "刘洋", "Follow-up", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert (result.imported, result.rejected) == (4, [])
    assert list(models.Event.objects.order_by("seq").values_list("kind", flat=True)) == [
        VISIT,
        FOLLOW_UP,
        CALL,
        FOLLOW_UP,
    ]
    li = models.Customer.objects.get(phone="+8613900000002")
    assert models.Verdict.objects.get(customer=li).owners == {str(office.alice.pk): "1"}  # 刘洋's call claims nothing


def test_a_follow_up_or_a_call_of_nobody_is_refused(office: Office, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-02", "10:00", "李娜", "13900000002", "王芳", "回访", ""],
            ["2026-03-02", "11:00", "赵六", "13900000006", "王芳", "来电", ""],
            ["2026-03-03", "10:00", "李娜", "13900000002", "王芳", "来访", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert result.imported == 1
    reasons = _reasons(result)
    assert set(reasons) == {2, 3} and all("nothing to follow up" in reason for reason in reasons.values())
    assert not models.Customer.objects.filter(name="赵六").exists()


def test_a_first_call_is_imported_where_calls_claim(office: Office, tmp_path: Path) -> None:
    office.project.policy = {"preset": "制度"}  # IH-3: calls claim under 制度
    office.project.save()
    path = _csv(tmp_path / "r.csv", [["2026-03-02", "11:00", "赵六", "13900000006", "王芳", "来电", ""]])
    result = register_import(project=office.project, path=path)
    assert (result.imported, result.rejected) == (1, [])


def test_a_date_without_a_time_is_rejected_and_said(office: Office, tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [["2026-03-01", "", "张伟", "13800000001", "王芳", "来访", ""]])
    result = register_import(project=office.project, path=path)
    assert result.imported == 0 and "without a time" in _reasons(result)[2]
    assert models.Event.objects.count() == 0


def test_an_excel_date_cell_without_a_time_is_rejected(office: Office, tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "r.xlsx",
        [
            [datetime(2026, 3, 1), None, "张伟", "13800000001", "王芳", "来访", ""],
            [datetime(2026, 3, 1), "10:15", "李娜", "13900000002", "王芳", "来访", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert result.imported == 1 and "without a time" in _reasons(result)[2]
    event = models.Event.objects.get()
    assert event.at.astimezone(SHANGHAI) == datetime(2026, 3, 1, 10, 15, tzinfo=SHANGHAI)


def test_a_masked_phone_is_rejected(office: Office, tmp_path: Path) -> None:
    path = _csv(tmp_path / "r.csv", [["2026-03-01", "10:00", "陈静", "136****8888", "王芳", "来访", ""]])
    result = register_import(project=office.project, path=path)
    assert result.imported == 0 and "masked number" in _reasons(result)[2]
    assert not models.Customer.objects.filter(phone__contains="*").exists()


def test_a_departed_consultant_or_a_receptionist_is_never_given_a_customer(office: Office, tmp_path: Path) -> None:
    services.event_append(project=office.project, kind=STAFF_LEFT, body={"staff": str(office.bob.pk), "reason": "离职"})
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", "李娜", "13900000002", "刘洋", "来访", ""],
            ["2026-03-01", "10:00", "赵六", "13900000006", "孙丽", "来访", ""],
            ["2026-03-01", "10:00", "钱七", "13900000007", "王芳", "来访", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    assert result.imported == 1
    reasons = _reasons(result)
    assert "has left" in reasons[2] and "IH-13" in reasons[2]
    assert "not a consultant" in reasons[3]
    assert {c.name for c in models.Customer.objects.all()} == {"张伟", "钱七"}


def test_an_unknown_or_missing_kind_is_rejected(office: Office, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", "李娜", "13900000002", "王芳", "微信", ""],
            ["2026-03-01", "10:00", "赵六", "13900000006", "王芳", "", ""],
        ],
    )
    result = register_import(project=office.project, path=path)
    reasons = _reasons(result)
    assert result.imported == 0 and "unknown kind" in reasons[2] and "kind of contact is missing" in reasons[3]


def test_the_rejected_report_never_hands_a_formula_to_a_spreadsheet(office: Office, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "r.csv",
        [
            ["2026-03-01", "10:00", '=HYPERLINK("http://x")', "1", "王芳", "来访", "+cmd"],
            ["2026-03-01", "10:00", "@SUM(A1)", "2", "-2+3", "来访", "\tx"],
        ],
    )
    result = register_import(project=office.project, path=path)
    report = list(csv.reader(io.StringIO(result.report_csv("en"))))
    cells = [cell for row in report[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'+cmd" in cells and "'-2+3" in cells

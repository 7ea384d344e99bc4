"""An import never fails as a whole for one bad row, nor exhausts memory or disk for one bad file."""

from __future__ import annotations

import csv
import re
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from leadledger.imports.register import Limits, RegisterError, read_rows
from leadledger.imports.services import register_import
from leadledger.ledger import models
from office import Office

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ["来访日期", "客户姓名", "手机号码", "置业顾问", "类型", "备注"]


def _yesterday() -> str:
    return (datetime.now(SHANGHAI) - timedelta(days=1)).strftime("%Y-%m-%d 10:00")


def _csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([HEADER, *rows])
    return path


def test_one_row_the_database_would_refuse_is_rejected_with_its_reason_and_the_rest_imported(
    office: Office, tmp_path: Path
) -> None:
    day = _yesterday()
    path = _csv(
        tmp_path / "register.csv",
        [
            [day, "张" * 101, "13900000002", "王芳", "来访", ""],
            [day, "李\x00娜", "13900000003", "王芳", "来访", ""],
            [day, "钱七", "13900000004", "王芳", "来访", "备注\x00"],
            [day, "孙八", "13900000005", "王芳", "来访", "第一行\n第二行"],
        ],
    )
    result = register_import(project=office.project, path=path)
    reasons = {r.line: r.en for r in result.rejected}
    assert reasons[2].startswith("the customer's name is too long: at most 100 characters, 101 given")
    assert "control character (U+0000)" in reasons[3] and "the customer's name" in reasons[3]
    assert "the notes holds an invisible control character" in reasons[4]
    assert result.imported == 1 and sorted(reasons) == [2, 3, 4]
    assert models.Customer.objects.filter(name="孙八").exists()


def _patched_xlsx(path: Path, patch: Callable[[str], str], rows: int = 3) -> Path:
    """A register saved by openpyxl, its first sheet's XML then changed by `patch`."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([_yesterday(), f"客户{n}", f"139{n:08d}", "王芳", "来访", ""])
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = patch(data.decode()).encode()
            target.writestr(item, data)
    return path


def _declaring(xml: str, ref: str) -> str:
    return re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)


def test_a_sheet_declaring_16384_columns_by_300000_rows_is_refused_without_exhausting_memory(
    office: Office, tmp_path: Path
) -> None:
    # The file: a few hundred kilobytes that openpyxl would pad to 16,384 cells a row, 300,000 times.
    far = '<row r="300000"><c r="XFD300000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    path = _patched_xlsx(
        tmp_path / "bomb.xlsx", lambda xml: _declaring(xml, "A1:XFD300000").replace("</sheetData>", far)
    )
    tracemalloc.start()
    try:
        with pytest.raises(RegisterError) as refused:
            register_import(project=office.project, path=path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "more than 250,000 rows" in refused.value.en and "250,000" in refused.value.zh
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"
    assert models.Event.objects.count() == 0


def test_a_sheet_declaring_16384_columns_is_read_only_as_wide_as_a_register(office: Office, tmp_path: Path) -> None:
    path = _patched_xlsx(tmp_path / "wide.xlsx", lambda xml: _declaring(xml, "A1:XFD4"))
    tracemalloc.start()
    try:
        header, rows = read_rows(path, limits=Limits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(header) == 64 and [len(r.raw) for r in rows] == [5, 5, 5]  # the padding is not kept
    assert peak < 10 * 1024 * 1024
    assert register_import(project=office.project, path=path).imported == 3


def test_a_sheet_hiding_more_rows_than_it_declares_is_refused_at_the_limit(tmp_path: Path) -> None:
    path = _patched_xlsx(tmp_path / "lying.xlsx", lambda xml: _declaring(xml, "A1:F2"), rows=30)
    with pytest.raises(RegisterError) as refused:
        read_rows(path, limits=Limits(max_rows=20))
    assert "more than 20 rows" in refused.value.en


def test_a_truncated_sheet_inside_a_valid_xlsx_is_a_reason_not_a_traceback(office: Office, tmp_path: Path) -> None:
    path = _patched_xlsx(tmp_path / "cut.xlsx", lambda xml: xml[: xml.index('<row r="3"') + 40], rows=5)
    with pytest.raises(RegisterError) as refused:
        register_import(project=office.project, path=path)
    assert refused.value.en.startswith("the Excel file is damaged: nothing after row 2 can be read")
    assert "Excel 文件已损坏" in refused.value.zh
    assert models.Event.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(office: Office, tmp_path: Path, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_BYTES = 1000
    path = _csv(tmp_path / "big.csv", [[_yesterday(), "张伟", "13800000001", "王芳", "来访", "x" * 1000]])
    with pytest.raises(RegisterError) as refused:
        register_import(project=office.project, path=path)
    assert "the file is too large (0.0 MB): at most 0.0 MB per import" in refused.value.en


def test_a_csv_over_the_row_limit_is_refused(office: Office, tmp_path: Path, settings: Any) -> None:
    settings.LEADLEDGER_IMPORT_MAX_ROWS = 100
    day = _yesterday()
    path = _csv(tmp_path / "long.csv", [[day, f"客户{n}", f"139{n:08d}", "王芳", "来访", ""] for n in range(101)])
    with pytest.raises(RegisterError) as refused:
        register_import(project=office.project, path=path)
    assert "more than 100 rows" in refused.value.en
    assert models.Event.objects.count() == 0


def test_a_csv_with_a_field_over_the_csv_modules_limit_is_a_reason(office: Office, tmp_path: Path) -> None:
    path = tmp_path / "field.csv"
    path.write_text(",".join(HEADER) + "\n" + '"' + "x" * 200_000 + '",a\n', encoding="utf-8")
    with pytest.raises(RegisterError) as refused:
        register_import(project=office.project, path=path)
    assert "line 2 of the CSV file" in refused.value.en


def test_the_report_lists_at_most_10000_rejected_rows_and_counts_the_rest(office: Office, tmp_path: Path) -> None:
    path = _csv(tmp_path / "bad.csv", [["", f"客户{n}", "1", "王芳", "来访", "y" * 500] for n in range(10_050)])
    result = register_import(project=office.project, path=path)
    report = result.report_csv("en")
    lines = report.splitlines()
    assert len(result.rejected) == 10_050 and len(lines) == 1 + 10_000 + 1
    assert lines[-1] == "…,50 more rejected rows not listed"
    assert "y" * 201 not in report and "y" * 200 + "…" in report

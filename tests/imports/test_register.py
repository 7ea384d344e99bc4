"""Reading a register: columns by their Chinese or English headers, dates and kinds as offices write them."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from leadledger.engine.model import CALL, FOLLOW_UP, VISIT
from leadledger.imports.register import RegisterError, column_map, parse_kind, parse_moment, read_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_chinese_headers_are_recognised_with_stray_spaces_and_colons() -> None:
    header = ["序号", "来访日期", " 时间 ", "客户姓名：", "联系电话", "置业顾问", "类型", "备注"]
    assert column_map(header) == {"date": 1, "time": 2, "name": 3, "phone": 4, "consultant": 5, "kind": 6, "notes": 7}


def test_english_headers_are_recognised_too() -> None:
    assert column_map(["Date", "Customer Name", "Mobile", "Consultant"]) == {
        "date": 0,
        "name": 1,
        "phone": 2,
        "consultant": 3,
    }


def test_a_column_can_be_named_by_hand() -> None:
    assert column_map(["日期", "姓名", "客户手机"], {"phone": "客户手机"})["phone"] == 2


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(RegisterError, match="required columns not found: phone"):
        column_map(["日期", "姓名"])
    with pytest.raises(RegisterError, match="unknown field “mobile”"):
        column_map(["日期", "姓名", "电话"], {"mobile": "电话"})


@pytest.mark.parametrize(
    ("day", "clock", "expected"),
    [
        ("2026-03-01 10:30", None, datetime(2026, 3, 1, 10, 30)),
        ("2026/3/1 10:30", None, datetime(2026, 3, 1, 10, 30)),
        ("2026年3月1日", "10点", datetime(2026, 3, 1, 10, 0)),
        ("2026.03.01", "10:30", datetime(2026, 3, 1, 10, 30)),
        ("2026-03-01 00:00", None, datetime(2026, 3, 1, 0, 0)),  # midnight written out is a time
        (datetime(2026, 3, 1), "14:20", datetime(2026, 3, 1, 14, 20)),  # an Excel date cell and its time
        (date(2026, 3, 1), time(9, 5), datetime(2026, 3, 1, 9, 5)),
        (datetime(2026, 3, 1, 9, 5), None, datetime(2026, 3, 1, 9, 5)),
    ],
)
def test_dates_are_read_in_the_projects_zone(day: object, clock: object, expected: datetime) -> None:
    assert parse_moment(day, clock, SHANGHAI) == expected.replace(tzinfo=SHANGHAI)


def test_an_unreadable_date_or_time_says_why() -> None:
    assert parse_moment("下周三", None, SHANGHAI) == (
        "无法识别的日期「下周三」（例如 2026-03-01 10:00）",
        "cannot read the date “下周三” (e.g. 2026-03-01 10:00)",
    )
    assert parse_moment("2026-03-01", "午饭后", SHANGHAI)[1] == "cannot read the time “午饭后” (e.g. 10:30)"  # type: ignore[index]
    assert parse_moment(None, None, SHANGHAI)[1] == "the date is missing"  # type: ignore[index]


def test_kinds_of_contact() -> None:
    assert [parse_kind(k) for k in ("来访", "复访", "来电", "回访", "Follow-up", None)] == [
        "visit",
        "visit",
        "call",
        "follow_up",
        "follow_up",
        "visit",
    ]
    assert parse_kind("短信")[1] == "unknown kind of contact “短信” (visit, call or follow-up)"  # type: ignore[index]


@pytest.mark.parametrize(
    ("day", "clock"),
    [
        ("2026-03-01", None),
        ("2026年3月1日", ""),
        (date(2026, 3, 1), None),
        (datetime(2026, 3, 1), None),  # an Excel date cell: openpyxl gives midnight
    ],
)
def test_a_date_without_a_time_is_refused_never_taken_as_midnight(day: object, clock: object) -> None:
    refused = parse_moment(day, clock, SHANGHAI)
    assert isinstance(refused, tuple) and "没有时间" in refused[0] and "without a time" in refused[1]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("来访", VISIT),
        ("到访", VISIT),
        ("上门", VISIT),
        ("Visit", VISIT),
        ("walk-in", VISIT),
        ("来电", CALL),
        ("去电", CALL),
        ("电话", CALL),
        ("Call", CALL),
        ("回访", FOLLOW_UP),
        ("追访", FOLLOW_UP),
        ("跟进", FOLLOW_UP),
        ("follow-up", FOLLOW_UP),
        ("Follow up", FOLLOW_UP),
    ],
)
def test_calls_follow_ups_and_visits_are_told_apart_in_chinese_and_english(word: str, kind: str) -> None:
    assert parse_kind(word, has_column=True) == kind


def test_an_empty_kind_in_a_register_that_has_the_column_is_refused() -> None:
    assert isinstance(parse_kind("", has_column=True), tuple)
    assert parse_kind(None) == VISIT  # no 来访方式 column at all: a register of visits


def test_the_laifang_fangshi_column_is_the_kind() -> None:
    assert column_map(["日期", "客户姓名", "电话", "置业顾问", "来访方式"])["kind"] == 4


def test_a_gbk_csv_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "来访登记.csv"
    path.write_bytes("日期,客户姓名,电话,置业顾问\n2026-03-01 10:00,张伟,13800000001,王芳\n".encode("gbk"))
    header, rows = read_rows(path)
    assert header == ["日期", "客户姓名", "电话", "置业顾问"]
    assert rows[0].line == 2 and rows[0].cells["name"] == "张伟"


def test_blank_lines_are_skipped_and_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("\n日期,姓名,电话\n2026-03-01,张伟,13800000001\n,,\n2026-03-02,李娜,13800000002\n", "utf-8")
    _, rows = read_rows(path)
    assert [r.line for r in rows] == [3, 5]


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r"only \.xlsx and \.csv"):
        read_rows(tmp_path / "register.doc")
    with pytest.raises(RegisterError, match="no such file"):
        read_rows(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("", "utf-8")
    with pytest.raises(RegisterError, match="the file is empty"):
        read_rows(tmp_path / "empty.csv")
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(RegisterError, match="cannot read the Excel file"):
        read_rows(tmp_path / "broken.xlsx")

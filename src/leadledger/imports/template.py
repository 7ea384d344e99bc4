"""The register template an office downloads, fills in and imports (.xlsx: the sheet, and its notes)."""

from __future__ import annotations

import io

from leadledger.engine.phone import Phone

from .services import EXAMPLE, import_limits, inert

# The template's columns, in the order an office fills them: (header, required, meaning, example).
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    (
        "日期",
        "必填",
        "来访、来电或回访的日期，例如 2026-03-01；也可以把时间一起写在这里：2026-03-01 10:30",
        "2026-03-01",
    ),
    ("时间", "必填", "几点几分，例如 10:30。只有日期没有时间的行不导入：归属按时间先后界定", "10:30"),
    ("客户姓名", "必填", "客户的姓名，最多 100 个字", EXAMPLE[0]),
    ("电话", "必填", "客户的 11 位手机号码，写全号；带星号的号码（138****8000）不导入", Phone.of(EXAMPLE[1]).national),
    ("置业顾问", "必填", "接待或跟进的置业顾问，写系统中的姓名；已离职的顾问不能再拥有客户", "王芳"),
    ("来访方式", "选填", "来访、来电或回访；不写这一列时，每行都按来访导入", "来访"),
    ("备注", "选填", "任何说明，保存在导入记录里，不影响归属", "示例行：导入前请删除"),
)


def template_xlsx(*, consultant: str | None = None) -> bytes:
    """The template workbook: the register sheet with its headers and an example row, and a notes sheet.

    The example row is never imported (services.EXAMPLE), even if the office forgets to delete it.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "来访登记"
    sheet.append([header for header, *_ in COLUMNS])
    example = [value for *_, value in COLUMNS]
    if consultant:
        example[4] = inert(consultant)  # a staff member's name as typed by whoever set up the project
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
        cell.number_format = "@"  # text: Excel must not turn 13800138000 into 1.38E+10, nor the date into a number
    for letter, width in zip("ABCDEFG", (14, 8, 12, 15, 12, 10, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明", "示例"])
    for row in COLUMNS:
        notes.append(list(row))
    notes.append([])
    notes.append(["说明", "", "第一行是表头，请勿修改列名；第二行是示例行，导入时会被拒绝，请删除后填写实际登记。", ""])
    limits = import_limits()
    most = f"{limits.max_bytes / 1024 / 1024:.0f} MB、{limits.max_rows:,} 行"
    notes.append(["", "", f"一次最多导入 {most}；上传后先预览，确认后才保存。", ""])
    notes.append(["", "", "同一文件再次导入不会重复：已导入的行会跳过。", ""])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (12, 10, 70, 22), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

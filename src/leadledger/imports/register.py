"""Reading an office's visit register (客户来访登记表) from Excel or CSV: columns, dates, kinds.

Nothing here touches the database: it turns a file into rows of cells keyed by our field names,
and parses one cell at a time with a reason (zh, en) when it cannot.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadledger.engine.errors import DomainError
from leadledger.engine.model import CALL, FOLLOW_UP, VISIT

FIELDS = ("date", "time", "name", "phone", "consultant", "kind", "notes")

# Headers seen in real registers, normalised (no spaces, lower case). Chinese first: that is what offices use.
HEADERS: dict[str, tuple[str, ...]] = {
    "date": (
        "日期",
        "来访日期",
        "登记日期",
        "到访日期",
        "日期时间",
        "来访日期时间",
        "登记时间",
        "date",
        "datetime",
        "visitdate",
    ),
    "time": ("时间", "来访时间", "到访时间", "time"),
    "name": ("客户姓名", "姓名", "客户", "客户名称", "客户名", "name", "customer", "customername"),
    "phone": (
        "电话",
        "手机",
        "手机号",
        "手机号码",
        "联系电话",
        "联系方式",
        "电话号码",
        "客户电话",
        "phone",
        "mobile",
        "tel",
    ),
    "consultant": ("置业顾问", "顾问", "接待顾问", "接待人", "接待", "销售", "业务员", "consultant", "staff", "sales"),
    "kind": (
        "来访方式",
        "到访方式",
        "接触方式",
        "联系类型",
        "来访类型",
        "类型",
        "方式",
        "事项",
        "kind",
        "type",
        "contact",
        "contacttype",
    ),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
}

# The kinds of contact a register records, in Chinese and English, and the engine event each becomes:
# a visit registers a claim (IH-1), a call only under IH-3, a follow-up keeps one alive (IH-4).
KINDS: dict[str, str] = {
    **dict.fromkeys(("来访", "到访", "首访", "复访", "上门", "来访登记", VISIT, "walkin", "walk-in", "revisit"), VISIT),
    **dict.fromkeys(("来电", "去电", "电话", "致电", "电话咨询", CALL, "phone", "phonecall", "telephone"), CALL),
    **dict.fromkeys(
        ("回访", "追访", "跟进", "电话回访", "followup", FOLLOW_UP, "follow-up", "callback", "call-back"),
        FOLLOW_UP,
    ),
}

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class RegisterError(DomainError):
    """The file as a whole cannot be read (not one row: the file), said in Chinese and in English."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of a file an import reads: a register is a few thousand rows of a dozen columns.

    A file past these is refused before it can exhaust memory (a sheet may declare 16,384 columns
    and a million rows in a few hundred kilobytes) or produce a report nobody can open.
    """

    max_bytes: int = 20 * 1024 * 1024
    max_rows: int = 250_000
    max_columns: int = 64  # the columns read; a register's fields are among its first ones


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _too_big(size: int, limits: Limits) -> RegisterError:
    return RegisterError(
        f"文件过大（{_mb(size)}）：一次最多导入 {_mb(limits.max_bytes)}，请分成几个文件",
        f"the file is too large ({_mb(size)}): at most {_mb(limits.max_bytes)} per import; split it into several files",
    )


def _too_many_rows(limits: Limits) -> RegisterError:
    return RegisterError(
        f"文件超过 {limits.max_rows:,} 行：请分成几个文件导入",
        f"the file has more than {limits.max_rows:,} rows: split it into several files",
    )


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # as the user sees it: the header is line 1
    cells: dict[str, Any]  # field → raw cell value
    raw: tuple[str, ...]  # the row as it was, for the report


def _header_key(text: Any) -> str:
    return re.sub(r"[\s:：_*（）()]", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


def column_map(header: list[Any], overrides: dict[str, str] | None = None) -> dict[str, int]:
    """Which column holds which field; `overrides` (field → header text) wins over recognition."""
    keys = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for field, text in (overrides or {}).items():
        if field not in FIELDS:
            raise RegisterError(
                f"未知字段“{field}”（可用：{'、'.join(FIELDS)}）",
                f"unknown field “{field}” (known: {', '.join(FIELDS)})",
            )
        if _header_key(text) not in keys:
            raise RegisterError(f"文件中没有“{text}”这一列", f"the file has no column “{text}”")
        found[field] = keys.index(_header_key(text))
    for field, names in HEADERS.items():
        if field in found:
            continue
        for index, key in enumerate(keys):
            if key in names and index not in found.values():
                found[field] = index
                break
    missing = [f for f in ("date", "name", "phone") if f not in found]
    if missing:
        raise RegisterError(
            f"找不到必需的列：{', '.join(missing)}（表头：{', '.join(str(h) for h in header)}）",
            f"required columns not found: {', '.join(missing)} (header: {', '.join(str(h) for h in header)})",
        )
    return found


def _csv_rows(path: Path, limits: Limits) -> Iterator[list[Any]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK unless told otherwise
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise RegisterError("无法识别文件编码", "cannot tell the file's encoding")
    reader = csv.reader(io.StringIO(text))
    try:
        for values in reader:
            yield values[: limits.max_columns]
    except csv.Error as error:  # a field over the csv module's limit, a stray quote at the end
        raise RegisterError(
            f"CSV 文件第 {reader.line_num} 行无法读取：{error}", f"line {reader.line_num} of the CSV file: {error}"
        ) from None


def _xlsx_rows(path: Path, limits: Limits) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise RegisterError(f"无法读取 Excel 文件：{error}", f"cannot read the Excel file: {error}") from None
    line = 0
    try:
        sheet = book.worksheets[0]
        # Read only what the sheet declares (<dimension>) and never past our limits: openpyxl pads
        # every row to the declared width, so a declared 16,384 columns is 16,384 cells a row.
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        if declared_rows is not None and declared_rows > limits.max_rows + 1:  # the header, then the rows
            raise _too_many_rows(limits)
        columns = min(declared_columns or limits.max_columns, limits.max_columns)
        for values in sheet.iter_rows(max_col=columns, max_row=2 * limits.max_rows + 2, values_only=True):
            line += 1  # where a damaged sheet stops, for the reason
            yield list(values)
    except RegisterError:
        raise
    except Exception as error:  # a truncated or damaged sheet inside a valid zip: XML, zip or CRC errors
        raise RegisterError(
            f"Excel 文件已损坏：第 {line} 行之后无法读取（{type(error).__name__}），请重新保存后再导入",
            f"the Excel file is damaged: nothing after row {line} can be read ({type(error).__name__});"
            " save it again and import it",
        ) from None
    finally:
        book.close()


def read_rows(
    path: Path,
    overrides: dict[str, str] | None = None,
    limits: Limits | None = None,
    *,
    first: int | None = None,
    beat: Callable[[], None] | None = None,
) -> tuple[list[str], list[Row]]:
    """The header and the non-empty rows of a register (.xlsx or .csv), within `limits`.

    `first` stops after that many rows (a preview); `beat` is called every 1,000 lines read, so that a
    worker reading a large file is seen alive.
    """
    limits = limits or Limits()
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        raise RegisterError(
            f"只能导入 .xlsx 或 .csv 文件：{path.name}", f"only .xlsx and .csv files can be imported: {path.name}"
        )
    if not path.is_file():
        raise RegisterError(f"找不到文件：{path}", f"no such file: {path}")
    if (size := path.stat().st_size) > limits.max_bytes:
        raise _too_big(size, limits)
    source = _csv_rows(path, limits) if suffix == ".csv" else _xlsx_rows(path, limits)
    header: list[Any] | None = None
    rows: list[Row] = []
    for line, values in enumerate(source, start=1):
        if beat is not None and line % 1000 == 0:
            beat()
        if first is not None and len(rows) == first:
            break
        if header is None:
            if any(v not in (None, "") for v in values):
                header = values
                columns = column_map(header, overrides)
            continue
        if line > 2 * limits.max_rows + 1:  # blank lines too: a sheet padded to a million rows is not read
            raise _too_many_rows(limits)
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(rows) == limits.max_rows:
            raise _too_many_rows(limits)
        cells = {field: values[index] if index < len(values) else None for field, index in columns.items()}
        while values and values[-1] in (None, ""):  # the report keeps what was typed, not the padding
            values = values[:-1]
        rows.append(Row(line, cells, tuple("" if v is None else str(v) for v in values)))
    if hasattr(source, "close"):
        source.close()  # a preview stops early: the workbook is closed now, not when collected
    if header is None:
        raise RegisterError("文件是空的", "the file is empty")
    return ["" if h is None else str(h) for h in header], rows


Problem = tuple[str, str]  # (zh, en)


def cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 13800000001 as a number
    return unicodedata.normalize("NFKC", str(value)).strip() if value is not None else ""


def parse_kind(value: Any, *, has_column: bool = False) -> str | Problem:
    """The engine event kind a row's 来访方式 names; a register without that column lists visits."""
    raw = cell_text(value)
    if not raw:
        if has_column:
            return ("缺少来访方式（来访、来电或回访）", "the kind of contact is missing (visit, call or follow-up)")
        return VISIT
    kind = KINDS.get(raw.lower().replace(" ", ""))
    if kind is None:
        return (
            f"无法识别的来访方式「{_quoted(raw)}」（应为来访、来电或回访）",
            f"unknown kind of contact “{_quoted(raw)}” (visit, call or follow-up)",
        )
    return kind


def _quoted(raw: str) -> str:
    # A cell named in a reason: trimmed, never in Python's quotes.
    return raw if len(raw) <= 30 else raw[:30] + "…"


def _parse_text_moment(raw: str) -> datetime | date | None:
    raw = re.sub(r"\s+", " ", raw)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    for fmt in _DAY_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


_NO_TIME = (
    "只有日期，没有时间：归属按时间先后界定，请补上来访时间（例如 2026-03-01 10:30）",
    "a date without a time: ownership depends on the order of contacts, give the time (e.g. 2026-03-01 10:30)",
)


def parse_moment(day: Any, clock: Any, zone: ZoneInfo) -> datetime | Problem:
    """The moment of a row, in the project's zone; a date without a time is refused, never taken as 00:00."""
    moment: datetime | date | None
    if isinstance(day, datetime) and day.time() == time(0, 0) and cell_text(clock):
        moment = day.date()  # an Excel date cell (midnight) with its time in the next column
    elif isinstance(day, date):  # a datetime is a date too
        moment = day
    else:
        raw = cell_text(day)
        if not raw:
            return ("缺少日期", "the date is missing")
        moment = _parse_text_moment(raw)
        if moment is None:
            return (
                f"无法识别的日期「{_quoted(raw)}」（例如 2026-03-01 10:00）",
                f"cannot read the date “{_quoted(raw)}” (e.g. 2026-03-01 10:00)",
            )
    if isinstance(moment, datetime) and moment.time() == time(0, 0) and not isinstance(day, str | int | float):
        # An Excel date cell with no time: openpyxl gives midnight, which no office records as a visit.
        return _NO_TIME
    if not isinstance(moment, datetime):
        at_time = _parse_clock(clock)
        if isinstance(at_time, tuple):
            return at_time
        moment = datetime.combine(moment, at_time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def _parse_clock(value: Any) -> time | Problem:
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    raw = cell_text(value)
    if not raw:
        return _NO_TIME
    for fmt in ("%H:%M", "%H:%M:%S", "%H时%M分", "%H点%M分", "%H点"):
        try:
            return datetime.strptime(raw, fmt).time()
        except ValueError:
            continue
    return (f"无法识别的时间「{_quoted(raw)}」（例如 10:30）", f"cannot read the time “{_quoted(raw)}” (e.g. 10:30)")

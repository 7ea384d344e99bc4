"""The units file (销控表 / 一房一价表): an Excel sheet of 楼栋, 楼层, 房号, 面积, 表价, one unit a row.

Read within the import's limits (imports/register.py reads the sheet: declared size checked, damaged
files refused); listed all or nothing, each row's problem said with its line, as the office sees it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import transaction

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.imports.register import Limits, _header_key, _xlsx_rows, cell_text
from leadledger.ledger import models as ledger

from . import services
from .models import Unit

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=20_000, max_columns=32)
COLUMNS: dict[str, tuple[str, ...]] = {
    "building": ("楼栋", "栋号", "楼号", "栋", "building"),
    "floor": ("楼层", "层", "floor"),
    "number": ("房号", "单元号", "房间号", "unit", "number", "unitnumber"),
    "area": ("面积", "建筑面积", "面积㎡", "面积m²", "area"),
    "list_price": ("表价", "总价", "标准总价", "表价元", "总价元", "listprice", "price"),
}
NAMES = {  # each column as the office calls it, in Chinese and in English
    "building": ("楼栋", "building"),
    "floor": ("楼层", "floor"),
    "number": ("房号", "unit number"),
    "area": ("面积", "area"),
    "list_price": ("表价", "list price"),
}
SHOWN = 8  # problems said at once: the first few, with the count of the rest


def _columns(header: list[Any]) -> dict[str, int]:
    keys = [_header_key(cell) for cell in header]
    found: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for name in names:
            if _header_key(name) in keys:
                found[field] = keys.index(_header_key(name))
                break
    missing = [NAMES[field] for field in COLUMNS if field not in found]
    if missing:
        raise DomainError(
            f"销控表缺少列：{'、'.join(zh for zh, _ in missing)}（须有楼栋、楼层、房号、面积、表价）",
            f"the units file lacks columns: {', '.join(en for _, en in missing)} (it needs building, floor, "
            "unit number, area and list price)",
            field="file",
        )
    return found


def _amount(value: Any) -> Decimal | None:
    try:
        number = Decimal(cell_text(value).replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 < number < Decimal("1e12") else None


def _floor(text: str) -> int | None:
    """A floor from -10 to 200, in ASCII digits ("²" passes str.isdigit() and crashes int())."""
    number = whole_id(text.removeprefix("-"))
    floor = -number if number is not None and text.startswith("-") else number
    return floor if floor is not None and -10 <= floor <= 200 else None


def units_read(path: Path) -> list[dict[str, Any]]:
    """The units of a file, checked; every problem of every row raised at once (nothing half listed)."""
    rows = iter(_xlsx_rows(path, LIMITS))
    header = next((values for values in rows if any(v not in (None, "") for v in values)), None)
    if header is None:
        raise DomainError("文件是空的", "the file is empty", field="file")
    columns = _columns(header)
    units: list[dict[str, Any]] = []
    problems: list[tuple[str, str]] = []  # each row's problem in Chinese and in English
    seen: set[tuple[str, str]] = set()
    for line, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        cell = {field: values[i] if i < len(values) else None for field, i in columns.items()}
        building, number = cell_text(cell["building"]), cell_text(cell["number"])
        floor_text = cell_text(cell["floor"])
        area, price = _amount(cell["area"]), _amount(cell["list_price"])
        wrong = [
            NAMES[field]
            for field, bad in (
                ("building", not building or len(building) > 40),
                ("number", not number or len(number) > 20),
                ("floor", _floor(floor_text) is None),
                ("area", area is None or area >= Decimal("1e6")),
                ("list_price", price is None),
            )
            if bad
        ]
        if wrong:
            problems.append(
                (f"第{line}行：{'、'.join(zh for zh, _ in wrong)}不正确", f"Row {line}: {_listed(wrong)} not valid.")
            )
            continue
        if (building, number) in seen:
            twice = f"Row {line}: {building} {number} appears twice in the file."
            problems.append((f"第{line}行：{building}{number}在文件中重复", twice))
            continue
        seen.add((building, number))
        assert area is not None and price is not None
        units.append(
            {
                "line": line,
                "building": building,
                "floor": _floor(floor_text),
                "number": number,
                "area": area.quantize(Decimal("0.01")),
                "list_price": price.quantize(Decimal("0.01")),
            }
        )
    if not units and not problems:
        raise DomainError("文件中没有房号", "the file lists no units", field="file")
    if problems:
        raise _refused(problems, f"{_rows(len(problems))} of the file cannot be read")
    return units


def _rows(count: int) -> str:
    return "1 row" if count == 1 else f"{count} rows"


def _listed(names: list[tuple[str, str]]) -> str:
    english = [en for _, en in names]
    return english[0] if len(english) == 1 else ", ".join(english[:-1]) + " and " + english[-1]


def _refused(problems: list[tuple[str, str]], why: str) -> DomainError:
    """Nothing listed, and why: the first few rows' problems said, with the count of the rest."""
    rest = len(problems) - SHOWN
    shown = problems[:SHOWN]
    return DomainError(
        "销控表未导入：" + "；".join(zh for zh, _ in shown) + (f"，另有{rest}处" if rest > 0 else "") + "。",
        f"Nothing was put on sale: {why}. "
        + " ".join(en for _, en in shown)
        + (f" {_rows(rest).capitalize()} more not shown." if rest > 0 else ""),
        field="file",
    )


def units_list_file(*, by: ledger.Staff, path: Path, user: Any) -> int:
    """List every unit of a units file, all or nothing: a unit already listed is a problem of its row."""
    capabilities.require(by, capabilities.RECORD_DEAL)
    units = units_read(path)
    listed = set(Unit.objects.filter(project=by.project).values_list("building__name", "number"))
    again = [
        (
            f"第{u['line']}行：{u['building']}{u['number']}已在销控表中",
            f"Row {u['line']}: {u['building']} {u['number']} is already on sale.",
        )
        for u in units
        if (u["building"], u["number"]) in listed
    ]
    if again:
        listing = "lists a unit" if len(again) == 1 else "list units"
        raise _refused(again, f"{_rows(len(again))} of the file {listing} already on sale")
    with transaction.atomic():
        for unit in units:
            services.unit_list(
                by=by,
                building=unit["building"],
                floor=unit["floor"],
                number=unit["number"],
                area=unit["area"],
                list_price=unit["list_price"],
                user=user,
            )
    return len(units)

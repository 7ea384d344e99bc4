"""Fuzzing the import reader (Hypothesis): any file is read or refused with a reason, never a traceback.

Inputs are CSV registers with generated cells (any text, numbers, dates, phones), arbitrary bytes,
and .xlsx files cut or with a byte changed. LEADLEDGER_FUZZ_INPUTS (default 1,000) files are read;
each row the reader returns is then checked as an import would check it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from leadledger.imports.register import FIELDS, Limits, RegisterError, parse_kind, parse_moment, read_rows

pytestmark = pytest.mark.long  # not on the Python 3.13 run (pyproject.toml, docs/operations.md)

INPUTS = int(os.environ.get("LEADLEDGER_FUZZ_INPUTS", "1000"))
ZONE = ZoneInfo("Asia/Shanghai")
HEADERS = ["日期", "时间", "客户姓名", "电话", "置业顾问", "类型", "备注", "date", "name", "phone", "", "x"]

_cell = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.from_regex(r"20[0-9]{2}[-/.年][01]?[0-9][-/.月][0-3]?[0-9]日?( [0-2]?[0-9][:时][0-5][0-9]分?)?", fullmatch=True),
    st.from_regex(r"1[3-9][0-9 -]{9,12}", fullmatch=True),
    st.integers().map(str),
    st.sampled_from(["来访", "来电", "回访", "visit", "=1+1", "²", "\x00", "张" * 101]),
)


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])  # openpyxl refuses them itself
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def _file(draw: st.DrawFn) -> tuple[str, bytes]:
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=8))
    rows = draw(st.lists(st.lists(_cell, max_size=9), max_size=6))
    how = draw(st.sampled_from(["csv", "gbk", "bytes", "xlsx", "xlsx-cut", "xlsx-flip"]))
    if how == "bytes":
        return ".csv", draw(st.binary(max_size=300))
    if how in ("csv", "gbk"):
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        return ".csv", out.getvalue().encode("utf-8" if how == "csv" else "gb18030")
    data = _xlsx([header, *rows])
    place = draw(st.integers(0, 10**9))  # the file's length varies with the time saved in the zip
    if how == "xlsx-cut":
        data = data[: place % (len(data) + 1)]
    elif how == "xlsx-flip":
        at = place % len(data)
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
    return ".xlsx", data


@settings(max_examples=INPUTS, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(file=_file())
def test_fuzz_the_import_reader_reads_or_refuses_every_file(file: tuple[str, bytes]) -> None:
    suffix, data = file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"register{suffix}"
        path.write_bytes(data)
        try:
            header, rows = read_rows(path, limits=Limits(max_rows=1000))
        except RegisterError as error:
            assert error.zh and error.en
            return
    assert isinstance(header, list)
    for row in rows:
        assert set(row.cells) <= set(FIELDS)
        moment = parse_moment(row.cells.get("date"), row.cells.get("time"), ZONE)
        assert isinstance(moment, datetime | tuple)
        assert isinstance(parse_kind(row.cells.get("kind"), has_column=True), str | tuple)

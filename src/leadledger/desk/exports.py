"""Excel files of the lists on the manager's pages: what the page shows, as a sheet an office can file."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from leadledger.imports.services import inert

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, datetime):
        # Excel has no time zones: the moment as the office's clock reads it.
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, str):
        value = inert(value)  # a name or a reason is text, never a formula (CSV injection)
    elif value is None:
        value = ""
    elif not isinstance(value, (int, float, Decimal, date)):
        value = inert(str(value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet named `title`: the header, then the rows; written as a stream, so a long list costs little."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])  # our own words; Excel allows 31 characters
    sheet.append([_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(name: str, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(workbook(title, header, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response

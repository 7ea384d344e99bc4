"""The monthly complaint report (S-2) as an Excel workbook: the summary, then channels and types with a chart."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from leadledger.desk.exports import XLSX
from leadledger.imports.services import inert
from leadledger.web.speech import pick


def report_workbook(
    title: str, summary: Sequence[tuple[str, object]], rows: Mapping[str, Sequence[tuple[str, int]]]
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = pick("汇总", "Summary")
    sheet.append([inert(title)])
    for label, value in summary:
        sheet.append([inert(label), value if isinstance(value, int) else inert(str(value))])
    sheet.column_dimensions["A"].width = 28
    for key, head in (("channels", pick("按渠道", "By channel")), ("kinds", pick("按类型", "By type"))):
        part = book.create_sheet(head)
        part.append([head, pick("件数", "Complaints")])
        for label, number in rows[key]:
            part.append([inert(label), number])
        chart = BarChart()
        chart.title = head
        chart.legend = None
        data = Reference(part, min_col=2, min_row=1, max_row=len(rows[key]) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(part, min_col=1, min_row=2, max_row=len(rows[key]) + 1))
        part.add_chart(chart, "D2")
        part.column_dimensions["A"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_xlsx(
    name: str, title: str, summary: Sequence[tuple[str, object]], rows: Mapping[str, Sequence[tuple[str, int]]]
) -> HttpResponse:
    response = HttpResponse(report_workbook(title, summary, rows), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="complaints-{name}.xlsx"'
    return response

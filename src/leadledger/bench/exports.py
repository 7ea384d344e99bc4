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


def team_workbook(
    title: str,
    duty_rows: Sequence[Sequence[object]],
    month_head: Sequence[str],
    month_rows: Sequence[Sequence[object]],
) -> bytes:
    """The manager's dashboard (W-7): today's duties of each member, then the month's figures with a chart."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = pick("今日职责", "Duties today")
    sheet.append([inert(title)])
    sheet.append(
        [pick(h, e) for h, e in (("成员", "Member"), ("职责", "Duty"), ("周期", "Period"))]
        + [
            pick("已完成", "Done"),
            pick("应完成", "Owed"),
            pick("状态", "Status"),
        ]
    )
    for row in duty_rows:
        sheet.append([inert(v) if isinstance(v, str) else v for v in row])
    for column, width in (("A", 12), ("B", 24), ("C", 14)):
        sheet.column_dimensions[column].width = width
    month = book.create_sheet(pick("本月", "This month"))
    month.append(list(month_head))
    for row in month_rows:
        month.append([inert(v) if isinstance(v, str) else v for v in row])
    if month_rows:
        chart = BarChart()
        chart.title = pick("本月工作量", "This month's work")
        data = Reference(month, min_col=2, max_col=5, min_row=1, max_row=len(month_rows) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(month, min_col=1, min_row=2, max_row=len(month_rows) + 1))
        month.add_chart(chart, f"A{len(month_rows) + 4}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reports_workbook(title: str, head: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The team's reports of one period (W-3): each member's counted figures and written parts, one row each."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = pick("工作报告", "Reports")
    sheet.append([inert(title)])
    sheet.append(list(head))
    for row in rows:
        sheet.append([inert(v) if isinstance(v, str) else v for v in row])
    sheet.column_dimensions["A"].width = 12
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

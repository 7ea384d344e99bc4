"""A monthly statement as an Excel workbook (openpyxl): the totals, then every line they add up from."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from leadledger.desk.exports import workbook

from .selectors import DistributorStatement, Statement


def kind_label(kind: str) -> str:
    labels = {
        "allocation": _("Commission allocated"),
        "accrued": _("Not yet due"),
        "due": _("Commission due"),
        "paid": _("Paid"),
        "fine": _("Fine"),
        "reward": _("Reward"),
        "forfeit": _("Forfeited"),
    }
    return labels.get(kind, kind)


def totals(statement: Statement) -> list[tuple[str, object]]:
    return [
        (_("Deals"), statement.deals),
        (_("Performance (yuan)"), statement.performance),
        (_("Commission allocated"), statement.commission),
        (_("Commission due"), statement.due),
        (_("Paid"), statement.paid),
        (_("Fines"), statement.fines),
        (_("Rewards"), statement.rewards),
        (_("Forfeited"), statement.forfeited),
        (_("Evaluation points"), statement.points),
        (_("Days suspended"), statement.days),
    ]


def statement_workbook(statement: Statement) -> bytes:
    """One sheet: the totals, then every line of the month (cells neutralised as every file the app writes)."""
    rows: list[list[Any]] = [[label, value] for label, value in totals(statement)]
    rows.append([])
    rows.append([_("Time"), _("Type"), _("Amount (yuan)"), _("Posting")])
    rows += [[line.at, kind_label(line.kind), line.amount, line.source] for line in statement.lines]
    title = f"{statement.year}-{statement.month:02d}"
    return workbook(title, [statement.staff.name, title], rows)


def distributor_totals(statement: DistributorStatement) -> list[tuple[str, object]]:
    return [
        (_("Deals"), sum(1 for deal in statement.deals if not deal.returned)),
        (_("Commission earned"), statement.earned),
        (_("Reversed by returns"), statement.reversed),
        (_("Commission allocated"), statement.commission),
        (_("Commission due"), statement.due),
        (_("Paid"), statement.paid),
        (_("Due and not paid at the month's end"), statement.owing),
    ]


def distributor_workbook(statement: DistributorStatement) -> bytes:
    """A distributor's month: the totals, its deals (customers masked), then every line they add up from."""
    rows: list[list[Any]] = [[label, value] for label, value in distributor_totals(statement)]
    rows += [
        [],
        [_("Deal date"), _("Unit"), _("Price (yuan)"), _("Customer"), _("Commission (yuan)"), _("Unit returned")],
    ]
    rows += [
        [deal.at, deal.unit, deal.price, deal.customer, deal.commission, _("Unit returned") if deal.returned else ""]
        for deal in statement.deals
    ]
    rows += [[], [_("Time"), _("Type"), _("Amount (yuan)"), _("Posting")]]
    rows += [
        [line.at, kind_label(line.kind), line.amount, line.source] for line in statement.lines if line.kind != "accrued"
    ]
    title = f"{statement.year}-{statement.month:02d}"
    data = workbook(title, [statement.distributor.name, title], rows)
    return _with_chart(data, first=len(distributor_totals(statement)) + 4, count=len(statement.deals))


def _with_chart(data: bytes, *, first: int, count: int) -> bytes:
    """The deals' commission as an Excel bar chart beside the sheet (openpyxl draws it; Excel renders it):
    the deals are rows first..first+count-1, unit in column B and commission in column E."""
    if not count:
        return data
    from io import BytesIO

    from openpyxl import load_workbook
    from openpyxl.chart import BarChart, Reference

    book = load_workbook(BytesIO(data))
    sheet = book.active
    assert sheet is not None
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Commission (yuan)")
    chart.legend = None
    chart.add_data(Reference(sheet, min_col=5, min_row=first, max_row=first + count - 1), titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=2, min_row=first, max_row=first + count - 1))
    sheet.add_chart(chart, "H2")
    out = BytesIO()
    book.save(out)
    return out.getvalue()

"""A monthly statement as an Excel workbook (openpyxl): the totals, then every line they add up from."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from leadledger.desk.exports import workbook

from .selectors import Statement


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

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
    return workbook(title, [statement.distributor.name, title], rows)

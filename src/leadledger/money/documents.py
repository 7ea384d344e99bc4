"""The month's statements of a project as one PDF: every statement in one weasyprint document, a page each.

One document rather than one per person: weasyprint's fixed cost (fonts, the style sheet, the PDF's font
subsets) is paid once, so a statement costs its own layout only (docs/benchmarks.md "A month's statements
for a company"). The figures are the statement page's (`selectors.statement`), never computed again.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.translation import gettext as _

from leadledger.ledger.models import Project

from . import exports, selectors
from .selectors import Statement


def statement_parts(figures: Statement) -> dict[str, Any]:
    """What a statement shows besides its figures: the totals as labelled, and the lines the office reads;
    for the PDF, the same set in aligned columns (`set_in_columns`)."""
    totals = exports.totals(figures)
    # "not yet due" lines only move money between kinds; the office reads what was allocated and what fell due
    lines = [(line, exports.kind_label(line.kind)) for line in figures.lines if line.kind != "accrued"]
    return {"s": figures, "totals": totals, "lines": lines, **set_in_columns(totals, lines)}


def _counts(text: str) -> tuple[int, int]:
    """How many wide (Chinese, full-width) and narrow characters `text` has."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in "WF")
    return wide, len(text) - wide


def _padding(text: str, wide: int, narrow: int) -> str:
    """What brings `text` to the width of `wide` wide and `narrow` narrow characters, in any monospaced
    Chinese font: an ideographic space is as wide as a Chinese character, a space as a Latin letter (in
    WenQuanYi Micro Hei Mono they are 1 and 0.6 em, so no count of spaces alone could do it)."""
    has_wide, has_narrow = _counts(text)
    return "\u3000" * (wide - has_wide) + " " * (narrow - has_narrow)


def _column(cells: list[str]) -> tuple[int, int]:
    """The width of a column: as many wide and as many narrow characters as its cells have at most."""
    counted = [_counts(cell) for cell in cells]
    return max((w for w, _n in counted), default=0), max((n for _w, n in counted), default=0)


GUTTER = "   "


def set_in_columns(totals: list[tuple[str, object]], lines: list[tuple[Any, str]]) -> dict[str, Any]:
    """The PDF's totals and lines as rows of text aligned in a monospaced font, not as tables.

    weasyprint lays a table out cell by cell: the two tables were two thirds of a statement's PDF time
    (66 ms of CPU; 29 ms set this way), and the month's 2,000 statements of a company stayed above a
    minute (docs/benchmarks.md). `totals_set`: (label and padding, value) rows, the value printed bold;
    `lines_head` and `lines_set`: the lines' header and rows, one string each.
    """
    shown = [(str(label), localize(value)) for label, value in totals]
    labels, values = _column([label for label, _v in shown]), _column([value for _l, value in shown])
    totals_set = [
        (label + _padding(label, *labels) + GUTTER, _padding(value, *values) + value) for label, value in shown
    ]
    heads = (_("Time"), _("Type"), _("Amount (yuan)"))
    rows = [
        (date_format(timezone.localtime(line.at), "m-d H:i"), str(label), localize(line.amount))
        for line, label in lines
    ]
    widths = [_column([heads[i], *(row[i] for row in rows)]) for i in range(3)]

    def row(cells: tuple[str, str, str]) -> str:
        time, kind, amount = cells
        return (
            time
            + _padding(time, *widths[0])
            + GUTTER
            + kind
            + _padding(kind, *widths[1])
            + GUTTER
            + _padding(amount, *widths[2])
            + amount
        )

    return {"totals_set": totals_set, "lines_head": row(heads), "lines_set": "\n".join(row(cells) for cells in rows)}


def month_statements_html(project: Project, year: int, month: int, printed: datetime) -> str:
    """Every statement of the month in the project (decision 520: whoever has money or a penalty in it)."""
    people = selectors.month_people(project, year, month)
    context = {
        "statements": [statement_parts(selectors.statement(person, year, month)) for person in people],
        "project": project,
        "month": f"{year}-{month:02d}",
        "printed": printed,
    }
    return render_to_string("money/statements_document.html", context)


def month_statements_pdf(project: Project, year: int, month: int, printed: datetime, *, fonts: Any = None) -> bytes:
    """The month's statements as one PDF, one statement a page; `fonts` (weasyprint's FontConfiguration)
    is kept across projects by a caller that prints many."""
    import weasyprint  # heavy (pango, fonts): loaded on the first PDF, not with every page

    html = month_statements_html(project, year, month, printed)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(font_config=fonts)
    return pdf

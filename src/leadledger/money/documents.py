"""The month's statements of a project as one PDF: every statement in one weasyprint document, a page each.

One document rather than one per person: weasyprint's fixed cost (fonts, the style sheet, the PDF's font
subsets) is paid once, so a statement costs its own layout only (docs/benchmarks.md "A month's statements
for a company"). The figures are the statement page's (`selectors.statement`), never computed again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from leadledger.ledger.models import Project

from . import exports, selectors
from .selectors import Statement


def statement_parts(figures: Statement) -> dict[str, Any]:
    """What a statement shows besides its figures: the totals as labelled, and the lines the office reads."""
    return {
        "s": figures,
        "totals": exports.totals(figures),
        # "not yet due" lines only move money between kinds; the office reads what was allocated and what fell due
        "lines": [(line, exports.kind_label(line.kind)) for line in figures.lines if line.kind != "accrued"],
    }


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

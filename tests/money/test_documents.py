"""The statement's PDF sets its totals and lines in aligned columns of text (money.documents.set_in_columns)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils.translation import gettext
from hypothesis import example, given
from hypothesis import strategies as st

from leadledger.money.documents import set_in_columns

# Labels as offices write them: Chinese, English, and both in one (业绩（元）, Performance (yuan)).
LABEL = st.text(st.sampled_from("成交业绩元（）已分配佣金应结罚款Deals Paid(yuan)"), min_size=1, max_size=12)


def _offset(text: str) -> tuple[int, int]:
    """Where `text` ends, in wide and narrow characters: the same pair is the same width in any monospaced
    Chinese font, whatever its ratio of a Chinese character to a Latin one."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in "WF")
    return wide, len(text) - wide


@given(st.lists(st.tuples(LABEL, st.decimals(-(10**7), 10**7, places=2)), min_size=1, max_size=10))
@example([("成交", Decimal(3)), ("业绩（元）", Decimal("3030000.00")), ("Commission allocated", Decimal("0.00"))])
def test_every_total_ends_where_the_others_do_in_any_monospaced_chinese_font(rows: list[tuple[str, Decimal]]) -> None:
    totals = [(label.replace(" ", "_"), value) for label, value in rows]  # a space inside a label is not padding
    shown = set_in_columns(totals, [])["totals_set"]
    assert len({_offset(label) for label, _value in shown}) == 1  # every value begins in the same column
    assert len({_offset(label + value) for label, value in shown}) == 1  # and ends in the same one
    assert [label.rstrip(" \u3000") for label, _value in shown] == [label for label, _v in totals]


@given(st.lists(st.tuples(LABEL, st.decimals(-(10**6), 10**6, places=2)), min_size=1, max_size=12))
def test_the_lines_columns_begin_and_end_together_header_included(lines: list[tuple[str, Decimal]]) -> None:
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    rows = [(SimpleNamespace(at=at, amount=amount), label.replace(" ", "_")) for label, amount in lines]
    shown = set_in_columns([], rows)
    table = [shown["lines_head"], *shown["lines_set"].split("\n")]
    assert len(table) == len(lines) + 1
    time = "11-01 17:00"  # 09:00 UTC in the project's zone, Shanghai
    assert all(row.startswith(time) for row in table[1:])
    kinds = [gettext("Type"), *(kind for _line, kind in rows)]
    # Each row's type begins in the same column, after the time and its padding: the header's too.
    assert len({_offset(row[: row.index(kind, len(time))]) for row, kind in zip(table, kinds, strict=True)}) == 1
    assert len({_offset(row) for row in table}) == 1  # the amounts end together: right-aligned

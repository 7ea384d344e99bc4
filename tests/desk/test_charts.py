"""The dashboard's SVG bar charts (decision 140): every bar inside the plot, names escaped, labels apart."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from leadledger.desk.charts import Series, bars

RECT = re.compile(r'<rect x="([\d.]+)" y="([\d.-]+)" width="([\d.]+)" height="([\d.]+)"')
AXIS = re.compile(r'<text x="([\d.]+)" y="[\d.]+" class="axis">')


@given(
    st.integers(min_value=1, max_value=90).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.lists(st.integers(min_value=0, max_value=10_000), min_size=n, max_size=n), min_size=1, max_size=3
            ),
            st.booleans(),
        )
    )
)
def test_every_bar_stands_inside_the_plot_and_the_tallest_reaches_no_higher_than_the_scale(
    case: tuple[int, list[list[int]], bool],
) -> None:
    count, values, stacked = case
    labels = [f"12-{i:02d}" for i in range(count)]
    svg = str(bars(labels, [Series(f"s{j}", v) for j, v in enumerate(values)], title="t", stacked=stacked))
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))  # type: ignore[union-attr]
    rects = [tuple(float(x) for x in m) for m in RECT.findall(svg)]
    assert len(rects) == count * len(values)
    for x, y, w, h in rects:
        assert h >= 0 and y >= 8 - 0.1 and y + h <= 180 - 22 + 0.1 and x >= 0 and x + w <= width
    axis = [float(x) for x in AXIS.findall(svg)]
    assert axis and all(b - a >= 5 * 7 for a, b in itertools.pairwise(axis))  # "12-03" never touches "12-04"


def test_two_bars_are_as_wide_as_they_would_be_among_many() -> None:
    few = str(bars(["王芳", "刘洋"], [Series("首访", [3, 4])], title="t"))
    widths = {float(w) for _, _, w, _ in RECT.findall(few)}
    assert widths and max(widths) <= 28


def test_names_and_titles_are_escaped() -> None:
    svg = str(bars(["<b>x</b>"], [Series("<i>s</i>", [1])], title='"><script>'))
    assert "<b>" not in svg and "<i>" not in svg and "<script>" not in svg and "&lt;b&gt;" in svg

"""Bar charts drawn on the server as SVG (decision 140): no script, no CDN, the same in print and offline.

Each chart is shown with its table beside it; the chart is for the eye, the table for the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# The office's colours: the app's blue, then a grey-green and an amber that print apart in grey.
COLOURS = ("#1d4ed8", "#93c5a0", "#d97706")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float]


def _nice_top(highest: float) -> float:
    """A round top for the scale at or above `highest`: 1, 2 or 5 times a power of ten."""
    if highest <= 0:
        return 1
    step = 1.0
    while step * 10 <= highest:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= highest:
            return step * factor
    return step * 10  # pragma: no cover - the loop always returns


def _text_width(text: str) -> int:
    """About how wide `text` is at 12 px: a Chinese character is square, a digit or letter about half."""
    return sum(12 if ord(char) > 0x2E80 else 7 for char in text)


def _label(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def bars(
    labels: Sequence[str], series: Sequence[Series], *, title: str, stacked: bool = False, height: int = 180
) -> SafeString:
    """Vertical bars, one group (or stack) per label, with a legend and a labelled scale.

    Labels under the axis are thinned so that none overlaps the next; every bar keeps a tooltip
    (<title>) with its label and value.
    """
    count = max(1, len(labels))
    left, bottom, top_pad = 36, 22, 8
    width = max(560, left + 12 * count + 8)  # the same scale for 2 bars as for 90: a bar never balloons
    slot = (width - left - 8) / count
    groups = 1 if stacked else max(1, len(series))
    group = min(slot - 4, 28.0 * groups)  # the bars of one label, centred in its slot
    plot = height - bottom - top_pad
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))] if stacked else []
    highest = max(totals or [v for s in series for v in s.values] or [0])
    top = _nice_top(float(highest))
    parts: list[str] = []
    for tick in (0, top / 2, top):  # three gridlines: enough to read a figure, the table has the rest
        y = top_pad + plot - plot * tick / top
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick">{}</text>',
                left,
                width - 4,
                f"{y:.1f}",
                f"{y:.1f}",
                left - 4,
                f"{y + 4:.1f}",
                _label(tick),
            )
        )
    widest = max((_text_width(label) for label in labels), default=7)
    every = max(1, math.ceil((widest + 8) / slot))
    bar = max(3.0, group / groups)
    names = [escape(one.name) for one in series]  # escaped once each: a chart has hundreds of bars
    for i, label in enumerate(labels):
        shown = escape(label)
        x0 = left + i * slot + (slot - group) / 2
        base = top_pad + plot
        for j, one in enumerate(series):
            value = float(one.values[i])
            h = plot * value / top
            if stacked:
                x, y = x0, base - h
                base -= h
            else:
                x, y = x0 + j * bar, top_pad + plot - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{group if stacked else bar - 1:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"><title>{shown} · {names[j]}：{_label(value)}</title></rect>'
            )
        if i % every == 0:
            parts.append(f'<text x="{x0 + group / 2:.1f}" y="{height - 6}" class="axis">{shown}</text>')
    legend = format_html_join(
        "",
        '<span class="key"><i style="background:{}"></i>{}</span>',
        ((COLOURS[j % len(COLOURS)], one.name) for j, one in enumerate(series)),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        title,
        mark_safe("".join(parts)),  # every name and label in it went through escape() or format_html
    )
    return format_html('<figure class="chart">{}<figcaption class="legend">{}</figcaption></figure>', svg, legend)

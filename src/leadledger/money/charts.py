"""Charts served by the app (issue 16): deals and commission by consultant, by channel, by month, as SVG
drawn on the server (no JavaScript, nothing from a CDN), inline in the page so they read in its font.

Each chart is rows of two bars: the number of deals (blue) and the commission (green), each on its own
scale, with the figures written beside them, so a row is read without the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, LABEL, ROW, BAR = 640, 150, 46, 14


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    deals: Decimal  # a deal shared between consultants counts by share (C-1..C-5)
    commission: Decimal


def _count(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def bars(rows: list[Row], title: str, deals_said: str, yuan_said: str) -> SafeString:
    """One chart: a row per label, the deals' bar above the commission's; the figures at each bar's end,
    said by `deals_said` ("%(count)s deals") and `yuan_said` ("%(amount)s yuan") in the page's language."""
    top_deals = max((row.deals for row in rows), default=Decimal(0)) or Decimal(1)
    top_money = max((row.commission for row in rows), default=Decimal(0)) or Decimal(1)
    room = WIDTH - LABEL - 130  # what the longest bar may take, its figure written after it
    height = ROW * len(rows) + 8
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">'
    ]
    for i, row in enumerate(rows):
        y = i * ROW + 4
        deals_w = float(room * row.deals / top_deals) if row.deals > 0 else 0
        money_w = float(room * row.commission / top_money) if row.commission > 0 else 0
        parts += [
            f'<text x="{LABEL - 8}" y="{y + BAR + 4}" text-anchor="end" class="chart-label">{escape(row.label)}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{deals_w:.1f}" height="{BAR}" class="chart-deals"/>',
            f'<text x="{LABEL + deals_w + 6:.1f}" y="{y + BAR - 2}" class="chart-figure">'
            f"{escape(deals_said % {'count': _count(row.deals)})}</text>",
            f'<rect x="{LABEL}" y="{y + BAR + 4}" width="{money_w:.1f}" height="{BAR}" class="chart-money"/>',
            f'<text x="{LABEL + money_w + 6:.1f}" y="{y + 2 * BAR + 2}" class="chart-figure">'
            f"{escape(yuan_said % {'amount': f'{row.commission:,.2f}'})}</text>",
        ]
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text in it is escaped above

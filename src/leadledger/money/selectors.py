"""Reading the money: a consultant's monthly statement, every figure a sum of money lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Sum

from leadledger.ledger.models import Project, Staff

from . import models

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    staff: Staff
    year: int
    month: int
    deals: int  # deals credited to the consultant this month (C-1..C-5), returned ones excluded
    performance: Decimal  # the price credited, by performance share
    commission: Decimal  # allocated this month (C-7), less reversals
    due: Decimal  # fell due this month
    paid: Decimal
    fines: Decimal
    rewards: Decimal
    forfeited: Decimal
    points: int
    days: int
    lines: list[models.MoneyLine]


def month_bounds(project: Project, year: int, month: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(project.time_zone)
    start = datetime(year, month, 1, tzinfo=zone)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, datetime.combine(end.date(), time(), tzinfo=zone)


def statement(staff: Staff, year: int, month: int) -> Statement:
    project = staff.project
    start, end = month_bounds(project, year, month)
    lines = models.MoneyLine.objects.filter(project=project, account=str(staff.pk), at__gte=start, at__lt=end)
    deals = list(
        models.DealMoney.objects.filter(
            project=project, deal__at__gte=start, deal__at__lt=end, returned=False, performance__has_key=str(staff.pk)
        )
    )
    performance = sum((Fraction(deal.price) * Fraction(deal.performance[str(staff.pk)]) for deal in deals), Fraction(0))
    penalties = models.Penalty.objects.filter(staff=staff, at__gte=start, at__lt=end)
    marks = penalties.aggregate(points=Sum("points"), days=Sum("days"))
    rows = list(lines.order_by("seq"))  # the month's lines, read once: every total is summed from them

    def total(kind: str, *, positive: bool = False) -> Decimal:
        amounts = (line.amount for line in rows if line.kind == kind and (line.amount > 0 or not positive))
        return sum(amounts, ZERO).quantize(ZERO)

    return Statement(
        staff=staff,
        year=year,
        month=month,
        deals=len(deals),
        performance=(Decimal(performance.numerator) / Decimal(performance.denominator)).quantize(ZERO),
        commission=total("allocation"),
        due=total("due", positive=True),
        paid=total("paid"),
        fines=-total("fine"),
        rewards=total("reward"),
        forfeited=-total("forfeit"),
        points=marks["points"] or 0,
        days=marks["days"] or 0,
        lines=rows,
    )

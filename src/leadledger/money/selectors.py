"""Reading the money: a consultant's monthly statement, every figure a sum of money lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import Sum

from leadledger.engine import money as rules
from leadledger.engine.phone import Phone
from leadledger.ledger.models import Customer, Distributor, Event, Project, Staff

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


def month_people(project: Project, year: int, month: int) -> list[Staff]:
    """Whose statement the month's PDF holds (decision 520): every member of staff with a money line on
    their account or a penalty in the month, by name; nobody's empty page."""
    start, end = month_bounds(project, year, month)
    accounts = models.MoneyLine.objects.filter(project=project, at__gte=start, at__lt=end).values("account")
    penalised = models.Penalty.objects.filter(project=project, at__gte=start, at__lt=end).values("staff_id")
    ids = {int(a) for a in accounts.distinct().values_list("account", flat=True) if a.isdigit()}
    ids |= set(penalised.values_list("staff_id", flat=True))
    return list(Staff.objects.filter(project=project, pk__in=ids).select_related("project").order_by("name", "pk"))


# -- a distributor's monthly statement (C-6) ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelDeal:
    """One deal on a distributor's statement: its unit and price, the customer masked, what it earned."""

    at: datetime
    seq: int
    unit: str
    price: Decimal
    customer: str  # masked: the surname and the number's first three and last four
    commission: Decimal  # this month's allocations on the deal (a return's reversal counted)
    returned: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DistributorStatement:
    distributor: Distributor
    year: int
    month: int
    deals: list[ChannelDeal]
    earned: Decimal  # allocated this month by deals and re-pricing
    reversed: Decimal  # taken back this month by returned units
    commission: Decimal  # earned less reversed: the month's allocation lines
    due: Decimal  # fell due this month
    paid: Decimal
    owing: Decimal  # due and not paid at the month's end
    lines: list[models.MoneyLine]


def _masked_customer(customer: Customer | None) -> str:
    if customer is None:
        return ""
    name = customer.name or ""
    return (
        f"{name[:1]}{'*' * max(len(name) - 1, 1)} {Phone.of(customer.phone).masked() if customer.phone else ''}".strip()
    )


def distributor_statement(distributor: Distributor, year: int, month: int) -> DistributorStatement:
    """A distributor's month (C-6): every figure a sum of the month's lines on its account."""
    from leadledger.sales.models import SaleLog

    project = distributor.project
    account = rules.distributor_account(distributor.pk)
    start, end = month_bounds(project, year, month)
    mine = models.MoneyLine.objects.filter(project=project, account=account)
    rows = list(mine.filter(at__gte=start, at__lt=end).order_by("seq"))

    def total(kind: str, *, positive: bool = False, returns: bool | None = None) -> Decimal:
        amounts = (
            line.amount
            for line in rows
            if line.kind == kind
            and (line.amount > 0 or not positive)
            and (returns is None or line.source.startswith("return") == returns)
        )
        return sum(amounts, ZERO).quantize(ZERO)

    by_event: dict[int, Decimal] = {}
    for line in rows:
        if line.kind == "allocation" and line.event_id is not None:
            by_event[line.event_id] = by_event.get(line.event_id, ZERO) + line.amount
    events = {e.pk: e for e in Event.objects.filter(pk__in=list(by_event)).select_related("customer")}
    money_of = {m.deal_id: m for m in models.DealMoney.objects.filter(deal_id__in=list(by_event))}
    seqs = [e.seq for e in events.values()]
    units = {
        log.deal_seq: str(log.unit)
        for log in SaleLog.objects.filter(project=project, kind=SaleLog.Kind.DEPOSIT, deal_seq__in=seqs).select_related(
            "unit__building"
        )
    }
    deals = [
        ChannelDeal(
            at=events[pk].at,
            seq=events[pk].seq,
            unit=units.get(events[pk].seq, ""),
            price=money_of[pk].price if pk in money_of else ZERO,
            customer=_masked_customer(events[pk].customer),
            commission=amount.quantize(ZERO),
            returned=bool(pk in money_of and money_of[pk].returned),
        )
        for pk, amount in by_event.items()
        if pk in events
    ]
    earned, reversed_ = total("allocation", returns=False), -total("allocation", returns=True)
    owing = sum(mine.filter(kind="due", at__lt=end).values_list("amount", flat=True), ZERO)
    return DistributorStatement(
        distributor=distributor,
        year=year,
        month=month,
        deals=sorted(deals, key=lambda deal: deal.at),
        earned=earned,
        reversed=reversed_,
        commission=earned - reversed_,
        due=total("due", positive=True),
        paid=total("paid"),
        owing=owing.quantize(ZERO),
        lines=rows,
    )


# -- figures for the charts: deals and commission by consultant, by channel, by month --------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    key: str  # a staff id, a distributor account, "house", or "YYYY-MM"
    deals: Decimal
    commission: Decimal


def _deals_of(project: Project, start: datetime, end: datetime) -> list[models.DealMoney]:
    return list(models.DealMoney.objects.filter(project=project, deal__at__gte=start, deal__at__lt=end, returned=False))


def by_consultant(project: Project, year: int, month: int) -> list[Figure]:
    """Each consultant's deals (by performance share, C-1..C-5) and commission allocated in the month."""
    start, end = month_bounds(project, year, month)
    deals: dict[str, Fraction] = {}
    for deal in _deals_of(project, start, end):
        for staff, share in deal.performance.items():
            deals[staff] = deals.get(staff, Fraction(0)) + Fraction(share)
    money: dict[str, Decimal] = {}
    lines = models.MoneyLine.objects.filter(project=project, kind="allocation", at__gte=start, at__lt=end)
    for account, amount in lines.values_list("account", "amount"):
        if account.isdigit():
            money[account] = money.get(account, ZERO) + amount
    keys = sorted(set(deals) | set(money), key=lambda k: (-money.get(k, ZERO), k))
    return [
        Figure(key=k, deals=_decimal(deals.get(k, Fraction(0))), commission=money.get(k, ZERO).quantize(ZERO))
        for k in keys
    ]


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def by_channel(project: Project, year: int, month: int) -> list[Figure]:
    """The month's deals by channel: the house's own, and each distributor's (C-6: a deal shared by two
    counts half to each); the commission is all that the deals cost, consultants' and distributors'."""
    start, end = month_bounds(project, year, month)
    found = _deals_of(project, start, end)
    channel: dict[int, dict[str, Decimal]] = {}
    rows = models.MoneyLine.objects.filter(
        project=project,
        event_id__in=[d.deal_id for d in found],
        kind="allocation",
        account__startswith=rules.DISTRIBUTOR,
    )
    for event, account, amount in rows.values_list("event_id", "account", "amount"):
        channel.setdefault(event, {})
        channel[event][account] = channel[event].get(account, ZERO) + amount
    deals: dict[str, Fraction] = {}
    money: dict[str, Decimal] = {}
    for deal in found:
        firms = {k: v for k, v in channel.get(deal.deal_id, {}).items() if v}
        cost = deal.commission + sum(firms.values(), ZERO)
        for key in firms or ["house"]:
            deals[key] = deals.get(key, Fraction(0)) + Fraction(1, len(firms or ["house"]))
            money[key] = money.get(key, ZERO) + cost / len(firms or ["house"])
    keys = sorted(deals, key=lambda k: (k != "house", -money[k], k))
    return [Figure(key=k, deals=_decimal(deals[k]), commission=money[k].quantize(ZERO)) for k in keys]


def by_month(project: Project, year: int, month: int, months: int = 6) -> list[Figure]:
    """The last `months` months to this one: deals taken (not returned) and commission allocated, net."""
    figures: list[Figure] = []
    for back in range(months - 1, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        start, end = month_bounds(project, y, m + 1)
        count = models.DealMoney.objects.filter(
            project=project, deal__at__gte=start, deal__at__lt=end, returned=False
        ).count()
        lines = models.MoneyLine.objects.filter(project=project, kind="allocation", at__gte=start, at__lt=end)
        total = lines.aggregate(total=Sum("amount"))["total"] or ZERO
        figures.append(Figure(key=f"{y}-{m + 1:02d}", deals=Decimal(count), commission=Decimal(total).quantize(ZERO)))
    return figures

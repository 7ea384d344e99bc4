"""Reads for sales control: the board by building and floor, its version, and a deal with the engine's answer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from leadledger.engine import DealVerdict, distributor
from leadledger.engine import money as money_rules
from leadledger.ledger import models as ledger
from leadledger.ledger import selectors as ledger_selectors

from .models import Building, SaleLog, Unit


def board_version(project: ledger.Project) -> int:
    """The number of the sales log's last row: every change of a unit writes one, so equal means unchanged."""
    return int(SaleLog.objects.filter(project=project).aggregate(last=Max("seq"))["last"] or 0)


@dataclass(frozen=True, slots=True)
class Floor:
    floor: int
    units: list[dict[str, object]]


@dataclass(frozen=True, slots=True)
class BuildingBoard:
    name: str
    floors: list[Floor]
    counts: dict[str, int]


def board(project: ledger.Project) -> list[BuildingBoard]:
    """Every unit by building, floors from the top down, in one query (a 3,000-unit project: docs/benchmarks.md)."""
    names = dict(Building.objects.filter(project=project).values_list("pk", "name"))
    staff = dict(ledger.Staff.objects.filter(project=project).values_list("pk", "name"))
    rows = (
        Unit.objects.filter(project=project)
        .order_by("building_id", "-floor", "number")
        .values_list("pk", "building_id", "floor", "number", "area", "list_price", "status", "staff_id")
    )
    by_building: dict[int, dict[int, list[dict[str, object]]]] = {}
    counts: dict[int, dict[str, int]] = {}
    for pk, building, floor, number, area, price, status, staff_id in rows:
        by_building.setdefault(building, {}).setdefault(floor, []).append(
            {
                "id": pk,
                "number": number,
                "area": area,
                "price": price,
                "status": status,
                "staff": staff.get(staff_id, ""),
            }
        )
        tally = counts.setdefault(building, {})
        tally[status] = tally.get(status, 0) + 1
    return [
        BuildingBoard(
            name=names[building],
            floors=[Floor(floor, units) for floor, units in floors.items()],
            counts=counts[building],
        )
        for building, floors in sorted(by_building.items(), key=lambda item: names[item[0]])
    ]


@dataclass(frozen=True, slots=True)
class DealShown:
    unit: Unit
    seq: int
    price: Decimal | None
    buyers: list[str]
    verdict: DealVerdict
    performance: list[tuple[str, Fraction]]
    commission: list[tuple[str, Fraction]]
    channel: list[tuple[str, Fraction]]
    decision: SaleLog | None
    history: list[SaleLog]


def _named(shares: dict[str, Fraction] | None, names: dict[str, str]) -> list[tuple[str, Fraction]]:
    return sorted(((names.get(who, who), share) for who, share in (shares or {}).items()), key=lambda p: -p[1])


def deal_shown(project: ledger.Project, deal_seq: int) -> DealShown | None:
    """A deal as the manager reviews it: the unit, price, buyers, the engine's split and sentence, the decision."""
    unit = Unit.objects.select_related("building").filter(project=project, deal_seq=deal_seq).first()
    history = list(SaleLog.objects.filter(project=project, deal_seq=deal_seq).order_by("seq"))
    if unit is None or not history:
        return None
    first = history[0]
    buyer_ids = [int(pk) for pk in first.buyers]
    timeline = ledger_selectors.timeline_for(project, buyer_ids)
    verdict = timeline.deal(f"e{deal_seq}")
    names = {str(pk): name for pk, name in ledger.Staff.objects.filter(project=project).values_list("pk", "name")}
    agents = {str(pk): name for pk, name in ledger.Agent.objects.filter(project=project).values_list("pk", "name")}
    customers = dict(ledger.Customer.objects.filter(project=project, pk__in=buyer_ids).values_list("pk", "name"))
    decided = [row for row in history if row.kind in (SaleLog.Kind.ACCEPTED, SaleLog.Kind.RULED)]
    return DealShown(
        unit=unit,
        seq=deal_seq,
        price=next((row.price for row in reversed(history) if row.price is not None), None),
        buyers=[customers.get(pk, "") for pk in buyer_ids],
        verdict=verdict,
        performance=_named(verdict.performance, names),
        commission=_named(verdict.commission, names),
        channel=_named(verdict.channel, agents),
        decision=decided[0] if decided else None,
        history=history,
    )


def deals_waiting(project: ledger.Project) -> list[int]:
    """Deals (their event numbers) with no decision of the manager yet, newest first."""
    decided = SaleLog.objects.filter(project=project, kind__in=["accepted", "ruled"]).values("deal_seq")
    return list(
        SaleLog.objects.filter(project=project, kind="deposit")
        .exclude(deal_seq__in=decided)
        .order_by("-seq")
        .values_list("deal_seq", flat=True)[:50]
    )


@dataclass(frozen=True, slots=True)
class DealMoneyShown:
    commission: Decimal
    collected: Decimal
    due: Decimal
    payments: list[tuple[object, Decimal, str]]  # (received on, amount, stage label)
    allocated: list[tuple[str, Decimal]]  # who has what of the commission now, by the lines (a ruling included)
    channel: list[tuple[str, Decimal]]  # each distributor's commission on the deal (C-6), apart from the above


def deal_money_shown(project: ledger.Project, deal_seq: int) -> DealMoneyShown | None:
    """A deal's money as the manager records payments: its commission, what was collected, what fell due."""
    from leadledger.money import models as money

    deal = money.DealMoney.objects.filter(project=project, deal__seq=deal_seq).first()
    if deal is None:
        return None
    payments = list(money.Payment.objects.filter(deal=deal.deal).order_by("received_on", "pk"))
    # what fell due of the consultants' commission by the schedule: the distributors' apart, and a leaver's
    # payout on leaving (IH-13) is theirs, not the deal's schedule
    due = (
        money.MoneyLine.objects.filter(event=deal.deal, kind="accrued")
        .exclude(account__startswith=money_rules.DISTRIBUTOR)
        .exclude(source__startswith="departure")
        .values_list("amount", flat=True)
    )
    names = {str(pk): name for pk, name in ledger.Staff.objects.filter(project=project).values_list("pk", "name")}
    names["pool"] = str(_("Department pool"))
    firms = {
        money_rules.distributor_account(pk): name
        for pk, name in ledger.Distributor.objects.filter(project=project).values_list("pk", "name")
    }
    totals: dict[str, Decimal] = {}
    for account, amount in money.MoneyLine.objects.filter(event=deal.deal, kind="allocation").values_list(
        "account", "amount"
    ):
        totals[account] = totals.get(account, Decimal(0)) + amount
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    return DealMoneyShown(
        commission=deal.commission,
        collected=sum((p.amount for p in payments), Decimal(0)),
        due=-sum(due, Decimal(0)),
        payments=[(p.received_on, p.amount, p.get_stage_display()) for p in payments],
        allocated=[(names.get(k, k), v) for k, v in ordered if v and not money_rules.is_distributor(k)],
        channel=[(firms.get(k, k), v) for k, v in ordered if v and money_rules.is_distributor(k)],
    )


_STAGES = {
    SaleLog.Kind.DEPOSIT: distributor.DEAL_SUBSCRIBED,
    SaleLog.Kind.SIGNING: distributor.DEAL_SIGNED,
    SaleLog.Kind.RETURN: distributor.DEAL_RETURNED,
}


def deal_stages(project: ledger.Project, deal_seqs: list[int]) -> dict[str, str]:
    """Where each deal stands in sales control, by its event id (the engine's `registration_status` reads it):
    the latest of its deposit, signing and return in the sales log. Deals the log does not know are left out."""
    if not deal_seqs:
        return {}
    rows = (
        SaleLog.objects.filter(project=project, deal_seq__in=deal_seqs, kind__in=list(_STAGES))
        .order_by("seq")
        .values_list("deal_seq", "kind")
    )
    return {f"e{seq}": _STAGES[kind] for seq, kind in rows}


@dataclass(frozen=True, slots=True)
class DealListed:
    """A deal in a list: its deposit (认购), the unit, the latest price, the closing consultant, the unit's
    status now (a later deposit on a returned unit is another deal) and whether the manager decided it."""

    seq: int
    at: Any
    unit: str
    price: Any
    staff: int | None
    staff_name: str
    status: str
    decided: bool


def deals_listed(
    project: ledger.Project, *, start: Any = None, end: Any = None, staff: int | None = None
) -> QuerySet[SaleLog]:
    """The deposits (each opens a deal) of the project, newest first: within [start, end) when given, of
    one closing consultant when given. Paged by the caller; `deals_shown_in_list` reads a page's rows."""
    rows = SaleLog.objects.filter(project=project, kind=SaleLog.Kind.DEPOSIT)
    if start is not None:
        rows = rows.filter(at__gte=start, at__lt=end)
    if staff is not None:
        rows = rows.filter(staff_id=staff)
    return rows.order_by("-seq")


def deals_shown_in_list(project: ledger.Project, deposits: list[SaleLog]) -> list[DealListed]:
    seqs = [row.deal_seq for row in deposits]
    later = SaleLog.objects.filter(project=project, deal_seq__in=seqs).order_by("seq")
    price: dict[int | None, Any] = {}
    status: dict[int | None, str] = {}
    decided: set[int | None] = set()
    for row in later:
        if row.price is not None:
            price[row.deal_seq] = row.price
        if row.kind in (SaleLog.Kind.DEPOSIT, SaleLog.Kind.SIGNING, SaleLog.Kind.RETURN):
            status[row.deal_seq] = row.kind
        if row.kind in (SaleLog.Kind.ACCEPTED, SaleLog.Kind.RULED):
            decided.add(row.deal_seq)
    units = {u.pk: str(u) for u in Unit.objects.select_related("building").filter(pk__in=[r.unit_id for r in deposits])}
    names = dict(ledger.Staff.objects.filter(project=project).values_list("pk", "name"))
    return [
        DealListed(
            seq=int(row.deal_seq or 0),
            at=row.at,
            unit=units.get(row.unit_id, ""),
            price=price.get(row.deal_seq),
            staff=row.staff_id,
            staff_name=names.get(row.staff_id, ""),
            status=status.get(row.deal_seq, SaleLog.Kind.DEPOSIT),
            decided=row.deal_seq in decided,
        )
        for row in deposits
    ]

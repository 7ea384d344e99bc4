"""Everything that writes units and their sales log: listing, deposit (认购), signing (签约), return (退房).

Each move is one conditional UPDATE of the unit from the statuses the engine allows (engine/units.py):
of two deposits on one unit at the same moment the database lets exactly one through, on SQLite (the
IMMEDIATE transaction queues writers) and on PostgreSQL (the second UPDATE waits for the first's row
lock, then finds the unit taken). Never a read-then-write.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import money as money_rules
from leadledger.engine import units
from leadledger.engine.errors import DomainError
from leadledger.engine.model import DEAL, HELP_KINDS, body_for
from leadledger.engine.text import reason_checked, whole_id
from leadledger.ledger import logchain
from leadledger.ledger import models as ledger
from leadledger.ledger import services as ledger_services
from leadledger.money import services as money_services

from .models import Building, SaleLog, Unit

CENT = Decimal("0.01")


def money(value: Any, *, field: str = "price") -> Decimal:
    """A price in yuan to the fen, as typed ("1,280,000" or "1280000.5"), or the user's error."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        raise DomainError("请填写金额（元）", "enter an amount in yuan", field=field) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise DomainError("金额必须大于零", "the amount must be more than zero", field=field)
    return amount.quantize(CENT)


def _log(unit: Unit, kind: str, *, user: Any, **values: Any) -> SaleLog:
    row: SaleLog = logchain.chained_append(
        logchain.SALES,
        project=unit.project,
        unit=unit,
        kind=kind,
        user=user,
        at=values.pop("at", None) or timezone.now(),
        **values,
    )
    return row


def unit_list(
    *, by: ledger.Staff, building: str, floor: int, number: str, area: Decimal, list_price: Decimal, user: Any
) -> Unit:
    """Put one unit on sale (from the units file): its building, floor, number, area and list price."""
    capabilities.require(by, capabilities.RECORD_DEAL)
    with transaction.atomic():
        found, _ = Building.objects.get_or_create(project=by.project, name=building)
        if Unit.objects.filter(building=found, number=number).exists():
            raise DomainError(
                f"{building}{number}已在销控表中", f"{building} {number} is already listed", field="number"
            )
        unit = Unit.objects.create(
            project=by.project, building=found, floor=floor, number=number, area=area, list_price=list_price
        )
        _log(unit, SaleLog.Kind.LISTED, user=user, price=list_price.quantize(CENT), staff=by)
    return unit


@dataclass(frozen=True, slots=True)
class Subscription:
    unit: Unit
    deal: ledger.Event
    log: SaleLog


def _customer(project: ledger.Project, pk: Any, field: str) -> ledger.Customer:
    number = whole_id(pk)  # not str.isdigit(): "²" passes it and the database refuses it (found by fuzzing)
    found = ledger.Customer.objects.filter(project=project, pk=number).first() if number is not None else None
    if found is None:
        raise DomainError("没有这位客户", "there is no such customer", field=field)
    return found


def unit_deposit(
    *,
    by: ledger.Staff,
    unit_id: int,
    buyers: list[Any],
    price: Any,
    staff: Any = None,
    customer: Any = None,
    helper: Any = None,
    help: str | None = None,
    user: Any,
) -> Subscription:
    """Take a deposit on a unit (认购): the first deposit wins (S3 界定5 接待 11), and the deal is recorded.

    `buyers` are customer ids, the one who signs first; `customer` is the record the registration or
    confirmation it came under names (the buyer's own by default: D-5); `staff` the closing consultant
    (the one taking it by default); `helper` and `help` (decisive, signing_only) for C-4.
    """
    capabilities.require(by, capabilities.TAKE_DEPOSIT)
    project = by.project
    amount = money(price)
    if not buyers:
        raise DomainError("请选择购房客户", "choose the buyer", field="buyers")
    people = [_customer(project, pk, "buyers") for pk in dict.fromkeys(str(b) for b in buyers)]
    closer = capabilities.owner_candidate(project, staff if staff is not None else by.pk)
    named = _customer(project, customer, "customer") if customer not in (None, "") else people[0]
    aide = capabilities.owner_candidate(project, helper, field="helper") if helper not in (None, "") else None
    if aide is not None and (help not in HELP_KINDS or aide.pk == closer.pk):
        raise DomainError("请说明协助方式", "say how the colleague helped", field="help")
    body = body_for(
        DEAL,
        customer=str(named.pk),
        buyer=str(people[0].pk),
        staff=str(closer.pk),
        helper=str(aide.pk) if aide is not None else None,
        help=help if aide is not None else None,
    )
    now = timezone.now()
    with transaction.atomic():
        # S3 界定5 接待 11: the unit moves only if still free at this instant; whoever comes second finds it taken.
        moved = Unit.objects.filter(pk=unit_id, project=project, status__in=units.move_from(units.TAKE_DEPOSIT)).update(
            status=units.move_to(units.TAKE_DEPOSIT), staff=closer, changed_at=now
        )
        if not moved:
            _refuse_taken(project, unit_id)
        unit = Unit.objects.select_related("building", "project").get(pk=unit_id)
        deal = ledger_services.event_append(project=project, kind=DEAL, body=body, actor=user)
        unit.deal_seq = deal.seq
        unit.save(update_fields=["deal_seq"])
        row = _log(
            unit,
            SaleLog.Kind.DEPOSIT,
            user=user,
            price=amount,
            staff=closer,
            buyers=[str(p.pk) for p in people],
            deal_seq=deal.seq,
        )
        # C-7: the deal's commission is allocated at once by the project's plan (decisions 380, 381).
        money_services.post_deal(deal, amount)
    return Subscription(unit=unit, deal=deal, log=row)


def _refuse_taken(project: ledger.Project, unit_id: int) -> None:
    unit = Unit.objects.select_related("building").filter(pk=unit_id, project=project).first()
    if unit is None:
        raise DomainError("没有这个房号", "there is no such unit", field="unit")
    raise DomainError(
        f"{unit.building.name}{unit.number}已被认购：以先落定者为准，任何人不能为客户保留房号（S3 界定5）",
        f"{unit.building.name} {unit.number} is already taken: the first deposit wins, nobody may hold a unit (S3)",
        field="unit",
    )


def _move(by: ledger.Staff, unit_id: int, move: str, *, user: Any, **values: Any) -> SaleLog:
    project = by.project
    with transaction.atomic():
        unit = Unit.objects.select_related("building", "project").filter(pk=unit_id, project=project).first()
        if unit is None:
            raise DomainError("没有这个房号", "there is no such unit", field="unit")
        moved = Unit.objects.filter(pk=unit.pk, status__in=units.move_from(move), deal_seq=unit.deal_seq).update(
            status=units.move_to(move), staff=by, changed_at=timezone.now()
        )
        if not moved:
            raise DomainError(
                f"{unit.building.name}{unit.number}当前状态不能这样操作",
                f"{unit.building.name} {unit.number} cannot take this step in its present status",
                field="unit",
            )
        return _log(unit, move, user=user, staff=by, deal_seq=unit.deal_seq, **values)


def _deal_event(row: SaleLog) -> ledger.Event:
    return ledger.Event.objects.get(project_id=row.project_id, seq=row.deal_seq)


def unit_sign(*, by: ledger.Staff, unit_id: int, price: Any, user: Any) -> SaleLog:
    """Record the contract (签约) of a unit under its subscription, at the contract price: 签约 is
    reached for its commission, re-priced if the contract price differs (decision 380)."""
    capabilities.require(by, capabilities.RECORD_DEAL)
    amount = money(price)
    with transaction.atomic():
        row = _move(by, unit_id, units.SIGN, user=user, price=amount)
        money_services.deal_signed(_deal_event(row), amount)
    return row


def unit_return(*, by: ledger.Staff, unit_id: int, reason: str, user: Any) -> SaleLog:
    """Record a return (退房): the unit is for sale again, and its deal's lines are reversed (clawback)."""
    capabilities.require(by, capabilities.RECORD_DEAL)
    note = reason_checked(reason)
    if not note:
        raise DomainError("退房必须说明原因", "a return needs a reason", field="reason")
    with transaction.atomic():
        row = _move(by, unit_id, units.RETURN, user=user, note=note)
        event = _deal_event(row)
        if money_services.deal_money(event) is not None:
            money_services.unit_returned(event)
    return row


def _ruled_shares(project: ledger.Project, shares: Mapping[Any, Any]) -> dict[str, Fraction]:
    """The commission shares a manager rules, typed as percentages per consultant ("60", "40")."""
    ruled: dict[str, Fraction] = {}
    for staff, percent in shares.items():
        if staff in (None, "") or str(percent).strip() == "":
            continue
        who = capabilities.owner_candidate(project, staff, field="shares")
        try:
            share = Fraction(Decimal(str(percent).replace("%", "").strip())) / 100
        except (InvalidOperation, ValueError):
            raise DomainError("请填写百分比", "enter a percentage", field="shares") from None
        ruled[str(who.pk)] = ruled.get(str(who.pk), Fraction(0)) + share
    try:
        money_rules.ruling_split({}, ruled)
    except money_rules.PlanError:
        raise DomainError(
            "各人佣金比例须大于零，合计不超过100%，其余归部门奖金池",
            "each share above zero, all together at most 100%; the rest goes to the pool",
            field="shares",
        ) from None
    return ruled


def deal_decide(
    *,
    manager: ledger.Staff,
    deal_seq: int,
    accept: bool,
    reason: str = "",
    shares: Mapping[Any, Any] | None = None,
    user: Any,
) -> SaleLog:
    """The manager accepts the engine's answer on a deal, or rules otherwise with a reason (IH-16): the
    ruling may give the commission other shares (percent per consultant, the rest to the pool), and
    the deal's money lines are re-allocated by them (decision 383)."""
    capabilities.require(manager, capabilities.RULE)
    note = reason_checked(reason)
    if not accept and not note:
        raise DomainError("裁定必须说明理由", "a ruling needs a reason", field="reason")
    ruled = _ruled_shares(manager.project, shares or {}) if not accept else {}
    unit = Unit.objects.select_related("project").filter(project=manager.project, deal_seq=deal_seq).first()
    if unit is None:
        raise DomainError("没有这笔成交", "there is no such deal")
    kind = SaleLog.Kind.ACCEPTED if accept else SaleLog.Kind.RULED
    with transaction.atomic():
        decided = SaleLog.objects.filter(project=manager.project, deal_seq=deal_seq, kind__in=["accepted", "ruled"])
        if decided.exists():
            raise DomainError("这笔成交已有经理的决定", "the manager has already decided this deal")
        row = _log(unit, kind, user=user, staff=manager, deal_seq=deal_seq, note=note)
        if ruled:
            event = _deal_event(row)
            if money_services.deal_money(event) is None:
                raise DomainError(
                    "本项目尚未设定佣金方案，不能裁定佣金比例",
                    "the project has no commission plan to rule on",
                    field="shares",
                )
            money_services.deal_ruled(event, ruled)
        return row


def deal_payment(*, by: ledger.Staff, deal_seq: int, amount: Any, received_on: Any, stage: str, user: Any) -> Any:
    """A payment received for a deal on a unit; commission due is counted per payment (engine/money.py)."""
    capabilities.require(by, capabilities.RECORD_DEAL)
    from leadledger.money.models import Payment

    if stage not in Payment.Stage.values:
        raise DomainError("请选择款项类别", "choose the kind of payment", field="stage")
    # 交房 (handover) is recorded as a payment of 0 naming it (decision 253)
    paid = (
        Decimal(0)
        if stage == Payment.Stage.HANDOVER and str(amount).strip() in ("", "0")
        else money(amount, field="amount")
    )
    try:
        on = date.fromisoformat(str(received_on))
    except ValueError:
        raise DomainError("请填写收款日期", "enter the date received", field="received_on") from None
    if on > timezone.localdate():
        raise DomainError("收款日期不能晚于今天", "the date received cannot be after today", field="received_on")
    unit = Unit.objects.filter(project=by.project, deal_seq=deal_seq).exclude(status=units.RETURNED).first()
    event = ledger.Event.objects.filter(project=by.project, seq=deal_seq, kind=DEAL).first()
    if unit is None or event is None:
        raise DomainError("没有这笔成交，或已退房", "there is no such deal, or its unit was returned")
    return money_services.record_payment(event, paid, on, stage=stage, user=user)

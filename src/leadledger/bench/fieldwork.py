"""The distribution team's field log (篇4): a salesperson's dealers and wholesalers, and each piece of
field work logged as it is done. What it counts toward is the engine's (engine/duties.py, decision 490)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from leadledger.engine.text import plain_text, whole_id
from leadledger.ledger import models as ledger

from .models import FieldWork, Trader

MOST_SHOPS = 200  # a round on foot in a day; more is a slip of the thumb
# What each kind of field work names: the kind of trader, and whether one must be named.
TRADER_OF = {
    d.STOCK_CHECK: (Trader.Kind.DEALER, True),
    d.WHOLESALER_CALL: (Trader.Kind.WHOLESALER, True),
    d.WHOLESALER_VISIT: (Trader.Kind.WHOLESALER, True),
    d.MARKET_ANALYSIS: (Trader.Kind.DEALER, False),
}


def traders_of(staff: ledger.Staff, kind: str | None = None) -> list[Trader]:
    """The dealers and wholesalers this person looks after, still served."""
    found = Trader.objects.filter(staff=staff, active=True)
    return list(found.filter(kind=kind) if kind else found)


def trader_add(*, by: ledger.Staff, kind: str, name: str) -> Trader:
    """A salesperson adds a dealer or wholesaler they look after; adding a dropped one takes it back."""
    capabilities.require(by, capabilities.WORKBENCH)
    if kind not in Trader.Kind.values:
        raise DomainError("请选择经销商或二级批发商", "choose dealer or secondary wholesaler", field="trader_kind")
    name = " ".join(plain_text(str(name), limit=100, what=("名称", "the name"), field="trader_name").split())
    if not name:
        raise DomainError("请填写名称", "give the name", field="trader_name")
    found, made = Trader.objects.get_or_create(
        project=by.project, staff=by, kind=kind, name=name, defaults={"active": True}
    )
    if not made and found.active:
        raise DomainError(f"已有{name}", f"{name} is already on your list", field="trader_name")
    if not made:
        found.active = True
        found.save(update_fields=["active"])
    return found


def trader_drop(*, by: ledger.Staff, trader_id: Any) -> Trader:
    """A trader no longer served leaves the lists the duties are owed to; the work logged with them stays."""
    capabilities.require(by, capabilities.WORKBENCH)
    found = Trader.objects.filter(staff=by, pk=_number(trader_id)).first()
    if found is None:
        raise DomainError("没有这个客户", "there is no such trader", field="trader")
    found.active = False
    found.save(update_fields=["active"])
    return found


def _number(value: Any) -> int | None:
    return whole_id(str(value or "").strip())


def _figure(value: Any, field: str, *, most: int | None = None) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if whole_id(text) is None or len(text) > 9 or (most is not None and int(text) > most):
        bound = f"0到{most}" if most is not None else "不小于0"
        raise DomainError(
            f"请填写{bound}的整数", f"enter a whole number{f' up to {most}' if most else ''}", field=field
        )
    return int(text)


def field_record(*, by: ledger.Staff, fields: dict[str, Any], now: datetime | None = None) -> FieldWork:
    """One piece of field work, logged now (篇4). A stock check's figures are optional (decision 490)."""
    capabilities.require(by, capabilities.WORKBENCH)
    kind = str(fields.get("kind", ""))
    if kind not in FieldWork.Kind.values:
        raise DomainError("请选择做了什么", "choose what you did", field="kind")
    trader = None
    if kind in TRADER_OF:
        trader_kind, needed = TRADER_OF[kind]
        picked = _number(fields.get("trader"))
        trader = Trader.objects.filter(staff=by, kind=trader_kind, active=True, pk=picked).first() if picked else None
        if trader is None and (needed or picked is not None):
            zh, en = ("经销商", "dealer") if trader_kind == Trader.Kind.DEALER else ("二级批发商", "wholesaler")
            raise DomainError(f"请选择{zh}", f"choose the {en}", field="trader")
    shops = None
    if kind == d.RETAIL_ROUND:
        shops = _figure(fields.get("shops"), "shops", most=MOST_SHOPS)
        if not shops:
            raise DomainError("请填写走访了几家店", "say how many shops you visited", field="shops")
    stock = sold = None
    if kind == d.STOCK_CHECK:
        stock = _figure(fields.get("stock"), "stock")
        sold = _figure(fields.get("sold"), "sold")
        if sold is not None and stock is None:
            raise DomainError("有销量时请同时填写库存", "give the stock too when you give the sales", field="stock")
    note = plain_text(str(fields.get("note", "")), limit=200, what=("备注", "the note"), field="note")
    with transaction.atomic():
        return FieldWork.objects.create(
            project=by.project,
            staff=by,
            kind=kind,
            trader=trader,
            shops=shops,
            stock=stock,
            sold=sold,
            note=note,
            at=now or timezone.now(),
        )

"""The collection diary and the monthly reconciliation with finance's figures (W-6).

Finance's figures come as an Excel sheet: a header row naming 客户 (the customer as finance names them),
then any of 应收 (billed), 已收 (collected), 核销 (written off). Every difference is the engine's
(engine/receivables.py `reconcile`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from leadledger import capabilities
from leadledger.engine import receivables
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger

from .models import CollectionEntry

HEADERS = {
    "客户": "customer",
    "应收": receivables.BILLED,
    "已收": receivables.COLLECTED,
    "核销": receivables.WRITTEN_OFF,
}
MAX_ROWS = 20_000


def _amount(value: Any, where: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(f"{where}不是金额：{value}", f"{where} is not an amount: {value}", field="file") from None
    if not amount.is_finite() or amount < 0:
        raise DomainError(f"{where}不是金额：{value}", f"{where} is not an amount: {value}", field="file")
    return amount


def finance_entries(content: bytes) -> list[receivables.Entry]:
    """Finance's month, read from their Excel sheet; a sheet that is not one says where it goes wrong."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise DomainError(
            "请上传财务的Excel文件（.xlsx）", "upload finance's Excel file (.xlsx)", field="file"
        ) from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(cell or "").strip() for cell in next(rows, ())]
    columns = {HEADERS[name]: i for i, name in enumerate(header) if name in HEADERS}
    if "customer" not in columns or len(columns) < 2:
        raise DomainError(
            "第一行须有“客户”和“应收”“已收”“核销”中的至少一列",
            "the first row must name 客户 and at least one of 应收, 已收, 核销",
            field="file",
        )
    found = []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise DomainError(f"最多{MAX_ROWS}行", f"at most {MAX_ROWS} rows", field="file")
        customer = str(row[columns["customer"]] or "").strip() if len(row) > columns["customer"] else ""
        if not customer:
            continue
        for figure, i in columns.items():
            if figure != "customer" and i < len(row) and row[i] not in (None, ""):
                found.append(receivables.Entry(customer, figure, _amount(row[i], f"第{number}行")))
    return found


def diary_entries(project: ledger.Project, first: date, last: date) -> list[receivables.Entry]:
    rows = CollectionEntry.objects.filter(
        project=project, day__gte=first, day__lte=last, figure__in=receivables.FIGURES, amount__isnull=False
    ).values_list("customer", "figure", "amount")
    return [receivables.Entry(customer, figure, amount) for customer, figure, amount in rows]


def entry_record(*, by: ledger.Staff, fields: dict[str, Any]) -> CollectionEntry:
    """A line of the collection diary: a call needs no amount; every other entry does."""
    capabilities.require(by, capabilities.WORKBENCH)
    customer = str(fields.get("customer", "")).strip()
    if not customer:
        raise DomainError("请填写客户", "name the customer", field="customer")
    figure = str(fields.get("figure", ""))
    if figure not in CollectionEntry.Figure.values:
        raise DomainError("请选择记录类型", "choose what the entry is", field="figure")
    try:
        day = date.fromisoformat(str(fields.get("day", "")))
    except ValueError:
        raise DomainError("请填写日期", "enter a date", field="day") from None
    amount = None
    if figure != CollectionEntry.Figure.CALL:
        amount = _amount(fields.get("amount", ""), "金额").quantize(receivables.FEN)
    return CollectionEntry.objects.create(
        project=by.project,
        customer=customer,
        figure=figure,
        amount=amount,
        day=day,
        note=str(fields.get("note", "")).strip()[:200],
        staff=by,
    )


def ageing_of(project: ledger.Project, on: date) -> dict[str, Decimal]:
    """W-6: everything still owed on `on`, by how long past due (a bill's diary day is its due day)."""
    billed: dict[str, list[tuple[date, Decimal]]] = {}
    settled: dict[str, Decimal] = {}
    rows = CollectionEntry.objects.filter(project=project, day__lte=on, amount__isnull=False).values_list(
        "customer", "figure", "amount", "day"
    )
    for customer, figure, amount, day in rows:
        if figure == receivables.BILLED:
            billed.setdefault(customer, []).append((day, amount))
        elif figure in (receivables.COLLECTED, receivables.WRITTEN_OFF):
            settled[customer] = settled.get(customer, Decimal(0)) + amount
    owed = [
        row
        for customer, bills in billed.items()
        for row in receivables.outstanding(bills, settled.get(customer, Decimal(0)))
    ]
    return receivables.ageing(owed, on)


def collection_by_person(
    project: ledger.Project, first: date, last: date, staff_ids: Iterable[int]
) -> dict[int, receivables.Collection]:
    """W-6, decision 492: each of these people's collection rate of the period, over the customers whose
    first bill they entered in the diary (the customer's collector). Reads only the diary lines of the
    customers these people ever billed, not the project's whole diary."""
    people = set(staff_ids)
    billed_by_them = CollectionEntry.objects.filter(
        project=project, staff_id__in=people, figure=receivables.BILLED, day__lte=last
    ).values("customer")
    rows = list(
        CollectionEntry.objects.filter(
            project=project,
            customer__in=billed_by_them,
            day__lte=last,
            figure__in=receivables.FIGURES,
            amount__isnull=False,
        )
        .order_by("day", "pk")
        .values_list("customer", "figure", "amount", "day", "staff_id")
    )
    collector: dict[str, int] = {}
    for customer, figure, _amount, _day, staff in rows:
        if figure == receivables.BILLED:
            collector.setdefault(customer, staff)
    each = receivables.collections_of(((c, f, a, d) for c, f, a, d, _ in rows), first, last)
    found: dict[int, receivables.Collection] = {}
    for customer, share in each.items():
        who = collector.get(customer)
        if who in people:
            found[who] = found.get(who, receivables.NOTHING) + share
    return found

"""Deals and statements for the office's staff (issue 16), read-only, as their pages show them.

The same selectors as the pages (sales.selectors.deal_shown, money.selectors.statement) and the same
capabilities (capabilities.py): a deal for whoever may open the deal page (take deposits), a statement
for its consultant, anyone's for a manager who approves. Money is Decimal, sent as a string.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError

from leadledger import capabilities
from leadledger.ledger import models as ledger
from leadledger.money import selectors as money
from leadledger.sales import selectors as sales

from .auth import staff_token
from .errors import Error
from .speech import lang_of

router = Router(tags=["deals and statements"])


class Share(Schema):
    name: str
    share: str = Field(..., description="an exact fraction, e.g. 1/2")


class DealOut(Schema):
    deal: int
    unit: str
    price: str | None = Field(None, description="yuan, exact decimal")
    buyers: list[str]
    sentence: str = Field(..., description="the engine's verdict in one sentence")
    cites: list[str]
    performance: list[Share]
    commission: list[Share]
    channel: list[Share]
    decided: bool


class StatementOut(Schema):
    staff: int
    name: str
    month: str
    deals: int
    performance: str
    commission: str
    due: str
    paid: str
    fines: str
    rewards: str
    forfeited: str
    points: int
    days: int


def _shares(pairs: list[tuple[str, Fraction]]) -> list[Share]:
    return [Share(name=name, share=str(share)) for name, share in pairs]


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


class DealListed(Schema):
    deal: int
    at: datetime = Field(..., description="the deposit (认购) that opened the deal")
    unit: str
    price: str | None = Field(None, description="yuan, exact decimal: the latest (the contract's once signed)")
    consultant: int | None = Field(None, description="the closing consultant's staff id")
    consultant_name: str
    status: str = Field(..., description="deposit, signing or return: the deal's last move")
    decided: bool = Field(..., description="the manager has accepted the engine's answer or ruled otherwise")


class DealPage(Schema):
    items: list[DealListed]
    page: int
    size: int
    total: int


MONTH = r"^(20\d\d)-(0[1-9]|1[0-2])$"


@router.get(
    "/deals", response={200: DealPage, 400: Error, 401: Error, 403: Error, 422: Error}, summary="Deals, newest first"
)
def deals(
    request: HttpRequest,
    month: Annotated[str, Query(pattern=MONTH, description="YYYY-MM: deals whose deposit was in that month")]
    | None = None,
    consultant: Annotated[int, Query(ge=1, le=2**62, description="the closing consultant's staff id")] | None = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 50,
) -> DealPage:
    """The project's deals as the sales board lists them, for whoever may open a deal page (take deposits)."""
    token, _staff = staff_token(request, capabilities.TAKE_DEPOSIT)
    start = end = None
    if month is not None:
        year, number = (int(part) for part in month.split("-"))
        start, end = money.month_bounds(token.project, year, number)
    rows = sales.deals_listed(token.project, start=start, end=end, staff=consultant)
    first = (page - 1) * size
    shown = sales.deals_shown_in_list(token.project, list(rows[first : first + size]))
    items = [
        DealListed(
            deal=row.seq,
            at=row.at,
            unit=row.unit,
            price=_money(row.price) if row.price is not None else None,
            consultant=row.staff,
            consultant_name=row.staff_name,
            status=row.status,
            decided=row.decided,
        )
        for row in shown
    ]
    return DealPage(items=items, page=page, size=size, total=rows.count())


@router.get(
    "/deals/{seq}",
    response={200: DealOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="One deal",
)
def deal(request: HttpRequest, seq: Annotated[int, Path(ge=1, le=2**62)]) -> DealOut:
    """A deal as the deal page shows it: unit, price, buyers, the engine's split and its sentence."""
    token, _staff = staff_token(request, capabilities.TAKE_DEPOSIT)
    shown = sales.deal_shown(token.project, seq)
    if shown is None:
        raise HttpError(404, "not found")
    return DealOut(
        deal=shown.seq,
        unit=str(shown.unit),
        price=_money(shown.price) if shown.price is not None else None,
        buyers=shown.buyers,
        sentence=shown.verdict.explain(lang_of(request)),
        cites=list(shown.verdict.cites),
        performance=_shares(shown.performance),
        commission=_shares(shown.commission),
        channel=_shares(shown.channel),
        decided=shown.decision is not None,
    )


@router.get(
    "/statements",
    response={200: StatementOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="A month's statement",
)
def statement(
    request: HttpRequest,
    month: Annotated[str, Query(pattern=r"^(20\d\d)-(0[1-9]|1[0-2])$", description="YYYY-MM; this month if absent")]
    | None = None,
    staff: Annotated[int, Query(ge=1, le=2**62, description="whose (a manager's choice); one's own if absent")]
    | None = None,
) -> StatementOut:
    """A consultant's statement for a month, as the statement page shows it; a manager may ask for anyone's."""
    token, me = staff_token(request, capabilities.SEE_CUSTOMERS)
    whose = me
    if staff is not None and staff != me.pk:
        found = ledger.Staff.objects.filter(project=token.project, pk=staff).first()
        if not capabilities.can(me, capabilities.APPROVE) or found is None:
            raise HttpError(404, "not found")  # another's statement, or nobody's: the same answer
        whose = found
    if month is None:
        today = timezone.localtime(timezone.now()).date()
        year, number = today.year, today.month
    else:
        year, number = (int(part) for part in month.split("-"))
    figures = money.statement(whose, year, number)
    return StatementOut(
        staff=whose.pk,
        name=whose.name,
        month=f"{year}-{number:02d}",
        deals=figures.deals,
        performance=_money(figures.performance),
        commission=_money(figures.commission),
        due=_money(figures.due),
        paid=_money(figures.paid),
        fines=_money(figures.fines),
        rewards=_money(figures.rewards),
        forfeited=_money(figures.forfeited),
        points=figures.points,
        days=figures.days,
    )

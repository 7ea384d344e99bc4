"""Deals and statements for the office's staff (issue 16), read-only, as their pages show them; a distributor's
statement also for the company's own token.

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
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger
from leadledger.money import selectors as money
from leadledger.sales import selectors as sales

from .auth import staff_token, token_of
from .errors import Error
from .models import Token
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


def _month_of(month: str | None) -> tuple[int, int]:
    """The month asked for (YYYY-MM, checked by the schema), else this month."""
    if month is None:
        today = timezone.localtime(timezone.now()).date()
        return today.year, today.month
    year, number = (int(part) for part in month.split("-"))
    return year, number


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
    year, number = _month_of(month)
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


class ChannelDealOut(Schema):
    deal: int
    at: datetime = Field(..., description="the deposit (认购) that opened the deal")
    unit: str
    price: str = Field(..., description="yuan, exact decimal")
    customer: str = Field(..., description="masked, as the statement page shows it: 陈* 139****0011")
    commission: str = Field(..., description="this month's commission of the company on the deal")
    returned: bool


class DistributorStatementOut(Schema):
    distributor: int
    name: str
    month: str
    earned: str = Field(..., description="allocated this month by deals and re-pricing")
    reversed: str = Field(..., description="taken back this month by returned units")
    commission: str = Field(..., description="earned less reversed")
    due: str = Field(..., description="fell due this month")
    paid: str
    owing: str = Field(..., description="due and not paid at the month's end (negative: owed back)")
    deals: list[ChannelDealOut]


def _company(token: Token, wanted: int | None) -> ledger.Distributor:
    """The company whose statement the token may read (C-6): its own for a distributor's token (the company's
    admin agent or its integration, as the agents' statement page), any of the project's for a staff token
    with channel_money (decision 472). Another company, or none, is "not found" alike."""
    if token.staff is not None:
        if not capabilities.can(token.staff, capabilities.CHANNEL_MONEY):
            raise HttpError(403, "forbidden")
        if wanted is None:
            raise DomainError("请选择分销商", "choose the distributor", field="distributor")
        found = ledger.Distributor.objects.filter(project=token.project, pk=wanted).first()
        if found is None:
            raise HttpError(404, "not found")
        return found
    if token.agent is not None and not token.agent.admin:
        raise HttpError(403, "forbidden")  # decision 180: an agent who is not the company's admin sees no money
    own_id = token.agent.distributor_id if token.agent is not None else token.distributor_id
    if own_id is None or (wanted is not None and wanted != own_id):
        raise HttpError(404, "not found")
    return ledger.Distributor.objects.get(pk=own_id)


@router.get(
    "/distributor-statements",
    response={200: DistributorStatementOut, 400: Error, 401: Error, 403: Error, 404: Error, 422: Error},
    summary="A distributor's month",
)
def distributor_statement(
    request: HttpRequest,
    month: Annotated[str, Query(pattern=r"^(20\d\d)-(0[1-9]|1[0-2])$", description="YYYY-MM; this month if absent")]
    | None = None,
    distributor: Annotated[
        int, Query(ge=1, le=2**62, description="which company (staff tokens; a distributor's token: its own)")
    ]
    | None = None,
) -> DistributorStatementOut:
    """A distribution company's statement for a month, the figures of its statement page (one selector)."""
    firm = _company(token_of(request), distributor)
    year, number = _month_of(month)
    s = money.distributor_statement(firm, year, number)
    return DistributorStatementOut(
        distributor=firm.pk,
        name=firm.name,
        month=f"{year}-{number:02d}",
        earned=_money(s.earned),
        reversed=_money(s.reversed),
        commission=_money(s.commission),
        due=_money(s.due),
        paid=_money(s.paid),
        owing=_money(s.owing),
        deals=[
            ChannelDealOut(
                deal=deal.seq,
                at=deal.at,
                unit=deal.unit,
                price=_money(deal.price),
                customer=deal.customer,
                commission=_money(deal.commission),
                returned=deal.returned,
            )
            for deal in s.deals
        ],
    )

"""Sales control's pages: the board (销控表), a unit's deposit, signing and return, a deal's review."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.engine.model import HELP_KINDS
from leadledger.ledger import models as ledger
from leadledger.money.models import Payment
from leadledger.web import access
from leadledger.web import selectors as web_selectors
from leadledger.web.speech import said

from . import selectors, services, units_file
from .models import Unit

RULING_ROWS = 3  # consultants a ruling may share a deal's commission between (S3's disputes name two or three)
board_page = access.capability_page(capabilities.SEE_CUSTOMERS)
deposit_page = access.capability_page(capabilities.TAKE_DEPOSIT)
record_page = access.capability_page(capabilities.RECORD_DEAL)
rule_page = access.capability_page(capabilities.RULE)


def _floor_html(request: access.ProjectRequest, units: list[dict[str, object]], words: dict[str, str]) -> str:
    """A floor's units as HTML, built here: 3,000 units through the template engine took seconds (benchmarks)."""
    href = reverse("sales_unit", kwargs={"project": request.project.code, "pk": 0})[:-2]
    cells = []
    for unit in units:
        status = str(unit["status"])
        number, staff = escape(unit["number"]), escape(unit["staff"]) if status != "available" else ""
        price = f"{unit['price']:,.0f}"
        inner = (
            f'<b>{number}</b><span class="state">{words[status]}</span>'
            f'<span class="muted">{unit["area"]}㎡ · {price}{" · " + staff if staff else ""}</span>'
        )
        if status in ("available", "returned"):  # S3 界定5 接待 11: open to the first deposit
            cells.append(f'<a class="unit {status}" data-unit="{number}" href="{href}{unit["id"]}/">{inner}</a>')
        else:
            cells.append(f'<span class="unit {status}" data-unit="{number}">{inner}</span>')
    return "".join(cells)


def _board_context(request: access.ProjectRequest) -> dict[str, object]:
    version = f"{get_language()}-{selectors.board_version(request.project)}"
    words = {status: escape(str(label)) for status, label in Unit.Status.choices}
    buildings = [
        {
            "name": building.name,
            "counts": building.counts,
            "floors": [(floor.floor, mark_safe(_floor_html(request, floor.units, words))) for floor in building.floors],
        }
        for building in selectors.board(request.project)
    ]
    return {"version": version, "buildings": buildings}


@board_page
def sales_board(request: access.ProjectRequest) -> HttpResponse:
    context = {**_board_context(request), "may_record": capabilities.RECORD_DEAL in request.capabilities}
    return render(request, "sales/board_page.html", context)


@require_POST
@record_page
def sales_units_upload(request: access.ProjectRequest) -> HttpResponse:
    """The units file (Excel: 楼栋, 楼层, 房号, 面积, 表价) put on sale, all or nothing."""
    upload = request.FILES.get("file")
    try:
        if upload is None or not upload.name.lower().endswith(".xlsx"):
            raise DomainError("请选择 .xlsx 格式的销控表", "choose the units file (.xlsx)", field="file")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "units.xlsx"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            count = units_file.units_list_file(by=request.staff, path=path, user=request.user)
    except DomainError as refused:
        # Under the file field, with the page as it was (issue 16): the refusal names the rows to fix.
        context = {**_board_context(request), "may_record": True, "errors": {"file": said(refused)}}
        return render(request, "sales/board_page.html", context, status=400)
    messages.success(request, _("%(count)s units are on sale.") % {"count": count})
    # "#top": the form's own fragment (#units-upload) would otherwise follow the redirect, below the board
    return redirect(reverse("sales_board", kwargs={"project": request.project.code}) + "#top")


@board_page
def sales_board_refresh(request: access.ProjectRequest) -> HttpResponse:
    """The board's refresh, every 2 s from everyone watching: one small query and nothing (204) when unchanged."""
    version = f"{get_language()}-{selectors.board_version(request.project)}"
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return render(request, "sales/board.html", _board_context(request))


def _unit(request: access.ProjectRequest, unit: int) -> Unit:
    found = Unit.objects.select_related("building").filter(project=request.project, pk=unit).first()
    if found is None:
        raise Http404
    return found


def _buyers(request: access.ProjectRequest) -> list[tuple[int, str]]:
    """The customers this person may take a deposit for: their own, or every customer for a manager."""
    people = ledger.Customer.objects.filter(project=request.project)
    if capabilities.RULE not in request.capabilities:
        people = people.filter(verdict__owners__has_key=str(request.staff.pk))
    return [
        (pk, f"{name} {web_selectors.masked(phone)}")
        for pk, name, phone in people.order_by("name", "pk").values_list("pk", "name", "phone")[:500]
    ]


@deposit_page
def sales_unit(request: access.ProjectRequest, pk: int) -> HttpResponse:
    found = _unit(request, pk)
    error = None
    if request.method == "POST":
        try:
            done = services.unit_deposit(
                by=request.staff,
                unit_id=found.pk,
                buyers=request.POST.getlist("buyers"),
                price=request.POST.get("price", ""),
                staff=request.POST.get("staff") or None,
                customer=request.POST.get("customer") or None,
                helper=request.POST.get("helper") or None,
                help=request.POST.get("help") or None,
                user=request.user,
            )
        except DomainError as refused:
            error = refused
            found = _unit(request, pk)  # as it is now: taken by whoever came first, the form no longer offered
        else:
            messages.success(request, _("Deposit taken on %(unit)s.") % {"unit": str(done.unit)})
            return redirect("sales_deal", project=request.project.code, pk=done.deal.seq)
    return render(
        request,
        "sales/unit.html",
        {
            "unit": found,
            "error": said(error) if error else "",
            "field": error.field if error else "",
            "deposit_fields": ("buyers", "customer", "price", "help", "helper"),  # said under the field
            "buyers": _buyers(request),
            "consultants": capabilities.owner_candidates(request.project),
            "helps": HELP_KINDS,
            "posted": request.POST,
            "may_record": capabilities.RECORD_DEAL in request.capabilities,
        },
        status=400 if error else 200,
    )


# The deal page's forms and their fields: a refusal is said under its field, or atop its form when it is
# about no field of it (the unit taken meanwhile, a deal already decided).
DEAL_FORMS = {
    "signing": ("price",),
    "return": ("reason",),
    "payment": ("amount", "received_on", "stage"),
    "decide": ("reason", "shares"),
}


@deposit_page
def sales_deal(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _deal_page(request, pk)


def _deal_page(
    request: access.ProjectRequest, pk: int, *, form: str = "", refused: DomainError | None = None
) -> HttpResponse:
    """The deal; after a refused form, the page again with that form as typed and the error under its field."""
    shown = selectors.deal_shown(request.project, pk)
    if shown is None:
        raise Http404
    lang = "zh" if get_language().startswith("zh") else "en"
    errors: dict[str, str] = {}
    if refused is not None:
        field = refused.field if refused.field in DEAL_FORMS[form] else "form"
        errors[f"{form}_{field}"] = said(refused)
    typed = request.POST if form == "decide" else {}
    return render(
        request,
        "sales/deal.html",
        {
            "shown": shown,
            "sentence": shown.verdict.explain(lang),
            "cites": ", ".join(shown.verdict.cites),
            "may_rule": capabilities.RULE in request.capabilities,
            "consultants": capabilities.owner_candidates(request.project),
            "ruling_rows": [
                {"i": i, "staff": typed.get(f"share_staff_{i}", ""), "percent": typed.get(f"share_percent_{i}", "")}
                for i in range(RULING_ROWS)
            ],
            "may_record": capabilities.RECORD_DEAL in request.capabilities,
            "money": selectors.deal_money_shown(request.project, pk)
            if capabilities.RECORD_DEAL in request.capabilities
            else None,
            "stages": Payment.Stage.choices,
            "errors": errors,
            "typed": {form: request.POST} if refused is not None else {},
        },
        status=400 if refused is not None else 200,
    )


@require_POST
@record_page
def sales_unit_move(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """Sign (签约) or return (退房) a unit under its subscription."""
    found = _unit(request, pk)
    move = "signing" if request.POST.get("move") == "signing" else "return"
    try:
        if move == "signing":
            services.unit_sign(
                by=request.staff, unit_id=found.pk, price=request.POST.get("price", ""), user=request.user
            )
            messages.success(request, _("Signing recorded for %(unit)s.") % {"unit": str(found)})
        else:
            services.unit_return(
                by=request.staff, unit_id=found.pk, reason=request.POST.get("reason", ""), user=request.user
            )
            messages.success(request, _("Return recorded for %(unit)s: it is for sale again.") % {"unit": str(found)})
    except DomainError as refused:
        if found.deal_seq:
            return _deal_page(request, found.deal_seq, form=move, refused=refused)
        messages.error(request, said(refused))
    if found.deal_seq:
        return redirect("sales_deal", project=request.project.code, pk=found.deal_seq)
    return redirect("sales_board", project=request.project.code)


@require_POST
@record_page
def sales_deal_payment(request: access.ProjectRequest, pk: int) -> HttpResponse:
    """A payment received for a deal (回款, 首付, 按揭放款, 交房): what it makes due is posted at once."""
    try:
        services.deal_payment(
            by=request.staff,
            deal_seq=pk,
            amount=request.POST.get("amount", ""),
            received_on=request.POST.get("received_on", ""),
            stage=request.POST.get("stage", ""),
            user=request.user,
        )
    except DomainError as refused:
        return _deal_page(request, pk, form="payment", refused=refused)
    messages.success(request, _("Payment recorded; the commission it makes due is posted."))
    return redirect("sales_deal", project=request.project.code, pk=pk)


@require_POST
@rule_page
def sales_deal_decide(request: access.ProjectRequest, pk: int) -> HttpResponse:
    accept = request.POST.get("decision") == "accept"
    try:
        services.deal_decide(
            manager=request.staff,
            deal_seq=pk,
            accept=accept,
            reason=request.POST.get("reason", ""),
            shares={
                request.POST.get(f"share_staff_{i}"): request.POST.get(f"share_percent_{i}", "")
                for i in range(RULING_ROWS)
            },
            user=request.user,
        )
    except DomainError as refused:
        return _deal_page(request, pk, form="decide", refused=refused)
    messages.success(request, _("Deal accepted.") if accept else _("Your ruling on the deal is recorded."))
    return redirect("sales_deal", project=request.project.code, pk=pk)

"""The distribution team's field log (篇4): log a stock check, a wholesaler call or visit, a retail round,
a 旬 market analysis or a wholesaler meeting from a phone; keep the list of dealers and wholesalers."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import duties as d
from leadledger.engine.errors import DomainError
from leadledger.web import access
from leadledger.web.speech import pick, said

from . import fieldwork, selectors
from .models import FieldWork, Trader

bench_page = access.capability_page(capabilities.WORKBENCH)
FIELDS = ("kind", "trader", "shops", "stock", "sold", "note")
SHOWN = 50  # the month's latest entries; a phone's scroll


def _context(request: access.ProjectRequest, **more: object) -> dict[str, object]:
    zone = selectors.zone_of(request.project)
    month = d.period_of(d.MONTHLY, timezone.now().astimezone(zone).date())
    mine = fieldwork.traders_of(request.staff)
    since = datetime.combine(month.first, time(), tzinfo=zone)
    entries = FieldWork.objects.filter(staff=request.staff, at__gte=since).select_related("trader").order_by("-at")
    return {
        "kinds": FieldWork.Kind.choices,
        "dealers": [t for t in mine if t.kind == Trader.Kind.DEALER],
        "wholesalers": [t for t in mine if t.kind == Trader.Kind.WHOLESALER],
        "trader_kinds": Trader.Kind.choices,
        "entries": entries[:SHOWN],
        "form": {},
        "error": None,
        "trader_error": None,
        **more,
    }


@bench_page
def field_log(request: access.ProjectRequest) -> HttpResponse:
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in FIELDS}
        try:
            made = fieldwork.field_record(by=request.staff, fields=form)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
            return render(request, "bench/field.html", _context(request, form=form, error=error), status=422)
        what = str(made.get_kind_display())
        with_whom = f"：{made.trader.name}" if made.trader else ""
        messages.success(
            request,
            pick(f"已记下{what}{with_whom}", f"logged: {what}{f', {made.trader.name}' if made.trader else ''}"),
        )
        return redirect("bench_field", project=request.project.code)
    return render(request, "bench/field.html", _context(request))


@bench_page
def traders(request: access.ProjectRequest) -> HttpResponse:
    """Add a dealer or wholesaler to one's list, or drop one no longer served."""
    if request.method != "POST":
        return redirect("bench_field", project=request.project.code)
    try:
        if request.POST.get("action") == "drop":
            dropped = fieldwork.trader_drop(by=request.staff, trader_id=request.POST.get("trader"))
            messages.success(request, pick(f"已将{dropped.name}移出名单", f"{dropped.name} is off your list"))
        else:
            added = fieldwork.trader_add(
                by=request.staff, kind=request.POST.get("trader_kind", ""), name=request.POST.get("trader_name", "")
            )
            messages.success(request, pick(f"已将{added.name}加入名单", f"{added.name} is on your list"))
    except DomainError as problem:
        error = {"field": problem.field, "message": said(problem)}
        typed = {"trader_kind": request.POST.get("trader_kind", ""), "trader_name": request.POST.get("trader_name", "")}
        return render(request, "bench/field.html", _context(request, trader_error=error, typed=typed), status=422)
    return redirect("bench_field", project=request.project.code)

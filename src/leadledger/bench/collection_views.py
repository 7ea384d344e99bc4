"""The collection diary (W-6): its lines of the month, the bad-debt rate against 2%, and the manager's
monthly reconciliation with finance's Excel sheet listing every difference."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from leadledger import capabilities
from leadledger.engine import duties as d
from leadledger.engine import receivables
from leadledger.engine.errors import DomainError, EngineError
from leadledger.web import access
from leadledger.web.speech import pick, said

from . import collections, selectors
from .models import CollectionEntry

bench_page = access.capability_page(capabilities.WORKBENCH)
lead_page = access.capability_page(capabilities.LEAD_TEAM)
FIELDS = ("customer", "figure", "amount", "day", "note")
KIND_WORDS = {
    receivables.ONLY_OURS: ("财务没有", "not in finance's figures"),
    receivables.ONLY_FINANCE: ("台账没有", "not in the diary"),
    receivables.AMOUNT: ("金额不同", "amounts differ"),
}


def _today(request: access.ProjectRequest) -> date:
    return timezone.now().astimezone(selectors.zone_of(request.project)).date()


def _month(request: access.ProjectRequest) -> d.Period:
    today = _today(request)
    name = request.GET.get("month", request.POST.get("month", ""))
    try:
        return d.period_named(d.MONTHLY, name) if name else d.period_of(d.MONTHLY, today)
    except EngineError:
        return d.period_of(d.MONTHLY, today)


def _context(request: access.ProjectRequest, month: d.Period, **more: object) -> dict[str, object]:
    entries = collections.diary_entries(request.project, month.first, month.last)
    totals = receivables.totals_by_figure(entries)
    rate = receivables.bad_debt(totals[receivables.WRITTEN_OFF], totals[receivables.BILLED])
    lines = CollectionEntry.objects.filter(project=request.project, day__gte=month.first, day__lte=month.last)
    return {
        "month": month,
        "month_words": selectors.month_words(month),  # 2026年12月, never the key 2026-12
        "lines": lines.select_related("staff").order_by("-day", "-pk")[:200],
        "figures": CollectionEntry.Figure.choices,
        "totals": [
            (str(label), totals.get(value)) for value, label in CollectionEntry.Figure.choices if value in totals
        ],
        "rate": rate,
        "ageing": list(collections.ageing_of(request.project, min(month.last, _today(request))).items()),
        "form": {},
        "error": None,
        **more,
    }


@bench_page
def diary(request: access.ProjectRequest) -> HttpResponse:
    month = _month(request)
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in FIELDS}
        try:
            made = collections.entry_record(by=request.staff, fields=form)
        except DomainError as problem:
            error = {"field": problem.field, "message": said(problem)}
            return render(
                request, "bench/collections.html", _context(request, month, form=form, error=error), status=422
            )
        messages.success(
            request, pick(f"已记入{made.customer}的回款台账", f"entered in {made.customer}'s collection diary")
        )
        return redirect(f"{request.path}?month={month.name}")
    return render(request, "bench/collections.html", _context(request, month))


@lead_page
def reconcile(request: access.ProjectRequest) -> HttpResponse:
    """The month's diary against finance's sheet: every difference, per customer and figure."""
    month = _month(request)
    upload = request.FILES.get("file")
    if request.method != "POST" or upload is None:
        error = {"field": "file", "message": pick("请选择财务的Excel文件", "choose finance's Excel file")}
        return render(request, "bench/collections.html", _context(request, month, reconcile_error=error), status=422)
    try:
        theirs = collections.finance_entries(upload.read())
    except DomainError as problem:
        error = {"field": "file", "message": said(problem)}
        return render(request, "bench/collections.html", _context(request, month, reconcile_error=error), status=422)
    ours = collections.diary_entries(request.project, month.first, month.last)
    differences = [
        {"d": diff, "kind": pick(*KIND_WORDS[diff.kind]), "figure": str(CollectionEntry.Figure(diff.figure).label)}
        for diff in receivables.reconcile(ours, theirs)
    ]
    return render(request, "bench/collections.html", _context(request, month, differences=differences, reconciled=True))

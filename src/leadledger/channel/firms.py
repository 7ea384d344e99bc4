"""The channel team's distributor pages: each company, its figures (audit line 55), paused or resumed (decision 480)."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.desk import exports
from leadledger.engine import distributor as engine_distributor
from leadledger.engine.errors import DomainError
from leadledger.engine.text import whole_id
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.speech import lang, said

from . import distributors, performance


def _refusal_word(word: str) -> str:
    """D-12's word in the reader's language."""
    return word if lang() == "zh" else engine_distributor.REFUSALS_EN.get(word, word)


team_page = access.capability_page(capabilities.MANAGE_CHANNEL)


def _firm(request: access.ProjectRequest, pk: int) -> ledger.Distributor:
    return get_object_or_404(ledger.Distributor, pk=pk, project=request.project)


def _days(request: access.ProjectRequest) -> int:
    asked = whole_id(request.GET.get("days", ""))
    return asked if asked in performance.PERIODS else performance.DEFAULT_DAYS


def _percent(rate: Fraction | None) -> str:
    return "—" if rate is None else f"{float(rate) * 100:.0f}%"


def _rows(request: access.ProjectRequest, days: int) -> list[tuple[ledger.Distributor, performance.Figures]]:
    now = timezone.now()
    counted = performance.figures(request.project, now - timedelta(days=days), now)
    firms = ledger.Distributor.objects.filter(project=request.project).order_by("-active", "name")
    return [(firm, counted[firm.pk]) for firm in firms]


@team_page
def firm_list(request: access.ProjectRequest) -> HttpResponse:
    days = _days(request)
    rows = [
        (firm, figures, _percent(figures.visit_rate), _percent(figures.deal_rate))
        for firm, figures in _rows(request, days)
    ]
    return render(request, "channel/firms.html", {"rows": rows, "days": days, "periods": performance.PERIODS})


@team_page
def firm_list_xlsx(request: access.ProjectRequest) -> HttpResponse:
    """The distributors' figures as a spreadsheet (Excel), for the period the page shows."""
    days = _days(request)
    header = [
        _("Distributor"),
        pgettext("distributor", "Active"),
        _("Registrations"),
        _("Accepted"),
        _("Refused"),
        pgettext("figures", "Escorted visits"),
        _("Visits per registration"),
        _("Subscribed"),
        _("Signed"),
        _("Deals per visit"),
        _("Open cases"),
    ]
    rows = [
        [
            firm.name,
            _("yes") if firm.active else _("no"),
            figures.registrations,
            figures.accepted,
            figures.refused_total,
            figures.visits,
            _percent(figures.visit_rate),
            figures.subscribed,
            figures.signed,
            _percent(figures.deal_rate),
            figures.open_cases,
        ]
        for firm, figures in _rows(request, days)
    ]
    name = f"distributors-{request.project.code}-{days}d"
    return exports.xlsx_response(name, _("Distributors' figures"), header, rows)


def _firm_page(
    request: access.ProjectRequest, firm: ledger.Distributor, *, form: Any = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    days = _days(request)
    now = timezone.now()
    figures = performance.figures(request.project, now - timedelta(days=days), now)[firm.pk]
    context = {
        "firm": firm,
        "figures": figures,
        "visit_rate": _percent(figures.visit_rate),
        "deal_rate": _percent(figures.deal_rate),
        "refusals": [(word, _refusal_word(word), count) for word, count in figures.refusals],
        "cases": performance.open_cases(firm),
        "days": days,
        "periods": performance.PERIODS,
        "agents": firm.agents.order_by("name"),
        "switches": firm.switches.filter(agent__isnull=True)
        .select_related("by")
        .order_by("-at"),  # its agents' on theirs
        "form": form or {},
        "errors": errors or {},
    }
    return render(request, "channel/firm.html", context, status=status)


@team_page
def firm_page(request: access.ProjectRequest, pk: int) -> HttpResponse:
    return _firm_page(request, _firm(request, pk))


@require_POST
@team_page
def firm_switch(request: access.ProjectRequest, pk: int) -> HttpResponse:
    firm = _firm(request, pk)
    form = {"reason": str(request.POST.get("reason", "")), "confirmed": request.POST.get("confirmed") == "yes"}
    try:
        distributors.distributor_switch(
            staff=request.staff,
            distributor=firm,
            active=not firm.active,
            reason=form["reason"],
            confirmed=bool(form["confirmed"]),
        )
    except DomainError as error:
        return _firm_page(request, firm, form=form, errors={error.field or "reason": said(error)}, status=400)
    if firm.active:
        messages.success(
            request, _("%(name)s is active again: its agents may sign in and register.") % {"name": firm.name}
        )
    else:
        messages.success(
            request,
            _("%(name)s is paused: its agents and its tokens are refused until it is switched back on.")
            % {"name": firm.name},
        )
    return redirect("channel_firm", project=request.project.code, pk=firm.pk)

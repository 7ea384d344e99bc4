"""A distributor's monthly statement (C-6): the channel team's and manager's page (with the payout),
and the distributor admin's own page on the agents' side, showing only their company; each as Excel and PDF.

The figures are the selector's (money/selectors.py `distributor_statement`), sums of the money lines.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from leadledger import capabilities
from leadledger.desk.exports import XLSX
from leadledger.engine import money as rules
from leadledger.engine.text import whole_id
from leadledger.ledger.models import Distributor
from leadledger.web import access
from leadledger.web.documents import pdf_response

from . import exports, selectors, services
from .views import _month

channel_money_page = access.capability_page(capabilities.CHANNEL_MONEY)


def _chosen(request: access.ProjectRequest, firms: list[Distributor]) -> Distributor | None:
    """The distributor asked for (?distributor=), else the first; a number naming none is not found."""
    wanted = request.GET.get("distributor", "") or request.POST.get("distributor", "")
    if not wanted:
        return firms[0] if firms else None
    pk = whole_id(wanted)
    found = next((firm for firm in firms if firm.pk == pk), None)
    if found is None:
        raise Http404
    return found


def _own_company(request: access.ProjectRequest) -> Distributor:
    """The distributor admin's own company (decision 180): an agent who is not its admin sees no money."""
    agent = request.agent
    if agent is None or not agent.admin:
        raise PermissionDenied
    return Distributor.objects.get(pk=agent.distributor_id)


def _context(request: access.ProjectRequest, firm: Distributor) -> dict[str, Any]:
    year, month = _month(request)
    figures = selectors.distributor_statement(firm, year, month)
    return {
        "s": figures,
        "totals": exports.distributor_totals(figures),
        "lines": [(line, exports.kind_label(line.kind)) for line in figures.lines if line.kind != "accrued"],
        "month": f"{year}-{month:02d}",
    }


def _render(request: access.ProjectRequest, firm: Distributor | None, **extra: Any) -> HttpResponse:
    context: dict[str, Any] = {"firm": firm, **extra}
    if firm is not None:
        context.update(_context(request, firm))
    status = 400 if extra.get("errors") else 200
    return render(request, "money/distributor_statement.html", context, status=status)


@channel_money_page
def statement(request: access.ProjectRequest) -> HttpResponse:
    """Each distributor's month; the manager (or finance) pays it from what is due (decision 471)."""
    firms = list(Distributor.objects.filter(project=request.project).order_by("name"))
    firm = _chosen(request, firms)
    errors: dict[str, str] = {}
    if request.method == "POST" and firm is not None:
        try:
            paid = services.pay_distributor(firm, request.POST.get("amount", ""))
        except rules.PlanError as refused:
            errors = {"amount": refused.message(get_language() or "zh")}
        else:
            amount = next(line.amount for line in paid if line.kind == "paid")
            messages.success(request, _("Paid %(amount)s yuan to %(name)s.") % {"amount": amount, "name": firm.name})
            return redirect(f"{request.path}?distributor={firm.pk}&month={request.GET.get('month', '')}")
    return _render(request, firm, firms=firms, manager=True, errors=errors, typed=request.POST.get("amount", ""))


def _workbook(request: access.ProjectRequest, firm: Distributor) -> HttpResponse:
    year, month = _month(request)
    figures = selectors.distributor_statement(firm, year, month)
    response = HttpResponse(exports.distributor_workbook(figures), content_type=XLSX)
    name = f"{request.project.code}-dist{firm.pk}-{year}{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _pdf(request: access.ProjectRequest, firm: Distributor) -> HttpResponse:
    context = {**_context(request, firm), "project": request.project, "printed": timezone.localtime()}
    figures = context["s"]
    name = f"{request.project.code}-dist{firm.pk}-{figures.year}{figures.month:02d}.pdf"
    return pdf_response(request, "money/distributor_statement_document.html", context, name)


def _named(request: access.ProjectRequest) -> Distributor:
    firm = _chosen(request, list(Distributor.objects.filter(project=request.project).order_by("name")))
    if firm is None:
        raise Http404
    return firm


@channel_money_page
def statement_export(request: access.ProjectRequest) -> HttpResponse:
    return _workbook(request, _named(request))


@channel_money_page
def statement_pdf(request: access.ProjectRequest) -> HttpResponse:
    return _pdf(request, _named(request))


@access.agent_page()
def agent_statement(request: access.ProjectRequest) -> HttpResponse:
    """The distributor admin's own statement: their company only, no payout."""
    return _render(request, _own_company(request), manager=False)


@access.agent_page()
def agent_statement_export(request: access.ProjectRequest) -> HttpResponse:
    return _workbook(request, _own_company(request))


@access.agent_page()
def agent_statement_pdf(request: access.ProjectRequest) -> HttpResponse:
    return _pdf(request, _own_company(request))

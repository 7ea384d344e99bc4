"""The channel team's distributor pages: each company, its figures (audit line 55), paused or resumed (decision 480)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadledger import capabilities
from leadledger.engine.errors import DomainError
from leadledger.ledger import models as ledger
from leadledger.web import access
from leadledger.web.speech import said

from . import distributors

team_page = access.capability_page(capabilities.MANAGE_CHANNEL)


def _firm(request: access.ProjectRequest, pk: int) -> ledger.Distributor:
    return get_object_or_404(ledger.Distributor, pk=pk, project=request.project)


@team_page
def firm_list(request: access.ProjectRequest) -> HttpResponse:
    firms = ledger.Distributor.objects.filter(project=request.project).order_by("-active", "name")
    return render(request, "channel/firms.html", {"firms": firms})


def _firm_page(
    request: access.ProjectRequest, firm: ledger.Distributor, *, form: Any = None, errors: Any = None, status: int = 200
) -> HttpResponse:
    context = {
        "firm": firm,
        "agents": firm.agents.order_by("name"),
        "switches": firm.switches.select_related("by").order_by("-at"),
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
